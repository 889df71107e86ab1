"""The run lifecycle on toy trainers (one model, two models as in a GAN, an episodic agent with a
replay buffer and a target network), the safe state-file format, and run directories that run
no code when opened, whoever made them."""

import json
import math
import os
import pickle
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from dlnd.app.cli import main
from dlnd.core import runs, state_file
from dlnd.core.config import BaseConfig, param, to_toml
from dlnd.core.errors import DlndError, UsageError


# ----- the state-file format -----
def test_state_trees_round_trip_exactly(tmp_path):
    torch = pytest.importorskip("torch")
    tree = {"step": 3, "loss": math.inf, "nan": math.nan, "name": "x", "flag": True, "none": None,
            "pair": (1, "a"), "list": [1.5, [2, 3]], "int_keys": {0: "a", 7: (1, 2)},
            "array": np.arange(6, dtype=np.int64).reshape(2, 3), "scalar": np.float32(2.5),
            "zero_d": np.array(4.0), "tensor": torch.arange(4, dtype=torch.float16),
            "bf16": torch.tensor([1.5, -2.0], dtype=torch.bfloat16),
            "rng": np.random.default_rng(5).bit_generator.state,
            "__dlnd_array__": "a key that looks like a marker"}
    path = tmp_path / "state.safetensors"
    runs.write_atomic(path, state_file.to_bytes(tree))
    back = state_file.read(path)
    assert back["step"] == 3 and back["loss"] == math.inf and math.isnan(back["nan"])
    assert back["pair"] == (1, "a") and back["list"] == [1.5, [2, 3]]
    assert back["int_keys"] == {0: "a", 7: (1, 2)}
    np.testing.assert_array_equal(back["array"], tree["array"])
    assert back["scalar"] == 2.5 and back["zero_d"].shape == ()
    assert isinstance(back["tensor"], torch.Tensor) and back["tensor"].dtype == torch.float16
    assert back["bf16"].dtype == torch.bfloat16 and back["bf16"].tolist() == [1.5, -2.0]
    assert back["rng"] == tree["rng"]
    assert back["__dlnd_array__"] == "a key that looks like a marker"


def test_what_is_not_state_is_refused_with_its_path():
    with pytest.raises(TypeError, match=r"state\.model\.f: a function"):
        state_file.encode({"model": {"f": lambda: 0}})
    with pytest.raises(TypeError, match="Python objects"):
        state_file.encode({"a": np.array([object()])})


@pytest.mark.parametrize("content", [b"", b"not a state file", pickle.dumps({"step": 1}),
                                     b"\xff" * 8 + b"{}"])
def test_damaged_state_files_are_one_clear_error(tmp_path, content):
    path = tmp_path / "checkpoint.safetensors"
    path.write_bytes(content)
    with pytest.raises(state_file.StateFileError, match="damaged or not a dlnd state file"):
        state_file.read(path)


def test_a_safetensors_file_of_another_kind_is_refused(tmp_path):
    from safetensors.numpy import save

    path = tmp_path / "checkpoint.safetensors"
    path.write_bytes(save({"w": np.zeros(2, np.float32)}))
    with pytest.raises(state_file.StateFileError, match="not a dlnd state file"):
        state_file.read(path)


# ----- the lifecycle on toys -----
@pytest.fixture
def new_run(tmp_path):
    def make(cfg=None, resume=None):
        if resume is not None:
            return runs.Run.reopen(resume, ToyConfig, verbose=False)
        return runs.Run.create(tmp_path, "toy", cfg or ToyConfig(), verbose=False)
    return make


@dataclass
class ToyConfig(BaseConfig):
    epochs: int = param(6, "epochs of the toy trainers", min=1)


class Linear:
    """A NumPy model with the state_dict protocol."""

    def __init__(self, rng):
        self.w = rng.normal(size=3)

    def state_dict(self):
        return {"w": self.w.copy()}

    def load_state_dict(self, state):
        self.w = state["w"].copy()


