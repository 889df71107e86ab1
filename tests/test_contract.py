"""The project contract and the run lifecycle, checked on every registered project: a --quick
run leaves a full record, loads back into a Model, answers what it offers; a run SIGKILLed right
after its first checkpoint resumes to the metrics of an uninterrupted run."""

import json
import math
import os
import subprocess
import sys

import pytest

import dlnd
from dlnd import projects
from dlnd.core.project import OFFERS, Model, Prediction
from dlnd.core.runs import CHECKPOINT, KILL_AFTER_STEP_ENV, read_metrics

NAMES = list(projects.PROJECTS)
SUMMARY_KEYS = {"project", "run_dir", "status", "metrics", "target", "criteria", "passed",
                "wall_s", "device", "config", "versions", "git_commit", "finished"}
QUERIES = {"text": ["a wonderful, moving film", "dull and far too long"]}


def sample_inputs(name, tmp_path):
    """Inputs a user would type for ``dlnd predict`` on this project."""
    impl = projects.get(name).implementation()
    if hasattr(impl, "example_inputs"):  # e.g. image files written for the test
        return impl.example_inputs(tmp_path)
    return QUERIES["text"]


@pytest.mark.realdata
@pytest.mark.parametrize("name", NAMES)
def test_quick_run_meets_the_contract(name, tmp_path, require_data):
    project = projects.get(name)
    require_data(*project.datasets)
    summary = dlnd.run(name, quick=True, out=tmp_path, verbose=False)
    assert SUMMARY_KEYS <= summary.keys()
    assert summary["status"] == "completed"
    assert summary["metrics"] and all(math.isfinite(v) for v in summary["metrics"].values())
    assert project.primary_metric in summary["metrics"]
    run_dir = summary["run_dir"]
    files = set(os.listdir(run_dir))
    assert {"config.toml", "run.json", "metrics.jsonl", CHECKPOINT, "summary.json"} <= files
    assert not any(f.endswith(".pkl") for f in files)
    assert any(f.endswith(".png") for f in files)  # at least its learning curves, as a picture

    logged = read_metrics(run_dir)
    steps = {m["step"] for m in logged if not m["name"].startswith("final/")}
    for metric in project.epoch_metrics:  # every declared metric at every epoch
        assert {m["step"] for m in logged if m["name"] == metric} == steps, metric

    model = dlnd.load(run_dir)
    assert isinstance(model, Model) and model.project == name
    for offer in OFFERS:
        assert hasattr(model, offer) == (offer in project.offers), offer
    if "predict" in project.offers:
        inputs = sample_inputs(name, tmp_path)
        answers = model.predict(inputs)
        assert len(answers) == len(inputs)
        assert all(isinstance(a, Prediction) and 0 <= a.probability <= 1 for a in answers)
    if "generate" in project.offers and getattr(model, "draws_images", False):
        first = model.generate(n=4, out=tmp_path / "a.png", seed=1)
        again = model.generate(n=4, out=tmp_path / "b.png", seed=1)
        assert first.read_bytes() == again.read_bytes()  # same seed, same images
    elif "generate" in project.offers:
        text = model.generate(length=20, seed=1)
        assert isinstance(text, str) and text
        assert text == model.generate(length=20, seed=1)  # same seed, same text
    if "play" in project.offers:
        results = model.play(episodes=2, seed=0)
        assert "mean_return" in results and math.isfinite(results["mean_return"])
        assert results == model.play(episodes=2, seed=0)  # same seed, same games


def timed(name):
    """Metrics that measure time (``wall_s``, ``train_per_s`` ...) differ between any two runs."""
    return name.rsplit("/", 1)[-1].endswith("_s")


def record(run_dir):
    return [(m["step"], m["name"], m["value"]) for m in read_metrics(run_dir)
            if not timed(m["name"])]


def dlnd_cli(*args, **env):
    """``dlnd ARGS`` in its own process. All three runs of the resume test go through here, so
    they compute with the same thread counts: a process's BLAS and torch threads are fixed when
    it starts, and an in-process reference would inherit whatever the test worker has."""
    return subprocess.run([sys.executable, "-m", "dlnd", *args], env={**os.environ, **env},
                          capture_output=True, text=True)


@pytest.mark.realdata
@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_resume_after_sigkill_equals_an_uninterrupted_run(name, tmp_path, require_data):
    project = projects.get(name)
    require_data(*project.datasets)
    done = dlnd_cli("run", name, "--quick", "--out", str(tmp_path / "ref"))
    assert done.returncode == 0, done.stderr
    (reference_dir,) = (tmp_path / "ref" / name).iterdir()
    reference = json.loads((reference_dir / "summary.json").read_text())

    killed = dlnd_cli("run", name, "--quick", "--out", str(tmp_path / "killed"),
                      **{KILL_AFTER_STEP_ENV: "0"})  # SIGKILL right after the first checkpoint
    assert killed.returncode == -9, killed.stderr
    (run_dir,) = (tmp_path / "killed" / name).iterdir()
    assert (run_dir / CHECKPOINT).exists() and not (run_dir / "summary.json").exists()

    done = dlnd_cli("run", name, "--resume", str(run_dir))
    assert done.returncode == 0, done.stderr
    resumed = json.loads((run_dir / "summary.json").read_text())
    assert resumed["status"] == "completed"
    want, got = reference["metrics"], resumed["metrics"]
    assert want.keys() == got.keys()
    untimed = [k for k in want if not timed(k)]
    if project.resume_tolerance == 0:
        assert {k: got[k] for k in untimed} == {k: want[k] for k in untimed}
        assert record(run_dir) == record(reference_dir)
    else:
        for key in untimed:
            assert got[key] == pytest.approx(want[key], rel=project.resume_tolerance), key
