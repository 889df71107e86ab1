"""Sweeps on Optuna (grid and search, several workers, resume after a crash) and run comparison."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dlnd.app.cli import main
from dlnd.app.sweep import SweepSpec, open_study, parse_grid, parse_space, run_sweep
from dlnd.core.errors import ConfigError, UsageError
from dlnd.core.runs import find_runs

# Seconds after which a sweep subprocess counts as hung. Generous: on a loaded 2-core machine a
# two-trial sweep that finishes in 15 s idle took 40 s end to end (imports alone take 20 s).
HANG = 600

pytestmark = pytest.mark.realdata


def hparams_tags(run_dir):
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader

    tags = set()
    for events in Path(run_dir).glob("events.out.tfevents.*"):
        for event in EventFileLoader(str(events)).Load():
            tags |= {v.tag for v in event.summary.value}
    return tags


def test_parsing_and_validation(hour_csv):
    assert parse_grid(["lr=0.1,0.5", "hidden_nodes=4"]) == {"lr": ["0.1", "0.5"],
                                                            "hidden_nodes": ["4"]}
    assert parse_space(["lr=1e-3:1:log"]) == {"lr": (1e-3, 1.0, True)}
    with pytest.raises(ConfigError, match="low:high"):
        parse_space(["lr=0.1"])
    with pytest.raises(ConfigError, match="did you mean 'hidden_nodes'"):
        SweepSpec("bike-sharing", grid={"hiden_nodes": ["4"]}).resolved()
    with pytest.raises(ConfigError, match="'lr' must be > 0"):
        SweepSpec("bike-sharing", grid={"lr": ["0.5", "-1"]}).resolved()
    with pytest.raises(UsageError, match="either --grid"):
        SweepSpec("bike-sharing").resolved()
    with pytest.raises(UsageError, match="--trials"):
        SweepSpec("bike-sharing", space={"lr": (0.1, 1.0, False)}).resolved()


def test_two_workers_complete_the_grid_exactly_once(hour_csv, tmp_path):
    spec = SweepSpec("bike-sharing", grid={"hidden_nodes": ["3", "6"], "lr": ["0.4", "0.8"]},
                     quick=True, out=str(tmp_path), heartbeat_s=2)
    result = run_sweep(spec, workers=2)
    study, _ = open_study(spec.resolved())
    trials = study.get_trials()
    assert len(trials) == 4
    assert {t.state.name for t in trials} <= {"COMPLETE", "PRUNED"}
    assert sorted((t.params["hidden_nodes"], t.params["lr"]) for t in trials) == [
        (3, 0.4), (3, 0.8), (6, 0.4), (6, 0.8)]
    runs = find_runs(tmp_path, "bike-sharing")
    assert len(runs) == 4
    assert sorted(json.loads((r / "run.json").read_text())["trial"] for r in runs) == [0, 1, 2, 3]
    assert "_hparams_/session_start_info" in hparams_tags(runs[0])
    summary = result["summary"].read_text()
    assert summary.count("| complete |") + summary.count("| pruned |") == 4
    assert result["plot"].exists()
    # Running the same sweep again finds nothing left to do.
    again = run_sweep(spec, workers=1)
    assert len(again["rows"]) == 4 and len(find_runs(tmp_path, "bike-sharing")) == 4


def test_search_runs_the_trial_budget(hour_csv, tmp_path):
    spec = SweepSpec("bike-sharing", space={"lr": (0.1, 1.0, True), "hidden_nodes": (2, 8, False)},
                     trials=3, search="random", quick=True, out=str(tmp_path))
    result = run_sweep(spec)
    assert len(result["rows"]) == 3
    for row in result["rows"]:
        assert 0.1 <= row["params"]["lr"] <= 1.0 and isinstance(row["params"]["hidden_nodes"], int)


@pytest.mark.slow
def test_killed_sweep_resumes_and_retries_the_dead_trial_once(hour_csv, tmp_path):
    argv = [sys.executable, "-m", "dlnd", "sweep", "bike-sharing", "--grid",
            "hidden_nodes=4,5,6", "--set", "epochs=60", "--no-prune", "--heartbeat", "1",
            "--out", str(tmp_path)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.time() + 60
    while len(find_runs(tmp_path, "bike-sharing")) < 2:  # first trial done, second running
        assert time.time() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()

    done = subprocess.run(argv, capture_output=True, text=True, timeout=HANG)
    assert done.returncode == 0, done.stderr
    spec = SweepSpec("bike-sharing", grid={"hidden_nodes": ["4", "5", "6"]},
                     fixed={"epochs": "60"}, prune=False, out=str(tmp_path), heartbeat_s=1)
    study, _ = open_study(spec.resolved())
    states = sorted((t.params.get("hidden_nodes"), t.state.name) for t in study.get_trials())
    complete = [h for h, s in states if s == "COMPLETE"]
    assert sorted(complete) == [4, 5, 6]  # every grid point finished exactly once
    assert [s for _, s in states].count("FAIL") == 1  # the trial that died, retried once


def test_compare_overlays_curves_and_diffs_configs(hour_csv, tmp_path, capsys):
    out = tmp_path / "runs"
    for lr in ("0.3", "0.9"):
        assert main(["run", "bike-sharing", "--quick", "--lr", lr, "--out", str(out)]) == 0
    runs = [str(p) for p in find_runs(out, "bike-sharing")]
    capsys.readouterr()
    png = tmp_path / "cmp.png"
    assert main(["compare", *runs, "--png", str(png)]) == 0
    table = capsys.readouterr().out
    header = table.splitlines()[0].split()
    assert header[:3] == ["run", "status", "lr"] and "val_loss" in header
    assert "0.3" in table and "0.9" in table and "hidden_nodes" not in header
    assert png.stat().st_size > 10_000
    assert main(["compare", runs[0]]) == 2


@pytest.mark.skipif(not os.environ.get("DLND_TEST_POSTGRES"),
                    reason="set DLND_TEST_POSTGRES=postgresql+psycopg://user:pw@host/db "
                           "(.ci/run starts a local server and sets it)")
def test_workers_share_a_postgresql_study(hour_csv, tmp_path):
    import uuid

    spec = SweepSpec("bike-sharing", grid={"hidden_nodes": ["3", "6"], "lr": ["0.4", "0.8"]},
                     quick=True, out=str(tmp_path), storage=os.environ["DLND_TEST_POSTGRES"],
                     name=f"ci-{uuid.uuid4().hex[:8]}", heartbeat_s=2)
    run_sweep(spec, workers=2)
    study, _ = open_study(spec.resolved())
    assert sorted((t.params["hidden_nodes"], t.params["lr"]) for t in study.get_trials()) == [
        (3, 0.4), (3, 0.8), (6, 0.4), (6, 0.8)]


# ----- interruption, orphaned trials, concurrency (sweeps on several processes and machines) -----

def sweep_study(tmp_path, grid, **kwargs):
    spec = SweepSpec("bike-sharing", grid=grid, out=str(tmp_path), **kwargs).resolved()
    return spec, open_study(spec)[0]


def test_ctrl_c_records_the_trial_as_interrupted_stops_and_reruns_it(hour_csv, tmp_path,
                                                                     monkeypatch, capsys):
    """Ctrl-C during a trial: the run stops at the end of its epoch as "interrupted"; the trial
    is stored as failed (interrupted), never ranked, the sweep stops with exit code 130 and the
    same command runs that grid point again."""
    from dlnd.app import sweep

    real_execute, interrupted = sweep.execute, []

    def ctrl_c_in_the_first_trial(project, cfg, *, prepare, **kwargs):
        def prepare_and_press_ctrl_c(run):
            prepare(run)
            on_metric = run.on_metric

            def then_ctrl_c(name, value, step):
                on_metric(name, value, step)
                if name == "val/loss" and step == 1 and not interrupted:
                    interrupted.append(run.path)
                    signal.raise_signal(signal.SIGINT)  # as the terminal does on Ctrl-C

            run.on_metric = then_ctrl_c

        return real_execute(project, cfg, prepare=prepare_and_press_ctrl_c, **kwargs)

    monkeypatch.setattr(sweep, "execute", ctrl_c_in_the_first_trial)
    argv = ["sweep", "bike-sharing", "--grid", "hidden_nodes=4,8", "--quick", "--set",
            "epochs=3", "--out", str(tmp_path)]
    assert main(argv) == 130
    assert json.loads((interrupted[0] / "summary.json").read_text())["status"] == "interrupted"
    assert len(find_runs(tmp_path, "bike-sharing")) == 1  # the sweep stopped there
    spec, study = sweep_study(tmp_path, {"hidden_nodes": ["4", "8"]}, quick=True,
                              fixed={"epochs": "3"})
    first = study.get_trials()[0]
    assert first.state.name == "FAIL" and first.user_attrs["interrupted"]
    assert "| complete |" not in (tmp_path / "sweeps" / spec.name / "summary.md").read_text()

    capsys.readouterr()
    assert main(argv) == 0  # the same command: the interrupted point runs again
    states = sorted((t.params["hidden_nodes"], t.state.name) for t in study.get_trials())
    assert states == [(4, "COMPLETE"), (4, "FAIL"), (8, "COMPLETE")]
    assert len(find_runs(tmp_path, "bike-sharing")) == 3
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("trial ")]
    assert len(lines) == 2 and all("complete" in ln and "hidden_nodes=" in ln for ln in lines)


@pytest.mark.slow
def test_ctrl_c_stops_every_worker_and_their_trials_run_again(hour_csv, tmp_path):
    argv = [sys.executable, "-m", "dlnd", "sweep", "bike-sharing", "--grid",
            "hidden_nodes=4,5,6", "--workers", "2", "--name", "ctrl-c", "--out", str(tmp_path)]
    proc = subprocess.Popen([*argv, "--set", "epochs=400"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.time() + HANG
    while sum(1 for r in find_runs(tmp_path, "bike-sharing")
              if (r / "checkpoint.safetensors").exists()) < 2:  # both workers are training
        assert time.time() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
    out, err = proc.communicate(timeout=HANG)
    assert proc.returncode == 130, err
    assert out.count("interrupted") == 2, out
    spec = SweepSpec("bike-sharing", grid={"hidden_nodes": ["4"]}, name="ctrl-c",
                     out=str(tmp_path)).resolved()
    study, _ = open_study(spec)
    trials = study.get_trials()
    assert sorted(t.state.name for t in trials if "interrupted" in t.user_attrs) == ["FAIL"] * 2
    assert "RUNNING" not in {t.state.name for t in trials}

    done = subprocess.run([*argv, "--set", "epochs=2"], capture_output=True, text=True,
                          timeout=HANG)
    assert done.returncode == 0, done.stderr
    complete = [t.params["hidden_nodes"] for t in study.get_trials() if t.state.name == "COMPLETE"]
    assert sorted(complete) == [4, 5, 6]


@pytest.mark.slow
def test_a_trial_claimed_but_never_beating_is_reclaimed(hour_csv, tmp_path):
    """A sweep killed between claiming a trial and its first heartbeat left it RUNNING with no
    heartbeat: a restart reclaims it once nobody beats for it (3 heartbeats) and finishes."""
    from optuna.trial import TrialState

    from dlnd.app.sweep import enqueue_grid

    argv = ["sweep", "bike-sharing", "--grid", "hidden_nodes=4,5", "--quick", "--set",
            "epochs=2", "--heartbeat", "2", "--out", str(tmp_path)]
    spec, study = sweep_study(tmp_path, {"hidden_nodes": ["4", "5"]}, quick=True,
                              fixed={"epochs": "2"}, heartbeat_s=2)
    enqueue_grid(study, spec)
    orphan = study.get_trials()[0]
    assert study._storage.set_trial_state_values(orphan._trial_id, state=TrialState.RUNNING)

    done = subprocess.run([sys.executable, "-m", "dlnd", *argv], capture_output=True, text=True,
                          timeout=HANG)  # before: waited forever for the orphan
    assert done.returncode == 0, done.stderr
    states = sorted((t.params.get("hidden_nodes", orphan.system_attrs["fixed_params"]
                                  ["hidden_nodes"]), t.state.name) for t in study.get_trials())
    assert states == [(4, "COMPLETE"), (4, "FAIL"), (5, "COMPLETE")]


def claim_until_none(url: str, name: str, barrier, results) -> None:
    """A worker in a tight claim loop (run in a process of its own)."""
    from dlnd.app.sweep import claim_waiting

    study, storage = open_study(SweepSpec("bike-sharing", grid={"x": [0]}, direction="minimize",
                                          storage=url, name=name))
    barrier.wait()
    claimed = []
    while (trial := claim_waiting(study, storage)) is not None:
        claimed.append(trial.number)
    results.put(claimed)


def in_processes(target, count: int, *args, results_each: int = 1) -> list:
    """Run ``target(*args, barrier, results)`` in ``count`` processes; what they put in
    ``results`` (``results_each`` items each)."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(count), ctx.SimpleQueue()
    procs = [ctx.Process(target=target, args=(*args, barrier, results)) for _ in range(count)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=HANG)
    assert all(p.exitcode == 0 for p in procs), [p.exitcode for p in procs]
    return [results.get() for _ in range(count * results_each)]


