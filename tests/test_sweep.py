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

    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
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
