"""Train the conv net with SGD + one-cycle, label smoothing and batch augmentation; test with
flip averaging. Under ``torchrun`` each process trains on its share of every batch (DDP)."""

from __future__ import annotations

import math
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from dlnd.core import runs, torch_common
from dlnd.core.errors import DataError
from dlnd.projects.image_classification import data as image_data
from dlnd.projects.image_classification.config import ImageClassificationConfig
from dlnd.projects.image_classification.model import ConvNet
from dlnd.shared import plots
from dlnd.shared.vision import augment, evaluate
from dlnd.shared.vision import data as vision_data
from dlnd.shared.vision.classifier import ImageClassifier

PROJECT_NAME = "image-classification"
MISCLASSIFIED_SHOWN = 24
EXAMPLES = 3  # test images example_inputs writes


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
    ts = torch_common.setup(cfg, run)
    data = image_data.load(cfg)
    layout = torch.channels_last if cfg.channels_last else torch.contiguous_format
    model = ConvNet(vision_data.Normalize.fit(data.train.images), cfg.widths,
                    len(data.train.classes)).to(ts.device, memory_format=layout)
    optimizer = make_optimizer(model, cfg)
    # The batch order is the same in every process; each then augments its own share.
    order_rng = torch.Generator().manual_seed(cfg.seed)
    augment_rng = torch.Generator(device=ts.device).manual_seed(cfg.seed * 1000 + ts.rank)
    epochs_done = run.track(model=model, optimizer=optimizer, order_rng=order_rng,
                            augment_rng=augment_rng)
    images = data.train.images.to(ts.device).contiguous(memory_format=layout)
    run.keep(classes=list(data.train.classes), flip=data.flip,
             image_shape=list(images.shape[1:]))
    steps_per_epoch = len(data.train) // cfg.batch_size
    if steps_per_epoch == 0:
        raise DataError(f"{len(data.train)} training images make no batch of {cfg.batch_size}")
    net = ts.wrap(model, compile=cfg.compile)
    labels = data.train.labels.to(ts.device)
    val_images = data.val.images.to(ts.device)
    run.say(f"{cfg.dataset}: {len(data.train)} training, {len(data.val)} validation, "
            f"{len(data.test)} test images; {sum(p.numel() for p in model.parameters()):,} "
            f"parameters; {ts.describe()}")

    total_steps = cfg.epochs * steps_per_epoch
    low_res_epochs = int(cfg.low_res_share * cfg.epochs)
    for epoch in run.epochs(cfg.epochs):
        epochs_done = epoch + 1
        # progressive resizing: the first epochs on smaller images, the rest at full size
        side = min(cfg.low_res_side, images.shape[-1]) if epoch < low_res_epochs else \
            images.shape[-1]
        model.train()
        order = torch.randperm(len(images), generator=order_rng).to(ts.device)
        loss_sum = torch.zeros((), device=ts.device)
        for b in range(steps_per_epoch):
            step = epoch * steps_per_epoch + b
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(cfg, step, total_steps)
            idx = ts.share(order[b * cfg.batch_size:(b + 1) * cfg.batch_size])
            batch = augment.resize(augment.augment(images[idx], cfg.translate, data.flip,
                                                   augment_rng), side)
            with ts.autocast():
                loss = F.cross_entropy(net(batch), labels[idx],
                                       label_smoothing=cfg.label_smoothing)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            loss_sum += loss.detach()
        # The epoch's curve point scores one view of each image, at the size the epoch trained
        # on: the mirrors' average (twice the cost, ~30 s of a 12-epoch CPU run) and the full
        # size are kept for the final scores below.
        val_logits = evaluate.predict_logits(model, augment.resize(val_images, side),
                                             device=ts.device)
        metrics = {"train/loss": float(loss_sum) / steps_per_epoch,
                   "val/loss": float(F.cross_entropy(val_logits, data.val.labels)),
                   "val/acc": evaluate.accuracy(val_logits, data.val.labels),
                   "train/lr": learning_rate(cfg, step, total_steps), "train/side": side}
        run.log(epoch, metrics)
        run.report(epoch, cfg.epochs, metrics)

    val_logits = evaluate.predict_logits(model, val_images, flip_tta=data.flip, device=ts.device)
    test_logits = evaluate.predict_logits(model, data.test.images, flip_tta=data.flip,
                                          device=ts.device)
    val_acc = evaluate.accuracy(val_logits, data.val.labels)
    test_acc = evaluate.accuracy(test_logits, data.test.labels)
    final = {"val_acc": val_acc, "test_acc": test_acc, "val_test_gap": abs(val_acc - test_acc),
             "test_loss": float(F.cross_entropy(test_logits, data.test.labels)),
             # over the whole run (loading and evaluation included), as a user waits for it
             "train_images_per_s": len(images) * epochs_done / max(run.wall_s(), 1e-9)}
    run.log(cfg.epochs, {f"final/{k}": v for k, v in final.items()})
    plot_results(run, data.test, test_logits.argmax(1))
    plots.learning_curves(run, title="Training and validation loss, validation accuracy, "
                          "learning rate (one-cycle), image side (progressive resizing)")
    return final, ts.describe()


def plot_results(run: runs.Run, test: vision_data.ImageSet, predicted: torch.Tensor) -> None:
    """The confusion matrix and a grid of misclassified test images."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(test.classes)
    counts = evaluate.confusion(predicted, test.labels, n).numpy()
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


def load(run_dir: Path) -> ImageClassifier:
    """The trained net, on the CPU (wherever it was trained), as an :class:`ImageClassifier`
    that averages each image's logits with its mirror's when training used flips."""
    trained = runs.Trained(run_dir, ImageClassificationConfig)
    weights = trained.weights("model")
    kept = trained.artifacts
    normalize = vision_data.Normalize(weights["normalize.mean"], weights["normalize.std"])
    model = ConvNet(normalize, trained.config.widths, len(kept["classes"]))
    model.load_state_dict(weights)
    return ImageClassifier(PROJECT_NAME, trained.config, model, kept["classes"],
                           kept["image_shape"], flip_tta=kept["flip"],
                           light_on_dark=trained.config.dataset in vision_data.LIGHT_ON_DARK)


def example_inputs(folder: Path) -> list[str]:
    """The first test images of the default dataset, as PNG files in ``folder``."""
    test = vision_data.load(ImageClassificationConfig().dataset, "test")
    return vision_data.write_images(test.images[:EXAMPLES], folder, "test")
