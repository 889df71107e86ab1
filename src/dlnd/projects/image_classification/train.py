"""Train the conv net with SGD + one-cycle, label smoothing and batch augmentation; test with
flip averaging. Under ``torchrun`` each process trains on its share of every batch (DDP)."""

from __future__ import annotations

import contextlib
import math
import os
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from dlnd.core import runs
from dlnd.core.errors import DataError, UsageError
from dlnd.core.torch_common import resolve_device
from dlnd.projects.image_classification import data as image_data
from dlnd.projects.image_classification.config import ImageClassificationConfig
from dlnd.projects.image_classification.model import ConvNet
from dlnd.shared import vision

MISCLASSIFIED_SHOWN = 24


def distributed(device: str) -> tuple[int, int]:
    """(rank, world size): joins the process group when started by torchrun, else (0, 1)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1:
        return 0, 1
    import torch.distributed as dist

    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.startswith("cuda") else "gloo")
    return dist.get_rank(), world


def learning_rate(cfg: ImageClassificationConfig, step: int, total: int) -> float:
    """One-cycle: linear warm-up to ``lr`` over ``warmup`` of the steps, then linear to 0."""
    peak = max(round(cfg.warmup * total), 1)
    if step < peak:
        return cfg.lr * (step + 1) / peak
    return cfg.lr * max(total - step, 0) / max(total - peak, 1)


def make_optimizer(model: nn.Module, cfg: ImageClassificationConfig) -> torch.optim.SGD:
    decayed = [p for p in model.parameters() if p.ndim > 1]
    others = [p for p in model.parameters() if p.ndim <= 1]
    return torch.optim.SGD([{"params": decayed, "weight_decay": cfg.weight_decay},
                            {"params": others, "weight_decay": 0.0}],
                           lr=cfg.lr, momentum=0.9, nesterov=True)


def train(cfg: ImageClassificationConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    device = resolve_device(cfg.device)
    rank, world = distributed(device)
    if world > 1 and device == "cuda":
        device = f"cuda:{int(os.environ.get('LOCAL_RANK', rank))}"
    if cfg.batch_size % world:
        raise UsageError(f"batch_size {cfg.batch_size} does not split over {world} processes")
    torch.manual_seed(cfg.seed)
    data = image_data.load(cfg)
    layout = torch.channels_last if cfg.channels_last else torch.contiguous_format
    model = ConvNet(vision.Normalize.fit(data.train.images), cfg.widths,
                    len(data.train.classes)).to(device, memory_format=layout)
    optimizer = make_optimizer(model, cfg)
    # The batch order is the same in every process; each then augments its own share.
    order_gen = torch.Generator().manual_seed(cfg.seed)
    augment_gen = torch.Generator(device=device).manual_seed(cfg.seed * 1000 + rank)
    start = 0
    state = run.load_checkpoint()
    if state is not None:
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        order_gen.set_state(state["order_rng"])
        augment_gen.set_state(state["augment_rng"].to(augment_gen.get_state().device))
        start = state["step"] + 1
    steps_per_epoch = len(data.train) // cfg.batch_size
    if steps_per_epoch == 0:
        raise DataError(f"{len(data.train)} training images make no batch of {cfg.batch_size}")
    net = model
    if world > 1:
        net = nn.parallel.DistributedDataParallel(model)
    if cfg.compile and device.startswith("cuda"):
        net = torch.compile(net)
    images = data.train.images.to(device).contiguous(memory_format=layout)
    labels = data.train.labels.to(device)
    val_images = data.val.images.to(device)
    run.say(f"{cfg.dataset}: {len(data.train)} training, {len(data.val)} validation, "
            f"{len(data.test)} test images; {sum(p.numel() for p in model.parameters()):,} "
            f"parameters; {device}, {world} process(es), {torch.get_num_threads()} thread(s)")

    total_steps = cfg.epochs * steps_per_epoch
    share = cfg.batch_size // world
    autocast = torch.autocast("cuda", dtype=torch.bfloat16) if device.startswith("cuda") \
        else contextlib.nullcontext()
    epochs_done = start
    for epoch in run.epochs(cfg.epochs, start):
        epochs_done = epoch + 1
        model.train()
        order = torch.randperm(len(images), generator=order_gen).to(device)
        loss_sum = torch.zeros((), device=device)
        for b in range(steps_per_epoch):
            step = epoch * steps_per_epoch + b
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(cfg, step, total_steps)
            idx = order[b * cfg.batch_size:(b + 1) * cfg.batch_size][rank * share:
                                                                     (rank + 1) * share]
            batch = vision.augment(images[idx], cfg.translate, data.flip, augment_gen)
            with autocast:
                loss = F.cross_entropy(net(batch), labels[idx],
                                       label_smoothing=cfg.label_smoothing)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            loss_sum += loss.detach()
        val_logits = vision.predict_logits(model, val_images, flip_tta=data.flip, device=device)
        metrics = {"train/loss": float(loss_sum) / steps_per_epoch,
                   "val/loss": float(F.cross_entropy(val_logits, data.val.labels)),
                   "val/acc": vision.accuracy(val_logits, data.val.labels),
                   "train/lr": learning_rate(cfg, step, total_steps)}
        run.log(epoch, metrics)
        run.report(epoch, cfg.epochs, metrics)
        run.save_checkpoint({"step": epoch, "model": model.state_dict(),
                             "optimizer": optimizer.state_dict(),
                             "order_rng": order_gen.get_state(),
                             "augment_rng": augment_gen.get_state().cpu(),
                             "classes": data.train.classes, "flip": data.flip,
                             "image_shape": tuple(images.shape[1:])})
        if run.stop_requested:
            break

    val_logits = vision.predict_logits(model, val_images, flip_tta=data.flip, device=device)
    test_logits = vision.predict_logits(model, data.test.images, flip_tta=data.flip,
                                        device=device)
    val_acc = vision.accuracy(val_logits, data.val.labels)
    test_acc = vision.accuracy(test_logits, data.test.labels)
    final = {"val_acc": val_acc, "test_acc": test_acc, "val_test_gap": abs(val_acc - test_acc),
             "test_loss": float(F.cross_entropy(test_logits, data.test.labels)),
             # over the whole run (loading and evaluation included), as a user waits for it
             "train_images_per_s": len(images) * epochs_done / max(run.wall_s(), 1e-9)}
    run.log(cfg.epochs, {f"final/{k}": v for k, v in final.items()})
    plot_results(run, data.test, test_logits.argmax(1))
    threads = "" if device.startswith("cuda") else f", {torch.get_num_threads()} thread(s)"
    return final, f"{device}{threads}" + (f", {world} processes" if world > 1 else "")


def plot_results(run: runs.Run, test: vision.ImageSet, predicted: torch.Tensor) -> None:
    """The confusion matrix and a grid of misclassified test images."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(test.classes)
    counts = vision.confusion(predicted, test.labels, n).numpy()
    fig, ax = plt.subplots(figsize=(7, 6))
    ax.imshow(counts, cmap="Blues")
    for (i, j), value in zip(((i, j) for i in range(n) for j in range(n)), counts.flat,
                             strict=True):
        ax.text(j, i, str(value), ha="center", va="center", fontsize=7,
                color="white" if value > counts.max() / 2 else "black")
    ax.set_xticks(range(n), test.classes, rotation=45, ha="right")
    ax.set_yticks(range(n), test.classes)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("Test confusion matrix")
    run.log_figure("test/confusion_matrix", fig)
    plt.close(fig)

    wrong = torch.nonzero(predicted != test.labels).flatten()[:MISCLASSIFIED_SHOWN]
    cols = 8
    rows = max(math.ceil(len(wrong) / cols), 1)
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.4, rows * 1.7), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong.tolist(), strict=False):
        image = test.images[i].permute(1, 2, 0).numpy()
        ax.imshow(image[:, :, 0] if image.shape[2] == 1 else image, cmap="gray")
        ax.set_title(f"{test.classes[int(predicted[i])]}\n(true {test.classes[test.labels[i]]})",
                     fontsize=7)
    fig.suptitle("Misclassified test images: predicted (true)")
    run.log_figure("test/misclassified", fig)
    plt.close(fig)