POSTGRES = os.environ.get("DLND_TEST_POSTGRES")
storages = pytest.mark.parametrize("backend", [
    "sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
        not POSTGRES, reason="set DLND_TEST_POSTGRES=postgresql+psycopg://user:pw@host/db"))])


def storage_url(backend: str, tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'sweeps.db'}" if backend == "sqlite" else POSTGRES


@pytest.mark.slow
@storages
def test_a_waiting_trial_is_claimed_by_exactly_one_worker(backend, tmp_path):
    import uuid

    url, name = storage_url(backend, tmp_path), f"claims-{uuid.uuid4().hex[:8]}"
    study, _ = open_study(SweepSpec("bike-sharing", grid={"x": [0]}, direction="minimize",
                                    storage=url, name=name))
    for i in range(60):
        study.enqueue_trial({"x": i})
    claims = in_processes(claim_until_none, 3, url, name)
    every = sorted(n for claimed in claims for n in claimed)
    assert every == list(range(60))  # each trial claimed once: none twice, none lost


def the_same_sweep(url: str, out: str, name: str) -> SweepSpec:
    return SweepSpec("bike-sharing", grid={"hidden_nodes": ["4", "5", "6"]}, quick=True,
                     out=out, storage=url, name=name).resolved()


def open_the_same_sweeps(sweeps: list, barrier, results) -> None:
    """Start each sweep at the same time as the other processes (run in a process of its own)."""
    from dlnd.app.sweep import enqueue_grid

    for url, out, name in sweeps:
        spec = the_same_sweep(url, out, name)
        barrier.wait()
        try:
            study, _ = open_study(spec)
            enqueue_grid(study, spec)
            results.put(len(study.get_trials()))
        except Exception as exc:  # noqa: BLE001 - reported to the test
            results.put(repr(exc))


