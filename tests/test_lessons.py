"""The early lessons on dlnd.engine: perceptron, linear-regression, student-admissions, miniflow,
mnist-mlp and overfitting, plus the IDX reader they share."""

import gzip

import numpy as np
import pytest

import dlnd
from dlnd.core import idx, runs
from dlnd.core.errors import DataError
from dlnd.projects.student_admissions.data import features
from dlnd.shared import mlp


# ----------------------------------------------------------------------------- IDX reader
def idx_bytes(magic: int, shape: tuple[int, ...], values: np.ndarray) -> bytes:
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in shape)
    return header + values.astype(np.uint8).tobytes()


def test_idx_parse_reads_images_and_labels():
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    parsed = idx.parse(idx_bytes(idx.IMAGES_MAGIC, (2, 3, 4), images), idx.IMAGES_MAGIC)
    assert parsed.shape == (2, 3, 4) and np.array_equal(parsed, images)
    labels = idx.parse(idx_bytes(idx.LABELS_MAGIC, (3,), np.array([7, 0, 9])), idx.LABELS_MAGIC)
    assert labels.tolist() == [7, 0, 9]


def test_idx_read_handles_gzip(tmp_path):
    path = tmp_path / "labels.gz"
    path.write_bytes(gzip.compress(idx_bytes(idx.LABELS_MAGIC, (2,), np.array([1, 2]))))
    assert idx.read(path, idx.LABELS_MAGIC).tolist() == [1, 2]


@pytest.mark.parametrize("raw, message", [
    (idx_bytes(idx.LABELS_MAGIC, (2,), np.array([1, 2])), "magic number 2049, expected 2051"),
    (idx_bytes(idx.IMAGES_MAGIC, (2, 2, 2), np.zeros(7)), "needs 24"),
    (b"\x00\x00", "not an IDX file"),
])
def test_idx_parse_rejects_bad_files_clearly(raw, message):
    with pytest.raises(DataError, match=message):
        idx.parse(raw, idx.IMAGES_MAGIC, "bad.idx")


@pytest.mark.realdata
def test_idx_loads_fashion_mnist(require_data):
    require_data("fashion-mnist")
    images, labels = idx.load("fashion-mnist", "test")
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels).tolist() == [1000] * 10


# ----------------------------------------------------------------------------- perceptron
def test_perceptron_one_unit_fails_xor_and_a_hidden_layer_solves_it(tmp_path):
    summary = dlnd.run("perceptron", out=tmp_path, verbose=False)
    m = summary["metrics"]
    assert summary["passed"]
    assert m["and_acc"] == m["or_acc"] == m["not_acc"] == m["xor_hidden_acc"] == 1.0
    assert m["xor_single_acc"] <= 0.75  # no straight line separates XOR
    assert list((tmp_path / "perceptron").glob("*/decision_boundaries.png"))
    gates = dlnd.load(summary["run_dir"])
    assert gates.outputs("xor_hidden", [[0, 0], [0, 1], [1, 0], [1, 1]]).tolist() == [0, 1, 1, 0]
    assert gates.outputs("not", [[0], [1]]).tolist() == [1, 0]


# ---------------------------------------------------------------------- linear regression
@pytest.mark.realdata
def test_linear_regression_gradient_descent_meets_the_closed_form(tmp_path, require_data):
    require_data("course-small")
    summary = dlnd.run("linear-regression", out=tmp_path, verbose=False)
    m = summary["metrics"]
    assert summary["passed"] and m["r2_gap"] <= 1e-4
    assert m["slope"] == pytest.approx(m["slope_closed_form"], rel=1e-4)
    assert m["intercept"] == pytest.approx(m["intercept_closed_form"], rel=1e-4)
    assert 0.4 < m["r2"] < 0.5  # BMI explains under half of the variation in life expectancy
    model = dlnd.load(summary["run_dir"])
    at_20, at_30 = model.life_expectancy(np.array([20.0, 30.0]))
    assert at_30 - at_20 == pytest.approx(10 * m["slope_closed_form"], rel=1e-3)


