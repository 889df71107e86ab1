"""Transfer learning: get a backbone (pretrained weights, or in the offline demo pretrain one
on other classes), cache its features once, fit a linear head on them; in the demo, compare
with the same network trained from scratch on the same little data."""

from __future__ import annotations

from pathlib import Path

import torch
from torch.nn import functional as F

from dlnd.core import runs
from dlnd.projects.transfer_learning import data as transfer_data
from dlnd.projects.transfer_learning import model as transfer_model
from dlnd.projects.transfer_learning.config import TransferLearningConfig
from dlnd.shared import vision

FEATURES = "features.pt"  # the cached backbone features of the train and test images
SCRATCH_BATCH = 32  # the little target set (250 images in the demo) needs small batches


def load_data(cfg: TransferLearningConfig) -> transfer_data.TransferData:
    if cfg.data is None:
        return transfer_data.demo(cfg.per_class, cfg.seed, cfg.source_limit, cfg.test_limit)
    return transfer_data.folder(cfg.data, cfg.image_size, cfg.test_fraction, cfg.seed)


def make_net(cfg: TransferLearningConfig, data: transfer_data.TransferData, n_classes: int):
    if cfg.data is None:
        normalize = vision.Normalize.fit(data.source.images)
    else:
        normalize = vision.Normalize(transfer_model.IMAGENET_MEAN, transfer_model.IMAGENET_STD)
    return transfer_model.TransferNet(normalize, transfer_model.backbone(cfg), n_classes)


def fit_head(net: transfer_model.TransferNet, train_x: torch.Tensor, train_y: torch.Tensor,
             cfg: TransferLearningConfig) -> None:
    """Full-batch Adam on the cached features (cheap: the backbone never runs here)."""
    net.head.reset_parameters()
    optimizer = torch.optim.Adam(net.head.parameters(), lr=cfg.lr * 10)
    for _ in range(cfg.head_steps):
        loss = F.cross_entropy(net.head(train_x), train_y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


@torch.no_grad()
def extract(net: transfer_model.TransferNet, images: torch.Tensor, batch: int) -> torch.Tensor:
    net.eval()
    return torch.cat([net.features(images[i:i + batch]) for i in range(0, len(images), batch)])


def head_accuracy(net, data: transfer_data.TransferData, cfg, features_file: Path | None):
    """Test accuracy of a linear head on the frozen backbone's (cached) features."""
    if features_file is not None and features_file.exists():
        cached = torch.load(features_file, weights_only=True)
    else:
        cached = {"train": extract(net, data.train.images, cfg.batch_size),
                  "test": extract(net, data.test.images, cfg.batch_size)}
        if features_file is not None:
            torch.save(cached, features_file)
    fit_head(net, cached["train"], data.train.labels, cfg)
    with torch.no_grad():
        return vision.accuracy(net.head(cached["test"]), data.test.labels)


def train(cfg: TransferLearningConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    data = load_data(cfg)
    classes = data.train.classes
    net = make_net(cfg, data, len(classes))
    state = run.load_checkpoint()
    if state is not None:
        net.load_state_dict(state["model"])
        metrics = state["metrics"]
    else:
        metrics = prepare_backbone(cfg, run, net, data)
        run.save_checkpoint({"step": 0, "model": net.state_dict(), "metrics": metrics,
                             "classes": classes, "image_shape": tuple(data.train.images.shape[1:])})
    for phase in run.epochs(2, 1 if state is not None else 0):
        if phase == 0:  # the transfer itself: frozen features, new head
            metrics["test_acc"] = head_accuracy(net, data, cfg, run.path / FEATURES)
        elif cfg.data is None:  # the baselines on the same little data
            metrics.update(baselines(cfg, data))
            metrics["transfer_gain"] = metrics["test_acc"] - metrics["scratch_acc"]
        run.log(phase, {k: v for k, v in metrics.items() if "acc" in k})
        run.report(phase, 2, metrics)
        run.save_checkpoint({"step": phase, "model": net.state_dict(), "metrics": metrics,
                             "classes": classes, "image_shape": tuple(data.train.images.shape[1:])})
        if run.stop_requested:
            break
    return metrics, f"cpu, {torch.get_num_threads()} thread(s)"


def prepare_backbone(cfg, run, net, data) -> dict[str, float]:
    """Pretrained weights for --data; the demo pretrains on the source classes here."""
    if cfg.data is not None:
        if cfg.weights is not None:
            transfer_model.load_pretrained(net.backbone, cfg)
        else:
            run.say("no weights given: random backbone features (a pipeline test, not transfer)")
        return {}
    source_train, source_val = vision.split_off(data.source, 2000, cfg.seed)
    pretrain = transfer_model.TransferNet(net.normalize, net.backbone, len(source_train.classes))
    steps = cfg.pretrain_epochs * (len(source_train) // cfg.batch_size)
    curves = vision.train_curves(pretrain, torch.optim.Adam(pretrain.parameters(), lr=cfg.lr),
                                 source_train, source_val, steps=steps,
                                 batch_size=cfg.batch_size, seed=cfg.seed, every=steps)
    run.say(f"pretrained on {', '.join(source_train.classes)}: "
            f"{curves.val_acc[-1]:.1%} validation accuracy")
    return {"source_val_acc": curves.val_acc[-1]}


def baselines(cfg: TransferLearningConfig, data: transfer_data.TransferData) -> dict[str, float]:
    """The same network from random weights: trained end to end on the little data, and as a
    frozen random feature extractor with a trained head."""
    torch.manual_seed(cfg.seed + 1)
    scratch = make_net(cfg, data, len(data.train.classes))
    random_features = head_accuracy(scratch, data, cfg, None)
    steps = cfg.scratch_epochs * max(len(data.train) // SCRATCH_BATCH, 1)
    vision.train_curves(scratch, torch.optim.Adam(scratch.parameters(), lr=cfg.lr), data.train,
                        data.test, steps=steps, batch_size=SCRATCH_BATCH, seed=cfg.seed,
                        every=steps)
    scratch_acc = vision.accuracy(vision.predict_logits(scratch, data.test.images),
                                  data.test.labels)
    return {"scratch_acc": scratch_acc, "random_features_acc": random_features}


class TransferClassifier:
    def __init__(self, net: transfer_model.TransferNet, classes, image_shape):
        self.net, self.classes, self.image_shape = net, classes, image_shape

    def probabilities(self, images: torch.Tensor) -> torch.Tensor:
        return vision.predict_logits(self.net, images).softmax(1)


def load(run_dir: Path) -> TransferClassifier:
    state = runs.trained_state(run_dir)
    cfg = runs.saved_config(run_dir, TransferLearningConfig)
    weights = state["model"]
    normalize = vision.Normalize(weights["normalize.mean"], weights["normalize.std"])
    net = transfer_model.TransferNet(normalize, transfer_model.backbone(cfg),
                                     len(state["classes"]))
    net.load_state_dict(weights)
    return TransferClassifier(net, state["classes"], state["image_shape"])


def predict(run_dir: Path, inputs: list[str]) -> list[str]:
    """Top-3 classes with probabilities for each image file."""
    classifier = load(run_dir)
    images = vision.read_images(inputs, classifier.image_shape)
    return vision.top3_lines(inputs, classifier.probabilities(images), classifier.classes)