def train_regression(run, stop_after=None):
    """Noisy SGD on a fixed problem: the result depends on the model, the RNG and the best epoch."""
    rng = np.random.default_rng(0)
    model = Linear(rng)
    best = runs.Best("val/loss", model=model)
    run.track(model=model, rng=rng, best=best)
    x = np.random.default_rng(1).normal(size=(64, 3))
    y = x @ np.array([1.0, -2.0, 0.5])
    for epoch in run.epochs(run.config.epochs):
        idx = rng.permutation(64)[:16]
        model.w -= 0.1 * 2 * x[idx].T @ (x[idx] @ model.w - y[idx]) / 16
        loss = float(np.mean((x @ model.w - y) ** 2) + rng.normal() * 0.01)
        run.log(epoch, {"val/loss": loss})
        best.update(epoch, {"val/loss": loss})
        if stop_after is not None and epoch == stop_after:
            run.stop("interrupted")
    best.restore()
    return model.w.copy(), best.epoch


def test_a_stopped_run_resumes_to_the_uninterrupted_result(new_run):
    reference = new_run()
    want = train_regression(reference)
    reference.close()

    first = new_run()
    train_regression(first, stop_after=2)
    first.close()
    assert runs.load_checkpoint(first.path)["step"] == 2
    again = new_run(resume=first.path)
    assert again.start_epoch == 3
    got = train_regression(again)
    again.close()
    np.testing.assert_array_equal(got[0], want[0])
    assert got[1] == want[1]
    assert runs.read_metrics(first.path) == [
        {**m, "time": n["time"]} for m, n in zip(runs.read_metrics(reference.path),
                                                 runs.read_metrics(first.path), strict=True)]


def test_best_keeps_weights_and_patience_ends_early(new_run):
    run = new_run(ToyConfig(epochs=20))
    model = Linear(np.random.default_rng(0))
    best = runs.Best("val/acc", mode="max", model=model, patience=2)
    run.track(model=model, best=best)
    seen = []
    for epoch in run.epochs(20):
        seen.append(epoch)
        model.w = np.full(3, float(epoch))
        best.update(epoch, {"val/acc": [0.5, 0.7, 0.6, 0.65, 0.9][epoch]})
        if best.exhausted:
            run.end_early()
    assert seen == [0, 1, 2, 3] and best.epoch == 1 and best.value == 0.7
    assert best.restore() == 1 and model.w.tolist() == [1.0, 1.0, 1.0]
    run.close()
    trained = runs.Trained(run.path, ToyConfig)
    assert trained.weights("model")["w"].tolist() == [1.0, 1.0, 1.0]
    assert trained.weights("model", best=False)["w"].tolist() == [3.0, 3.0, 3.0]


def test_tracking_refuses_what_has_no_state(new_run):
    with pytest.raises(TypeError, match="cannot track a str"):
        new_run().track(name="not state")


def train_gan(run, torch, stop_after=None):
    """Two models, two optimizers, torch's global RNG: no checkpoint code of their own."""
    from dlnd.core.torch_common import TorchRNG

    torch.manual_seed(0)
    generator, critic = torch.nn.Linear(2, 2), torch.nn.Linear(2, 1)
    opt_g = torch.optim.Adam(generator.parameters(), lr=1e-2, betas=(0.5, 0.999))
    opt_c = torch.optim.Adam(critic.parameters(), lr=1e-2, betas=(0.5, 0.999))
    run.track(generator=generator, critic=critic, opt_g=opt_g, opt_c=opt_c, torch_rng=TorchRNG())
    real = torch.randn(256, 2, generator=torch.Generator().manual_seed(1)) + 3
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    for epoch in run.epochs(run.config.epochs):
        for _ in range(5):
            fake = generator(torch.randn(64, 2))
            idx = torch.randint(0, 256, (64,))
            loss_c = bce(critic(real[idx]), torch.ones(64, 1)) + \
                bce(critic(fake.detach()), torch.zeros(64, 1))
            opt_c.zero_grad()
            loss_c.backward()
            opt_c.step()
            loss_g = bce(critic(generator(torch.randn(64, 2))), torch.ones(64, 1))
            opt_g.zero_grad()
            loss_g.backward()
            opt_g.step()
        run.log(epoch, {"train/loss_c": loss_c.item(), "train/loss_g": loss_g.item()})
        if stop_after is not None and epoch == stop_after:
            run.stop("interrupted")
    return [p.detach().clone() for p in (*generator.parameters(), *critic.parameters())]