@pytest.mark.slow
@storages
def test_identical_sweeps_started_together_share_one_study(backend, hour_csv, tmp_path):
    import uuid

    sweeps = []
    for attempt in range(3):  # a fresh database each time: creating its tables raced
        (tmp_path / str(attempt)).mkdir()
        sweeps.append((storage_url(backend, tmp_path / str(attempt)), str(tmp_path / str(attempt)),
                       f"same-{uuid.uuid4().hex[:8]}"))
    results = in_processes(open_the_same_sweeps, 3, sweeps, results_each=len(sweeps))
    assert all(isinstance(r, int) for r in results), results
    for sweep in sweeps:
        study, _ = open_study(the_same_sweep(*sweep))
        params = sorted(t.system_attrs["fixed_params"]["hidden_nodes"]
                        for t in study.get_trials())
        assert params == [4, 5, 6]  # each grid point queued once


# ----- the command line and the report -----

def test_an_unknown_storage_url_is_a_usage_error(hour_csv, tmp_path, capsys):
    argv = ["sweep", "bike-sharing", "--grid", "hidden_nodes=4", "--quick", "--out",
            str(tmp_path)]
    assert main([*argv, "--storage", "bogus://x"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "bogus://x" in err
    assert "sqlite:///" in err and "postgresql+psycopg://" in err
    import importlib.util

    if importlib.util.find_spec("MySQLdb") is None:  # plain mysql:// means mysqlclient
        assert main([*argv, "--storage", "mysql://user:secret@localhost/db"]) == 2
        err = capsys.readouterr().err
        assert "'MySQLdb', which is not installed" in err and "secret" not in err


def test_integer_keys_of_a_search_space_get_integer_ranges(hour_csv, tmp_path, capsys):
    # the README's command
    spec = SweepSpec("bike-sharing", space=parse_space(["lr=0.1:1:log", "hidden_nodes=8:32"]),
                     trials=20, out=str(tmp_path)).resolved()
    assert spec.space == {"lr": (0.1, 1.0, True), "hidden_nodes": (8, 32, False)}
    assert all(type(v) is int for v in spec.space["hidden_nodes"][:2])
    with pytest.raises(ConfigError, match="hidden_nodes.*whole"):
        SweepSpec("bike-sharing", space={"hidden_nodes": (8.5, 32.0, False)}, trials=2).resolved()
    with pytest.raises(ConfigError, match="keep_best.*--grid"):
        SweepSpec("bike-sharing", space={"keep_best": (0.0, 1.0, False)}, trials=2).resolved()

    assert main(["sweep", "bike-sharing", "--space", "lr=0.1:1:log", "--space",
                 "hidden_nodes=8:32", "--trials", "2", "--quick", "--set", "epochs=2",
                 "--out", str(tmp_path)]) == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("trial ")]
    assert len(lines) == 2, lines  # one line per finished trial, as it finishes
    assert all("val/loss" in ln and "hidden_nodes=" in ln and "lr=" in ln for ln in lines)


def test_a_full_grid_is_not_pruned_unless_asked(hour_csv, tmp_path):
    grid, space = {"hidden_nodes": ["4", "8"]}, {"lr": (0.1, 1.0, True)}
    assert SweepSpec("bike-sharing", grid=grid, out=str(tmp_path)).resolved().prune is False
    assert SweepSpec("bike-sharing", grid=grid, prune=True, out=str(tmp_path)).resolved().prune
    assert SweepSpec("bike-sharing", space=space, trials=2, out=str(tmp_path)).resolved().prune
    from dlnd.app.cli import build_parser

    def parsed(*flags):
        return build_parser().parse_args(["sweep", "bike-sharing", *flags]).prune

    assert (parsed(), parsed("--prune"), parsed("--no-prune")) == (None, True, False)


def test_the_plot_puts_numbers_in_numeric_order_and_marks_pruned_trials(hour_csv, tmp_path,
                                                                         monkeypatch):
    import matplotlib.figure

    from dlnd.app.sweep import plot_params

    figures = []
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig",
                        lambda fig, *a, **k: figures.append(fig))
    spec = SweepSpec("bike-sharing", grid={"hidden_nodes": ["4", "8", "16"]},
                     out=str(tmp_path)).resolved()
    rows = [{"trial": 0, "state": "complete", "params": {"hidden_nodes": 16}, "value": 0.2},
            {"trial": 1, "state": "complete", "params": {"hidden_nodes": 4}, "value": 0.3},
            {"trial": 2, "state": "pruned", "params": {"hidden_nodes": 8}, "value": 0.5}]
    plot_params(rows, ["hidden_nodes"], spec, tmp_path)
    ax = figures[0].axes[0]
    drawn = {c.get_label(): c for c in ax.collections}
    assert sorted(drawn["complete"].get_offsets()[:, 0]) == [4, 16]  # at their values
    assert [*drawn][1].startswith("pruned")
    pruned = drawn[[*drawn][1]]
    assert list(pruned.get_offsets()[:, 0]) == [8]
    assert (pruned.get_facecolor().tolist() != drawn["complete"].get_facecolor().tolist())
    assert ax.get_xlim()[0] < 4 < 8 < 16 < ax.get_xlim()[1]