class ImageClassifier:
    """A trained net with its class names; takes uint8 images shaped ``image_shape``."""

    def __init__(self, model: ConvNet, classes: tuple[str, ...], flip: bool,
                 image_shape: tuple[int, int, int]):
        self.model, self.classes, self.flip = model, classes, flip
        self.image_shape = image_shape  # (channels, height, width)

    def probabilities(self, images: torch.Tensor) -> torch.Tensor:
        return vision.predict_logits(self.model, images, flip_tta=self.flip).softmax(1)


def load(run_dir: Path) -> ImageClassifier:
    state = runs.trained_state(run_dir)
    cfg = runs.saved_config(run_dir, ImageClassificationConfig)
    weights = state["model"]
    normalize = vision.Normalize(weights["normalize.mean"], weights["normalize.std"])
    model = ConvNet(normalize, cfg.widths, len(state["classes"]))
    model.load_state_dict(weights)
    return ImageClassifier(model, state["classes"], state["flip"], state["image_shape"])


def predict(run_dir: Path, inputs: list[str]) -> list[str]:
    """Top-3 classes with probabilities for each image file."""
    classifier = load(run_dir)
    images = vision.read_images(inputs, classifier.image_shape)
    return vision.top3_lines(inputs, classifier.probabilities(images), classifier.classes)
