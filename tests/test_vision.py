"""dlnd.shared.vision and the image projects: readers, batch augmentation, architectures,
learning, predict, DDP, the batch-norm and weight-init lessons and transfer learning (the run
lifecycle and SIGKILL resume of each are checked in test_contract.py)."""

import io
import pickle
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest
import torch

import dlnd
from dlnd import projects
from dlnd.core import runs
from dlnd.core.errors import DataError
from dlnd.core.project import Prediction
from dlnd.shared.vision import augment, models
from dlnd.shared.vision import data as vision_data

TINY = {"dataset": "fashion-mnist", "train_limit": 2048, "val_size": 500, "test_limit": 1000,
        "widths": (8, 16, 32), "batch_size": 64, "epochs": 3, "threads": 1}


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """One small Fashion-MNIST run, shared by the tests that compare against it."""
    from dlnd.core import datasets

    if not all(s.path is not None for s in datasets.status("fashion-mnist", check=False)):
        pytest.skip("real data 'fashion-mnist' not found (set DLND_DATA_DIR)")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DLND_CACHE", str(tmp_path_factory.mktemp("cache")))
        mp.setenv("DLND_OFFLINE", "1")
        return dlnd.run("image-classification", out=tmp_path_factory.mktemp("tiny"),
                        verbose=False, **TINY)


def cifar_records(labels, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (len(labels), 3, 32, 32), dtype=np.uint8)
    raw = b"".join(bytes([label]) + image.tobytes()
                   for label, image in zip(labels, images, strict=True))
    return raw, images


def test_cifar_binary_records_are_read_plane_by_plane():
    raw, images = cifar_records([3, 9, 0])
    got, labels = vision_data.read_cifar_binary(raw)
    assert labels.tolist() == [3, 9, 0]
    assert np.array_equal(got, images)
    with pytest.raises(DataError, match="whole number of 3073-byte"):
        vision_data.read_cifar_binary(raw[:-1])


def test_cifar_python_tarball_is_read_without_extracting(tmp_path):
    path = tmp_path / "cifar-10-python.tar.gz"
    rng = np.random.default_rng(1)
    expected = {}
    with tarfile.open(path, "w:gz") as tar:
        for name in vision_data.CIFAR_PICKLES["train"] + vision_data.CIFAR_PICKLES["test"]:
            data = rng.integers(0, 256, (4, 3072), dtype=np.uint8)
            labels = rng.integers(0, 10, 4).tolist()
            expected[name] = (data, labels)
            blob = pickle.dumps({b"data": data, b"labels": labels})
            info = tarfile.TarInfo(name)
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    images, labels = vision_data.read_cifar_tarball(path, "train")
    assert images.shape == (20, 3, 32, 32)
    first = expected["cifar-10-batches-py/data_batch_1"]
    assert np.array_equal(images[:4].reshape(4, -1), first[0])
    assert labels[:4].tolist() == first[1]
    test_images, _ = vision_data.read_cifar_tarball(path, "test")
    assert np.array_equal(test_images.reshape(4, -1),
                          expected["cifar-10-batches-py/test_batch"][0])


@pytest.mark.realdata
def test_cifar10_sample_loads_as_uint8_tensors(require_data):
    require_data("cifar10-sample")
    train = vision_data.load("cifar10-sample", "train")
    test = vision_data.load("cifar10-sample", "test")
    assert train.images.shape == (2000, 3, 32, 32) and train.images.dtype == torch.uint8
    assert len(test) == 1000 and train.classes[0] == "airplane" and train.classes[9] == "truck"
    # The sample's labels are the first 2,000 of the full training set's label list.
    from dlnd.core import datasets

    all_labels = datasets.read_text(datasets.path("cifar10-sample", "train_labels_all50000.txt"))
    assert train.labels.tolist() == [int(v) for v in all_labels.split()[:2000]]


def test_translate_moves_content_by_at_most_pad_and_flip_mirrors():
    images = torch.zeros(64, 1, 8, 8, dtype=torch.uint8)
    images[:, 0, 4, 3] = 255
    gen = torch.Generator().manual_seed(0)
    shifted = augment.random_translate(images, 2, gen)
    assert shifted.dtype == torch.uint8 and shifted.shape == images.shape
    where = torch.nonzero(shifted[:, 0] == 255)
    assert len(where) == 64  # a pixel 2 from every edge never leaves the image
    rows, cols = where[:, 1], where[:, 2]
    assert (rows - 4).abs().max() == 2 and (cols - 3).abs().max() == 2
    assert len(set(zip(rows.tolist(), cols.tolist(), strict=True))) > 15  # most of 25 shifts
    assert torch.equal(augment.random_translate(images, 0, gen), images)
    flipped = augment.random_flip(images, gen)
    mirrored = (flipped[:, 0, 4, 8 - 1 - 3] == 255)
    assert 10 < int(mirrored.sum()) < 54
    assert torch.equal(flipped[mirrored], images[mirrored].flip(3))


