"""Transfer learning: get a backbone (pretrained weights, or in the offline demo pretrain one
on other classes), extract its features once, fit a linear head on them; in the demo, compare
with the same network without pretraining on the same little data.

Each approach compared is one epoch of the run: the transfer itself, then (demo) a head on
frozen random features and the network trained end to end from those random weights."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import torch
from torch.nn import functional as F

from dlnd.core import runs, torch_common
from dlnd.projects.transfer_learning import data as transfer_data
from dlnd.projects.transfer_learning import model as transfer_model
from dlnd.projects.transfer_learning.config import TransferLearningConfig
from dlnd.shared import plots
from dlnd.shared.vision import data as vision_data
from dlnd.shared.vision import evaluate, lessons, models
from dlnd.shared.vision.classifier import ImageClassifier

PROJECT_NAME = "transfer-learning"
SCRATCH_BATCH = 32  # the little target set (250 images in the demo) needs small batches
SOURCE_VAL_SIZE = 2000  # demo: source images held out to report the pretraining's accuracy
EXAMPLES = 3  # test images example_inputs writes
CURVE_POINTS = 8  # points on each learning curve (pretraining, scratch)
CURVE_IMAGES = 500  # images each point of a curve is scored on
# What each approach's test accuracy is called in the summary.
ACCURACY_NAMES = {"transfer": "test_acc", "random_features": "random_features_acc",
                  "scratch": "scratch_acc"}


class Found:
    """The summary's numbers as far as the run has come (tracked: a resumed run keeps them)."""

    def __init__(self):
        self.metrics: dict[str, float] = {}

    def state_dict(self) -> dict[str, Any]:
        return {"metrics": dict(self.metrics)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.metrics = dict(state["metrics"])


def load_data(cfg: TransferLearningConfig) -> transfer_data.TransferData:
    if cfg.data is None:
        return transfer_data.demo(cfg.per_class, cfg.seed, cfg.source_limit, cfg.test_limit)
    return transfer_data.folder(cfg.data, cfg.image_size, cfg.test_fraction, cfg.seed)


def make_net(cfg: TransferLearningConfig, data: transfer_data.TransferData, n_classes: int):
    if cfg.data is None:
        normalize = vision_data.Normalize.fit(data.source.images)
    else:
        normalize = vision_data.Normalize(models.IMAGENET_MEAN, models.IMAGENET_STD)
    return transfer_model.TransferNet(normalize, transfer_model.backbone(cfg), n_classes)


def fit_head(net: transfer_model.TransferNet, train_x: torch.Tensor, train_y: torch.Tensor,
             cfg: TransferLearningConfig) -> None:
    """Full-batch Adam on the extracted features (cheap: the backbone never runs here)."""
    net.head.reset_parameters()
    optimizer = torch.optim.Adam(net.head.parameters(), lr=cfg.lr * 10)
    for _ in range(cfg.head_steps):
        loss = F.cross_entropy(net.head(train_x), train_y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


@torch.no_grad()
def extract(net: transfer_model.TransferNet, images: torch.Tensor, batch: int,
            device: torch.device) -> torch.Tensor:
    net.eval()
    return torch.cat([net.features(images[i:i + batch].to(device))
                      for i in range(0, len(images), batch)])


def head_accuracy(net: transfer_model.TransferNet, data: transfer_data.TransferData,
                  cfg: TransferLearningConfig, device: torch.device) -> float:
    """Test accuracy of a linear head fitted on the frozen backbone's features, which are
    extracted once per image."""
    train_x = extract(net, data.train.images, cfg.batch_size, device)
    test_x = extract(net, data.test.images, cfg.batch_size, device)
    fit_head(net, train_x, data.train.labels.to(device), cfg)
    with torch.no_grad():
        return evaluate.accuracy(net.head(test_x).cpu(), data.test.labels)


def train(cfg: TransferLearningConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    ts = torch_common.setup(cfg, run)
    data = load_data(cfg)
    classes = data.train.classes
    net = make_net(cfg, data, len(classes)).to(ts.device)
    found = Found()
    learned = lessons.Comparison(PROJECT_NAME, cfg)  # the learning curves, for the pictures
    run.track(model=net, found=found, learned=learned)
    approaches = ["transfer"]
    if cfg.data is None:  # the demo's baselines: the same network without pretraining
        approaches += ["random_features", "scratch"]
        scratch = copy.deepcopy(net)  # its random weights are drawn in its first epoch
        run.track(scratch=scratch)
    run.keep(classes=list(classes), image_shape=list(data.train.images.shape[1:]))

    for epoch in run.epochs(len(approaches)):
        approach = approaches[epoch]
        if approach == "transfer":  # frozen (pretrained) features, new head
            metrics, curves = prepare_backbone(cfg, run, net, data, ts.device)
            found.metrics.update(metrics)
            if curves is not None:
                learned.add("pretraining (source classes, validation)",
                            metrics["source_val_acc"], curves)
            accuracy = head_accuracy(net, data, cfg, ts.device)
        elif approach == "random_features":  # a head on frozen random features
            torch.manual_seed(cfg.seed + 1)
            scratch.load_state_dict(make_net(cfg, data, len(classes)).state_dict())
            accuracy = head_accuracy(scratch, data, cfg, ts.device)
        else:  # "scratch": the whole network trained end to end on the little data
            steps = cfg.scratch_epochs * max(len(data.train) // SCRATCH_BATCH, 1)
            curves = lessons.train_curves(
                scratch, torch.optim.Adam(scratch.parameters(), lr=cfg.lr), data.train,
                first(data.test, CURVE_IMAGES), steps=steps, batch_size=SCRATCH_BATCH,
                seed=cfg.seed, every=max(steps // CURVE_POINTS, 1), device=ts.device)
            accuracy = evaluate.accuracy(
                evaluate.predict_logits(scratch, data.test.images, device=ts.device),
                data.test.labels)
            learned.add("from scratch (new classes, test)", accuracy, curves)
        found.metrics[ACCURACY_NAMES[approach]] = accuracy
        run.log(epoch, {"test/acc": accuracy})
        run.report(epoch, len(approaches), {approach: accuracy})

    final = dict(found.metrics)
    if "scratch_acc" in final:
        final["transfer_gain"] = final["test_acc"] - final["scratch_acc"]
    run.log(len(approaches), {f"final/{k}": v for k, v in final.items()})
    plot(run, {approach: found.metrics[ACCURACY_NAMES[approach]] for approach in approaches
               if ACCURACY_NAMES[approach] in found.metrics}, learned)
    return final, ts.describe()


def first(images: vision_data.ImageSet, n: int) -> vision_data.ImageSet:
    return images.subset(torch.arange(min(n, len(images))))


def plot(run: runs.Run, accuracy: dict[str, float], learned: lessons.Comparison) -> None:
    """Test accuracy of each approach, and the curves of the networks trained here."""
    names = {"transfer": "pretrained features\n+ new head", "random_features":
             "random features\n+ new head", "scratch": "whole network\nfrom scratch"}
    plots.bars(run, "test_accuracy", {names[k]: v for k, v in accuracy.items()},
               title="Test accuracy on the new classes", xlabel="test accuracy")
    if learned.curves:
        lessons.plot_curves(run, "curves/train_loss", learned.curves, "train_loss",
                            title="Training loss")
        lessons.plot_curves(run, "curves/val_acc", learned.curves, "val_acc",
                            title=f"Accuracy (each point on {CURVE_IMAGES} images)")


def prepare_backbone(cfg: TransferLearningConfig, run: runs.Run,
                     net: transfer_model.TransferNet, data: transfer_data.TransferData,
                     device: torch.device) -> tuple[dict[str, float], lessons.Curves | None]:
    """Pretrained weights for --data; the demo pretrains on the source classes here (and
    returns its learning curves too)."""
    if cfg.data is not None:
        if cfg.weights is not None:
            models.load_torchvision_weights(net.backbone, cfg.backbone, cfg.weights)
        else:
            run.say("no weights given: random backbone features (a pipeline test, not transfer)")
        return {}, None
    source_train, source_val = vision_data.split_off(data.source, SOURCE_VAL_SIZE, cfg.seed)
    pretrain = transfer_model.TransferNet(net.normalize, net.backbone,
                                          len(source_train.classes)).to(device)
    steps = cfg.pretrain_epochs * (len(source_train) // cfg.batch_size)
    curves = lessons.train_curves(pretrain, torch.optim.Adam(pretrain.parameters(), lr=cfg.lr),
                                  source_train, first(source_val, CURVE_IMAGES), steps=steps,
                                  batch_size=cfg.batch_size, seed=cfg.seed,
                                  every=max(steps // CURVE_POINTS, 1), device=device)
    val_acc = evaluate.accuracy(evaluate.predict_logits(pretrain, source_val.images,
                                                        device=device), source_val.labels)
    run.say(f"pretrained on {', '.join(source_train.classes)}: "
            f"{val_acc:.1%} validation accuracy")
    return {"source_val_acc": val_acc}, curves


def load(run_dir: Path) -> ImageClassifier:
    """The backbone with its fitted head, on the CPU, as an :class:`ImageClassifier`."""
    trained = runs.Trained(run_dir, TransferLearningConfig)
    weights = trained.weights("model")
    kept = trained.artifacts
    normalize = vision_data.Normalize(weights["normalize.mean"], weights["normalize.std"])
    net = transfer_model.TransferNet(normalize, transfer_model.backbone(trained.config),
                                     len(kept["classes"]))
    net.load_state_dict(weights)
    return ImageClassifier(PROJECT_NAME, trained.config, net, kept["classes"],
                           kept["image_shape"],  # the demo's images are Fashion-MNIST's
                           light_on_dark=trained.config.data is None)


def example_inputs(folder: Path) -> list[str]:
    """The first test images of the demo's new classes, as PNG files in ``folder``."""
    test = transfer_data.relabel(vision_data.load("fashion-mnist", "test"),
                                 transfer_data.TARGET_CLASSES)
    return vision_data.write_images(test.images[:EXAMPLES], folder, "test")