def test_two_model_training_resumes_exactly(new_run):
    torch = pytest.importorskip("torch")
    reference = new_run()
    want = train_gan(reference, torch)
    reference.close()
    first = new_run()
    train_gan(first, torch, stop_after=1)
    first.close()
    torch.manual_seed(123)  # the resumed process starts from another global RNG state
    resumed = new_run(resume=first.path)
    got = train_gan(resumed, torch)
    resumed.close()
    assert all(torch.equal(a, b) for a, b in zip(got, want, strict=True))


class ReplayBuffer:
    """A ring buffer of transitions with the state_dict protocol: arrays and two counters."""

    def __init__(self, capacity):
        self.obs = np.zeros((capacity, 2))
        self.reward = np.zeros(capacity)
        self.size = self.next = 0

    def add(self, obs, reward):
        self.obs[self.next], self.reward[self.next] = obs, reward
        self.next = (self.next + 1) % len(self.obs)
        self.size = min(self.size + 1, len(self.obs))

    def state_dict(self):
        return {"obs": self.obs.copy(), "reward": self.reward.copy(), "size": self.size,
                "next": self.next}

    def load_state_dict(self, state):
        self.obs, self.reward = state["obs"].copy(), state["reward"].copy()
        self.size, self.next = state["size"], state["next"]