def test_resize_scales_whole_batches_keeping_dtype_and_layout():
    images = torch.zeros(4, 1, 28, 28, dtype=torch.uint8)
    images[:, :, :14] = 200  # top half bright
    images = images.contiguous(memory_format=torch.channels_last)
    small = augment.resize(images, 20)
    assert small.shape == (4, 1, 20, 20) and small.dtype == torch.uint8
    assert small.is_contiguous(memory_format=torch.channels_last)
    assert (small[:, :, :9] == 200).all() and (small[:, :, 11:] == 0).all()  # blended at 10
    assert augment.resize(images, 28) is images  # full size: untouched
    colour = torch.rand(2, 3, 32, 32).contiguous(memory_format=torch.channels_last)
    assert augment.resize(colour, 20).is_contiguous(memory_format=torch.channels_last)
    assert augment.resize(torch.rand(2, 3, 32, 32), 20).is_contiguous()


def test_architectures_match_torchvision_layouts():
    with torch.device("meta"):  # shapes only: no memory, no init time
        resnet = models.ResNet()
        vgg = models.VGG()
    # Parameter counts of torchvision's resnet18() and vgg16().
    assert sum(p.numel() for p in resnet.parameters()) == 11_689_512
    assert sum(p.numel() for p in vgg.parameters()) == 138_357_544
    keys = set(resnet.state_dict())
    assert {"conv1.weight", "bn1.running_var", "layer1.0.conv1.weight",
            "layer2.0.downsample.0.weight", "layer4.1.bn2.bias", "fc.weight"} <= keys
    assert {"features.0.weight", "features.28.weight", "classifier.6.bias"} <= set(
        vgg.state_dict())
    small = models.ResNet(num_classes=5, width=8, small_input=True)
    assert small(torch.zeros(2, 3, 32, 32)).shape == (2, 5)


def top_scores_are_ranked_probabilities(prediction):
    scores = list(prediction.scores.values())
    return (len(scores) == 3 and scores == sorted(scores, reverse=True) and sum(scores) <= 1.0001
            and prediction.probability == scores[0]
            and prediction.label == next(iter(prediction.scores)))


@pytest.mark.realdata
@pytest.mark.slow
def test_classifier_learns_and_predicts_image_files(tiny_run, tmp_path):
    metrics = tiny_run["metrics"]
    assert metrics["val_acc"] > 0.6 and metrics["test_acc"] > 0.6  # chance is 0.1
    assert tiny_run["passed"]
    run_dir = Path(tiny_run["run_dir"])
    assert (run_dir / "test_confusion_matrix.png").exists()
    assert (run_dir / "test_misclassified.png").exists()
    sides = [r["value"] for r in runs.read_metrics(run_dir) if r["name"] == "train/side"]
    assert sides == [20, 28, 28]  # progressive resizing: 55% of 3 epochs, rounded down, small

    test = vision_data.load("fashion-mnist", "test")
    paths = vision_data.write_images(test.images[:2], tmp_path)
    model = dlnd.load(run_dir)
    assert model.project == "image-classification" and model.config.widths == TINY["widths"]
    answers = model.predict(paths)
    assert [a.input for a in answers] == paths
    assert all(isinstance(a, Prediction) and top_scores_are_ranked_probabilities(a)
               for a in answers)
    assert str(answers[0]).startswith(f"{paths[0]}: {answers[0].label} (")
    direct = model.probabilities(test.images[:2])  # PNG files hold the same pixels
    assert abs(direct[0].max().item() - answers[0].probability) < 1e-6