# --------------------------------------------------------------------- student admissions
def test_admissions_features_scale_and_one_hot_rank():
    x = features(np.array([800.0, 400.0]), np.array([4.0, 3.0]), np.array([1.0, 3.0]))
    assert x.tolist() == [[1.0, 1.0, 1, 0, 0, 0], [0.5, 0.75, 0, 0, 1, 0]]
    with pytest.raises(DataError, match="rank must be 1-4"):
        features(np.array([500.0]), np.array([3.0]), np.array([5.0]))


@pytest.mark.realdata
def test_admissions_models_learn(tmp_path, require_data):
    require_data("course-small")
    summary = dlnd.run("student-admissions", epochs=60, out=tmp_path, verbose=False)
    losses = {}
    for row in runs.read_metrics(summary["run_dir"]):
        losses.setdefault(row["name"], []).append(row["value"])
    for model in ("logistic", "network"):
        curve = losses[f"{model}/train_loss"]
        assert curve[-1] < curve[0] - 0.01  # the loss goes down
        assert summary["metrics"][f"{model}_train_acc"] > 0.69  # above "reject everyone" (0.68)
    probabilities = dlnd.load(summary["run_dir"]).admit_probabilities([380, 780], [3.0, 3.9],
                                                                      [4, 1])
    assert probabilities["logistic"][1] > probabilities["logistic"][0]  # better student, rank 1


# ------------------------------------------------------------------------------- miniflow
def test_miniflow_learns_diabetes_and_draws_its_graph(tmp_path):
    summary = dlnd.run("miniflow", epochs=40, out=tmp_path, verbose=False)
    assert summary["metrics"]["test_r2"] > 0.3
    dot = (tmp_path / "miniflow").glob("*/graph.dot")
    text = next(dot).read_text()
    assert text.startswith("digraph") and "l1.weight: param" in text and "sigmoid" in text
    prediction = dlnd.load(summary["run_dir"]).progression(np.zeros((2, 10)))
    assert prediction.shape == (2,) and 50 < prediction[0] < 300  # progression units


# ---------------------------------------------------------------- mnist-mlp, overfitting
@pytest.mark.realdata
def test_mnist_mlp_classifier_names_raw_images(tmp_path, require_data):
    require_data("mnist")
    summary = dlnd.run("mnist-mlp", dataset="mnist", quick=True, out=tmp_path, verbose=False)
    assert summary["metrics"]["test_acc"] > 0.7  # 2 epochs on 3,000 digits already do this
    classifier = dlnd.load(summary["run_dir"])
    images, labels = idx.load("mnist", "test")
    names = classifier.classify(images[:200])
    assert np.mean(np.array(names) == labels[:200].astype(str)) > 0.7
    with pytest.raises(dlnd.core.errors.UsageError, match=r"\(n, 28, 28\)"):
        classifier.classify(images[:2, :10])
    files = mlp.write_test_images("mnist", tmp_path, 3)  # the same images as PNG files
    assert [p.label for p in classifier.predict(files)] == names[:3]


@pytest.mark.realdata
def test_overfitting_early_stopping_stops_its_variant_and_keeps_its_best_epoch(tmp_path,
                                                                              require_data):
    require_data("fashion-mnist")
    tiny = {"epochs": 6, "train_limit": 500, "val_size": 300, "hidden": (32,), "patience": 1,
            "lr": 1e-2}  # a high rate on few images: the validation loss soon turns up
    summary = dlnd.run("overfitting", out=tmp_path, verbose=False, **tiny)
    logged = {}
    for row in runs.read_metrics(summary["run_dir"]):
        logged.setdefault(row["name"], []).append(row["value"])
    stopped = logged["early_stopping/val_loss"]
    assert len(logged["none/val_loss"]) == 6 and len(stopped) < 6  # only that variant stopped
    best = int(np.argmin(stopped))
    assert len(stopped) == best + 1 + tiny["patience"]
    assert summary["metrics"]["early_stopping_epoch"] == best + 1

    model = dlnd.load(summary["run_dir"])
    data = mlp.load("fashion-mnist", tiny["val_size"], 0, tiny["train_limit"])
    val_loss = mlp.evaluate(model.classifiers["early_stopping"].network, data.val)[0]
    assert val_loss == pytest.approx(stopped[best], rel=1e-6)  # the best epoch's weights
