"""Project 1 on the real hour.csv: preprocessing, learning, records, determinism, resume."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import dlnd
from dlnd.core.runs import read_metrics
from dlnd.projects.bike_sharing import data as bike_data
from dlnd.projects.bike_sharing.model import NeuralNetwork

pytestmark = pytest.mark.realdata


def test_course_preprocessing(hour_csv):
    data = bike_data.load()
    assert len(data.test.cnt) == 21 * 24 and len(data.val.cnt) == 60 * 24
    assert len(data.train.cnt) == 17379 - 81 * 24
    assert data.train.features.shape[1] == 56  # yr, holiday, 3 scaled + 51 one-hot columns
    assert "hr_23" in data.feature_names and "atemp" not in data.feature_names
    assert not {"cnt", "casual", "registered", "instant"} & set(data.feature_names)
    # some hours are missing from hour.csv; the course took the last 504 rows, not 21 full days
    assert data.test.dates[0] == "2012-12-10 22" and data.test.dates[-1] == "2012-12-31 23"
    assert data.cnt_mean == pytest.approx(189.4631, abs=1e-3)


def test_hand_written_backward_matches_finite_differences():
    rng = np.random.default_rng(0)
    net = NeuralNetwork(5, 4, rng)
    x, y = rng.normal(size=(7, 5)), rng.normal(size=7)
    w1, w2 = net.w_input_hidden.copy(), net.w_hidden_output.copy()

    def loss(a, b):
        net.w_input_hidden, net.w_hidden_output = a, b
        return 0.5 * np.mean((net.run(x) - y) ** 2)  # train_step's gradient is of half the MSE

    eps, numeric = 1e-6, np.zeros_like(w1)
    for idx in np.ndindex(w1.shape):
        plus, minus = w1.copy(), w1.copy()
        plus[idx] += eps
        minus[idx] -= eps
        numeric[idx] = (loss(plus, w2) - loss(minus, w2)) / (2 * eps)
    net.w_input_hidden, net.w_hidden_output = w1.copy(), w2.copy()
    net.train_step(x, y, lr=1.0)  # w -= 1.0 * grad
    np.testing.assert_allclose(w1 - net.w_input_hidden, numeric, rtol=1e-5, atol=1e-8)


def test_targets_shaped_like_the_course_notebook_are_accepted():
    """The course's TestMethods trains with targets of shape (n, 1); (n,) works alike."""
    x = np.array([[0.5, -0.2, 0.1], [0.4, 0.5, 0.1], [-0.3, 0.2, 0.9]])
    nets = [NeuralNetwork(3, 2, np.random.default_rng(0)) for _ in range(2)]
    losses = [nets[0].train_step(x, np.array([0.4, 0.2, -0.1]), 0.5),
              nets[1].train_step(x, np.array([[0.4], [0.2], [-0.1]]), 0.5)]
    assert losses[0] == losses[1]
    np.testing.assert_array_equal(nets[0].w_input_hidden, nets[1].w_input_hidden)
    with pytest.raises(ValueError, match=r"targets must be shaped \(3,\) or \(3, 1\)"):
        nets[0].train_step(x, np.zeros((3, 2)), 0.5)


def test_quick_run_learns_and_leaves_a_full_record(hour_csv, tmp_path):
    summary = dlnd.run("bike-sharing", quick=True, out=tmp_path, verbose=False)
    run_dir = tmp_path / "bike-sharing" / os.path.basename(summary["run_dir"])
    names = {p.name for p in run_dir.iterdir()}
    assert {"config.toml", "metrics.jsonl", "checkpoint.safetensors", "summary.json", "run.json",
            "test_predictions.png"} <= names
    assert any(n.startswith("events.out.tfevents") for n in names)
    losses = [m["value"] for m in read_metrics(run_dir) if m["name"] == "train/loss"]
    assert len(losses) == 8 and losses[-1] < 0.6 * losses[0]
    saved = json.loads((run_dir / "summary.json").read_text())
    assert saved["target"].startswith("train loss < 0.09") and "numpy" in saved["versions"]
    model = dlnd.load(run_dir)
    data = bike_data.load()
    rides = model.rides(data.test.features)
    assert rides.shape == (504,)
    rmse = float(np.sqrt(np.mean((rides - (data.test.cnt * data.cnt_std + data.cnt_mean)) ** 2)))
    assert rmse == pytest.approx(summary["metrics"]["test_rmse"], rel=1e-9)


def test_default_config_meets_the_course_target(hour_csv, tmp_path):
    summary = dlnd.run("bike-sharing", out=tmp_path, verbose=False)
    assert summary["passed"], summary["metrics"]
    assert summary["metrics"]["train_loss"] < 0.09 and summary["metrics"]["val_loss"] < 0.18


def test_same_seed_same_metrics(hour_csv, tmp_path):
    a = dlnd.run("bike-sharing", quick=True, seed=3, out=tmp_path, verbose=False)
    b = dlnd.run("bike-sharing", quick=True, seed=3, out=tmp_path, verbose=False)
    c = dlnd.run("bike-sharing", quick=True, seed=4, out=tmp_path, verbose=False)
    assert a["metrics"] == b["metrics"] != c["metrics"]
    strip = lambda d: [(m["step"], m["name"], m["value"]) for m in read_metrics(d)]  # noqa: E731
    assert strip(a["run_dir"]) == strip(b["run_dir"])


def start_cli(tmp_path, *args):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "dlnd", *args], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_epochs(run_root, count, proc, timeout=60):
    """Wait until some run under ``run_root`` has a checkpoint and ``count`` epochs logged."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        assert proc.poll() is None, proc.communicate()
        for metrics in run_root.glob("bike-sharing/*/metrics.jsonl"):
            lines = [ln for ln in metrics.read_text().splitlines() if '"val/loss"' in ln]
            if len(lines) >= count and (metrics.parent / "checkpoint.safetensors").exists():
                return metrics.parent
        time.sleep(0.02)
    raise AssertionError("training did not progress")


def record(run_dir):
    return [(m["step"], m["name"], m["value"]) for m in read_metrics(run_dir)]


@pytest.mark.slow
def test_ctrl_c_saves_a_checkpoint_and_exits_cleanly(hour_csv, tmp_path):
    proc = start_cli(tmp_path, "run", "bike-sharing", "--epochs", "400", "--out", "runs")
    run_dir = wait_for_epochs(tmp_path / "runs", 5, proc)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "--resume" in out and "Traceback" not in err
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["status"] == "interrupted" and not summary["passed"]
    from dlnd.core.runs import load_checkpoint

    assert load_checkpoint(run_dir)["step"] < 399


@pytest.mark.filterwarnings("error::RuntimeWarning")  # no NumPy overflow lines before it
def test_nan_loss_is_a_clear_error(hour_csv, tmp_path):
    with pytest.raises(dlnd.core.errors.TrainingError,
                       match="train/loss became nan.*lower learning"):
        dlnd.run("bike-sharing", quick=True, lr=1e6, out=tmp_path, verbose=False)