@pytest.mark.realdata
@pytest.mark.slow
def test_ddp_two_processes_agree_and_match_one(tiny_run, tmp_path):
    settings = [f"--set={k}={','.join(map(str, v)) if isinstance(v, tuple) else v}"
                for k, v in TINY.items()]
    torchrun = Path(sys.executable).with_name("torchrun")
    done = subprocess.run([str(torchrun), "--standalone", "--nproc_per_node", "2", "-m", "dlnd",
                           "run", "image-classification", "--out", str(tmp_path / "ddp"),
                           *settings], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    run_dirs = [*(tmp_path / "ddp" / "image-classification").iterdir(),
                *(tmp_path / "ddp" / ".ranks" / "rank1" / "image-classification").iterdir()]
    assert len(run_dirs) == 2  # rank 0's record where users look, rank 1's out of sight
    config_cls = projects.get("image-classification").config
    trained = [runs.Trained(d, config_cls) for d in run_dirs]
    states = [t.weights("model") for t in trained]
    params = [k for k in states[0] if "running" not in k and "num_batches" not in k]
    for key in params:  # batch-norm running statistics are per process; the weights are shared
        assert torch.equal(states[0][key], states[1][key]), key
    # One batch order for all; each process draws the augmentation of its own share.
    assert torch.equal(*(t.state["order_rng"] for t in trained))
    assert not torch.equal(*(t.state["augment_rng"] for t in trained))
    import json

    two = json.loads((run_dirs[0] / "summary.json").read_text())
    assert "2 processes" in two["device"]
    assert abs(two["metrics"]["test_acc"] - tiny_run["metrics"]["test_acc"]) < 0.05


@pytest.mark.realdata
def test_batch_norm_rescues_the_large_learning_rate(require_data, tmp_path):
    require_data("mnist")
    summary = dlnd.run("batch-norm", out=tmp_path, verbose=False, activations=("relu",),
                       learning_rates=(1.0,), steps=200, eval_every=50, val_size=500)
    metrics = summary["metrics"]
    assert metrics["relu_lr1_bn_acc"] > 0.85
    assert metrics["relu_lr1_plain_acc"] < 0.5
    run_dir = Path(summary["run_dir"])
    assert (run_dir / "curves_val_acc.png").exists()
    assert "with it" in (run_dir / "results.md").read_text()
    assert len(list((run_dir / "tensorboard").iterdir())) == 2
    found = dlnd.load(run_dir)  # each network's accuracy and curves, in training order
    assert found.project == "batch-norm" and found.config.steps == 200
    assert list(found.accuracy) == ["relu_lr1_plain", "relu_lr1_bn"]
    assert found.accuracy["relu_lr1_bn"] == metrics["relu_lr1_bn_acc"]
    assert found.curves["relu_lr1_bn"].steps == [50, 100, 150, 200]


@pytest.mark.realdata
def test_weight_init_zeros_never_learns_and_he_does(require_data, tmp_path):
    require_data("mnist")
    summary = dlnd.run("weight-init", out=tmp_path, verbose=False,
                       schemes=("zeros", "uniform_0_1", "he"), epochs=1, train_limit=3000,
                       val_size=500, eval_every=10)
    metrics = summary["metrics"]
    assert metrics["zeros_acc"] < 0.2
    assert metrics["he_acc"] > 0.8
    assert metrics["he_acc"] > metrics["uniform_0_1_acc"] + 0.2
    tb_runs = {p.name for p in (Path(summary["run_dir"]) / "tensorboard").iterdir()}
    assert tb_runs == {"zeros", "uniform_0_1", "he"}
    assert dlnd.load(summary["run_dir"]).accuracy == {
        name: metrics[f"{name}_acc"] for name in ("zeros", "uniform_0_1", "he")}


@pytest.mark.realdata
def test_transfer_beats_scratch_on_little_data_and_predicts_folder_images(require_data,
                                                                          tmp_path):
    require_data("fashion-mnist")
    summary = dlnd.run("transfer-learning", out=tmp_path, verbose=False, pretrain_epochs=1,
                       source_limit=6000, test_limit=1000, width=8, head_steps=100,
                       scratch_epochs=5, threads=1)
    metrics = summary["metrics"]
    assert metrics["test_acc"] > metrics["scratch_acc"] + 0.05
    assert metrics["test_acc"] > metrics["random_features_acc"] + 0.05
    logged = [(m["step"], m["value"]) for m in runs.read_metrics(summary["run_dir"])
              if m["name"] == "test/acc"]  # one epoch per approach
    assert logged == [(0, metrics["test_acc"]), (1, metrics["random_features_acc"]),
                      (2, metrics["scratch_acc"])]

    # Any folder of class subfolders is a dataset (random backbone weights: a pipeline test).
    from PIL import Image

    rng = np.random.default_rng(0)
    for name, level in (("dark", 40), ("light", 210)):
        (tmp_path / "photos" / name).mkdir(parents=True)
        for i in range(6):
            pixels = np.clip(rng.normal(level, 20, (20, 24, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(pixels).save(tmp_path / "photos" / name / f"{i}.png")
    folder = dlnd.run("transfer-learning", out=tmp_path, verbose=False,
                      data=str(tmp_path / "photos"), image_size=32, head_steps=100,
                      test_fraction=0.34, threads=1)
    assert folder["metrics"]["test_acc"] == 1.0  # brightness survives even random features
    (answer,) = dlnd.load(folder["run_dir"]).predict([str(tmp_path / "photos" / "light" / "0.png")])
    assert answer.label == "light" and list(answer.scores) == ["light", "dark"]


@pytest.mark.realdata
@pytest.mark.slow
def test_classifier_pipeline_on_the_cifar10_sample(require_data, tmp_path):
    require_data("cifar10-sample")
    summary = dlnd.run("image-classification", out=tmp_path, verbose=False,
                       dataset="cifar10-sample", val_size=200, test_limit=300,
                       widths=(16, 32, 64), batch_size=64, epochs=4, threads=1)
    assert summary["metrics"]["test_acc"] > 0.2  # chance is 0.1; 1,800 images, 4 epochs
    model = dlnd.load(summary["run_dir"])
    assert model.image_shape == (3, 32, 32) and model.classes[3] == "cat"
    test = vision_data.load("cifar10-sample", "test")
    (path,) = vision_data.write_images(test.images[:1], tmp_path, "colour")
    (answer,) = model.predict([path])
    assert top_scores_are_ranked_probabilities(answer)
    assert answer.label == model.classes[int(model.probabilities(test.images[:1]).argmax())]