def train_agent(run, torch, stop_after=None):
    """Episodes as the run's epochs: online and target networks, a replay buffer, an RNG. The
    environment restarts each episode from the tracked RNG, so it needs no state of its own."""
    torch.manual_seed(0)
    online, target = torch.nn.Linear(2, 1), torch.nn.Linear(2, 1)
    target.load_state_dict(online.state_dict())
    opt = torch.optim.SGD(online.parameters(), lr=0.05)
    buffer, rng = ReplayBuffer(50), np.random.default_rng(0)
    run.track(online=online, target=target, optimizer=opt, buffer=buffer, rng=rng)
    for episode in run.epochs(run.config.epochs):
        obs = rng.normal(size=2)
        for _ in range(10):
            next_obs = obs + rng.normal(size=2) * 0.1
            buffer.add(obs, float(-abs(next_obs).sum()))
            obs = next_obs
        idx = rng.integers(0, buffer.size, 16)
        x = torch.tensor(buffer.obs[idx], dtype=torch.float32)
        r = torch.tensor(buffer.reward[idx], dtype=torch.float32)
        loss = ((online(x).squeeze(1) - (r + 0.9 * target(x).squeeze(1).detach())) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if episode % 2 == 1:
            target.load_state_dict(online.state_dict())
        run.log(episode, {"train/loss": loss.item()})
        if stop_after is not None and episode == stop_after:
            run.stop("interrupted")
    return [p.detach().clone() for p in (*online.parameters(), *target.parameters())]


def test_episodic_training_resumes_exactly(new_run):
    torch = pytest.importorskip("torch")
    reference = new_run()
    want = train_agent(reference, torch)
    reference.close()
    first = new_run()
    train_agent(first, torch, stop_after=2)
    first.close()
    resumed = new_run(resume=first.path)
    got = train_agent(resumed, torch)
    resumed.close()
    assert all(torch.equal(a, b) for a, b in zip(got, want, strict=True))


# ----- opening someone else's run directory runs nothing -----
class Exploit:
    """Unpickling this creates the marker file: proof that a loader ran planted code."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def planted_run(tmp_path, project, files):
    run_dir = tmp_path / "runs" / project / "20260101T000000Z-abcdef"
    run_dir.mkdir(parents=True)
    (run_dir / "run.json").write_text(json.dumps({"project": project}))
    (run_dir / "config.toml").write_text(to_toml(projects_config(project)()))
    for name, content in files.items():
        (run_dir / name).write_bytes(content)
    return run_dir


LOADED_NAMES = ["checkpoint.safetensors", "artifacts.safetensors"]
COMMANDS = {  # every way a user opens a run directory, and the project whose model it needs
    "resume": ("bike-sharing", lambda d: ["run", "bike-sharing", "--resume", str(d)]),
    "predict": ("sentiment-ngrams", lambda d: ["predict", str(d), "great film"]),
    "generate": ("char-rnn", lambda d: ["generate", str(d), "--length", "5"]),
    "runs": ("bike-sharing", lambda d: ["runs", "--out", str(d.parent.parent)]),
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("planted", ["checkpoint.pkl", *LOADED_NAMES, "all"])
def test_planted_pickles_are_refused_and_never_run(command, planted, tmp_path, capsys):
    marker = tmp_path / "pwned"
    payload = pickle.dumps(Exploit(marker))
    names = ["checkpoint.pkl", *LOADED_NAMES] if planted == "all" else [planted]
    project, argv = COMMANDS[command]
    run_dir = planted_run(tmp_path, project, dict.fromkeys(names, payload))
    code = main(argv(run_dir))
    err = capsys.readouterr().err
    assert not marker.exists()
    if command == "runs":
        assert code == 0  # listing reads JSON only
        return
    assert code in (1, 2) and "Traceback" not in err
    assert "older dlnd whose checkpoints are pickles" in err or "not a dlnd state file" in err \
        or "has no checkpoint" in err, err


def test_python_api_load_refuses_a_pickle_checkpoint(tmp_path):
    import dlnd

    marker = tmp_path / "pwned"
    run_dir = planted_run(tmp_path, "bike-sharing",
                          {"checkpoint.pkl": pickle.dumps(Exploit(marker))})
    with pytest.raises(UsageError, match="older dlnd whose checkpoints are pickles"):
        dlnd.load(run_dir)
    assert not marker.exists()


def test_nothing_in_dlnd_unpickles_what_a_run_directory_holds():
    """No pickle.load, torch.load without weights_only, or np.load with allow_pickle anywhere;
    the one unpickling reader is CIFAR-10's own python batches, read from the checksum-verified
    dataset archive, never from a run directory."""
    root = Path(runs.__file__).parents[1]
    unsafe = re.compile(r"pickle\.loads?\(|torch\.load\((?!.*weights_only=True)|"
                        r"allow_pickle=True|import dill|cloudpickle")
    found = [f"{path.relative_to(root)}: {line.strip()}" for path in root.rglob("*.py")
             for line in path.read_text().splitlines() if unsafe.search(line)]
    assert all("cifar" in line.lower() or "batch = pickle.load(tar" in line for line in found), \
        found


# ----- damaged and contested run directories -----
@pytest.fixture
def finished_run(tmp_path, hour_csv):
    import dlnd

    return Path(dlnd.run("bike-sharing", quick=True, out=tmp_path / "runs",
                         verbose=False)["run_dir"])


def snapshot_dir(path):
    return {p.name: p.read_bytes() for p in Path(path).iterdir() if p.is_file()}


def test_a_run_directory_is_held_by_one_process(finished_run):
    held = runs.RunLock(finished_run)
    try:
        with pytest.raises(UsageError, match=r"in use by another dlnd process \(pid \d+\)"):
            runs.Run.reopen(finished_run, projects_config("bike-sharing"), verbose=False)
    finally:
        held.release()
    runs.Run.reopen(finished_run, projects_config("bike-sharing"), verbose=False).close()


def projects_config(name):
    from dlnd import projects

    return projects.get(name).config


def test_resume_refuses_a_config_edited_after_training(finished_run, capsys):
    toml = finished_run / "config.toml"
    toml.write_text(toml.read_text().replace("hidden_nodes = 20", "hidden_nodes = 7"))
    assert main(["run", "bike-sharing", "--resume", str(finished_run)]) == 2
    assert "differs from the config its checkpoint was trained with (hidden_nodes)" in \
        capsys.readouterr().err
    toml.write_text("\n".join(line for line in toml.read_text().splitlines()
                              if not line.startswith("epochs")))
    assert main(["run", "bike-sharing", "--resume", str(finished_run)]) == 2
    assert "lacks epochs" in capsys.readouterr().err


def test_a_partial_last_metrics_line_is_dropped_on_resume(finished_run):
    from dlnd import projects

    metrics = finished_run / "metrics.jsonl"
    whole = metrics.read_text()
    records = runs.read_metrics(finished_run)
    metrics.write_text(whole + '{"step": 99, "name": "val/lo')
    assert runs.read_metrics(finished_run) == records  # readable: the partial line left out
    run = runs.Run.reopen(finished_run, projects.get("bike-sharing").config, verbose=False)
    run.close()
    last = runs.load_checkpoint(finished_run)["step"]
    assert runs.read_metrics(finished_run) == [r for r in records if r["step"] <= last]
    metrics.write_text('garbage\n' + whole)
    with pytest.raises(runs.DamagedRunError, match="metrics.jsonl is damaged at line 1"):
        runs.read_metrics(finished_run)


def test_stale_temp_files_of_dead_processes_are_removed_on_reopen(finished_run):
    from dlnd import projects

    dead = subprocess_pid_that_exited()
    stale = finished_run / f".checkpoint.safetensors.{dead}.tmp"
    stale.write_bytes(b"x" * 1000)
    live = finished_run / f".checkpoint.safetensors.{os.getppid()}.tmp"
    live.write_bytes(b"y")
    runs.Run.reopen(finished_run, projects.get("bike-sharing").config, verbose=False).close()
    assert not stale.exists() and live.exists()


def subprocess_pid_that_exited():
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True)
    return int(proc.stdout)


def damages(original: bytes, name: str) -> list[bytes]:
    """Ways to damage one run file: empty, truncated, garbage, wrong type, missing keys."""
    common = [b"", original[: len(original) // 2], b"\xff\xfe garbage \x00"]
    return common + {
        "run.json": [b"[]", b'{"created": 1}', b'{"project": 7}'],
        "config.toml": [b"hidden_nodes = [", b'hidden_nodes = "many"', b"epochs = 3\n"],
        "checkpoint.safetensors": [state_file.to_bytes([1, 2]),
                                   state_file.to_bytes({"tracked": {}})],
        "artifacts.safetensors": [state_file.to_bytes([1, 2])],
        "summary.json": [b"[]", b'{"status": "completed"}'],
        "metrics.jsonl": [b"nonsense\n", b'{"step": 1}\n', b"[1, 2]\n"],
    }.get(name, [])


READS = {  # what each way of opening a run reads
    "resume": {"run.json", "config.toml", "checkpoint.safetensors", "artifacts.safetensors",
               "metrics.jsonl"},
    "load": {"run.json", "config.toml", "checkpoint.safetensors", "artifacts.safetensors"},
    "predict": {"run.json", "config.toml", "checkpoint.safetensors", "artifacts.safetensors"},
    "generate": {"run.json", "config.toml", "checkpoint.safetensors", "artifacts.safetensors"},
    "runs": {"run.json", "summary.json"},
    "compare": {"run.json", "config.toml", "metrics.jsonl", "summary.json"},
}
FUZZ_PROJECTS = {"resume": "bike-sharing", "load": "bike-sharing", "runs": "bike-sharing",
                 "compare": "bike-sharing", "predict": "sentiment-ngrams",
                 "generate": "char-rnn"}


def open_run(command, run_dir, tmp_path):
    """(exit code, stderr, stdout) of opening ``run_dir`` the way ``command`` does; an exception
    escaping the CLI (a traceback for the user) propagates."""
    import dlnd

    if command == "load":
        try:
            dlnd.load(run_dir)
            return 0, "", ""
        except dlnd.core.errors.DlndError as exc:
            return exc.exit_code, f"dlnd: error: {exc}", ""
    argv = {"resume": ["run", FUZZ_PROJECTS["resume"], "--resume", str(run_dir)],
            "runs": ["runs", "--out", str(run_dir.parent.parent)],
            "compare": ["compare", str(run_dir), str(run_dir), "--png", str(tmp_path / "c.png")],
            "predict": ["predict", str(run_dir), "a fine film"],
            "generate": ["generate", str(run_dir), "--length", "5"]}[command]
    return main(argv), None, None


@pytest.mark.realdata
@pytest.mark.slow
@pytest.mark.parametrize("command", list(READS))
def test_damaged_run_files_are_one_sentence_and_change_nothing(command, tmp_path, capsys,
                                                               require_data):
    """Every run file, damaged every way, through every way of opening a run: exit 1 or 2 with
    one line on stderr and nothing of the run changed, or, for a file the command does not
    read, its usual answer. Counts: tried / clear errors / tracebacks / silently accepted."""
    import dlnd
    from dlnd import projects

    project = FUZZ_PROJECTS[command]
    require_data(*projects.get(project).datasets)
    run_dir = Path(dlnd.run(project, quick=True, out=tmp_path / "runs", verbose=False)["run_dir"])
    original = snapshot_dir(run_dir)
    problems = []
    counts = {"tried": 0, "clear": 0, "recovered": 0, "traceback": 0, "silently accepted": 0,
              "not read": 0}
    for name in sorted(original):
        for content in damages(original[name], name):
            (run_dir / name).write_bytes(content)
            damaged = snapshot_dir(run_dir)
            counts["tried"] += 1
            try:
                code, err, out = open_run(command, run_dir, tmp_path)
                if err is None:
                    captured = capsys.readouterr()
                    err, out = captured.err.strip(), captured.out
            except Exception as exc:  # noqa: BLE001 - this is what the test counts
                counts["traceback"] += 1
                problems.append(f"traceback: {name} {content[:20]!r}: {exc!r}")
            else:
                marked = command == "runs" and "damaged:" in out
                if code in (1, 2) and len(err.splitlines()) == 1 or marked:
                    counts["clear"] += 1
                    assert snapshot_dir(run_dir) == damaged, (name, content)
                elif code == 0 and name not in READS[command]:
                    counts["not read"] += 1
                elif code == 0 and ("dropped a partial last line" in err or (
                        command == "compare" and name == "metrics.jsonl"
                        and content in (b"", original[name][: len(original[name]) // 2]))):
                    counts["recovered"] += 1  # a crash mid-append; a run that logged nothing
                else:
                    counts["silently accepted"] += 1
                    problems.append(f"accepted: {name} {content[:20]!r}: exit {code} {err}")
            for fname, data in original.items():  # the run as it was, for the next case
                (run_dir / fname).write_bytes(data)
            for extra in set(snapshot_dir(run_dir)) - set(original):
                (run_dir / extra).unlink()
    with capsys.disabled():
        print(f"\n{command}: {counts}")
    assert not problems, (counts, problems)


def test_a_failed_write_keeps_the_previous_version_and_says_so(tmp_path, monkeypatch):
    target = tmp_path / "checkpoint.safetensors"
    target.write_bytes(b"previous")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(DlndError, match="No space left on device; its previous version is kept"):
        runs.write_atomic(target, b"new")
    assert target.read_bytes() == b"previous" and list(tmp_path.iterdir()) == [target]
