"""Train the MLP on MNIST-style images with Adam and a cosine schedule; test once at the end."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dlnd.core import runs
from dlnd.core.errors import UsageError
from dlnd.engine import F, Tensor, no_grad, optim
from dlnd.projects.mnist_mlp import data as image_data
from dlnd.projects.mnist_mlp.config import MnistMlpConfig
from dlnd.projects.mnist_mlp.model import MLP

EVAL_BATCH = 2000  # rows per forward pass when only measuring (no graph is kept)


def train_epoch(model: MLP, optimizer: optim.Optimizer, split: image_data.Split, batch_size: int,
                rng: np.random.Generator) -> float:
    """One pass over ``split`` in a random order; returns the mean batch loss."""
    model.train()
    order = rng.permutation(len(split.y))
    losses = []
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        loss = F.cross_entropy(model(Tensor(split.x[idx])), split.y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return float(np.mean(losses))


@no_grad()
def predict_classes(model: MLP, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(logits, predicted class) for rows ``x`` in evaluation mode."""
    model.eval()
    logits = np.concatenate([model(Tensor(x[i:i + EVAL_BATCH])).data
                             for i in range(0, len(x), EVAL_BATCH)])
    return logits, logits.argmax(axis=1)


def evaluate(model: MLP, split: image_data.Split) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) on ``split``."""
    logits, predicted = predict_classes(model, split.x)
    loss = F.cross_entropy(Tensor(logits), split.y).item()
    return loss, float(np.mean(predicted == split.y))


def train(cfg: MnistMlpConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    data = image_data.load(cfg.dataset, cfg.val_size, cfg.seed, cfg.train_limit)
    rng = np.random.default_rng(cfg.seed)
    model = MLP(data.train.x.shape[1], cfg.hidden, len(data.classes), cfg.dropout, rng)
    optimizer = optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    schedule = optim.CosineAnnealingLR(optimizer, T_max=cfg.epochs)
    start = 0
    state = run.load_checkpoint()
    if state is not None:
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        schedule.load_state_dict(state["schedule"])
        rng.bit_generator.state = state["rng"]
        start = state["step"] + 1
    run.say(f"{cfg.dataset}: {len(data.train.y)} training, {len(data.val.y)} validation, "
            f"{len(data.test.y)} test images; {model.num_parameters():,} parameters")

    for epoch in run.epochs(cfg.epochs, start):
        lr = optimizer.lr
        train_loss = train_epoch(model, optimizer, data.train, cfg.batch_size, rng)
        schedule.step()
        val_loss, val_acc = evaluate(model, data.val)
        metrics = {"train/loss": train_loss, "val/loss": val_loss, "val/acc": val_acc,
                   "train/lr": lr}
        run.log(epoch, metrics)
        run.report(epoch, cfg.epochs, metrics)
        run.save_checkpoint({"step": epoch, "model": model.state_dict(),
                             "optimizer": optimizer.state_dict(),
                             "schedule": schedule.state_dict(), "rng": rng.bit_generator.state,
                             "extra": {"classes": data.classes, "mean": data.mean,
                                       "std": data.std}})
        if run.stop_requested:
            break

    test_loss, test_acc = evaluate(model, data.test)
    val_loss, val_acc = evaluate(model, data.val)
    final = {"test_acc": test_acc, "test_loss": test_loss, "val_acc": val_acc,
             "val_loss": val_loss}
    run.log(cfg.epochs, {f"final/{k}": v for k, v in final.items()})
    plot_confusion(run, model, data)
    return final, "cpu (numpy engine)"


def plot_confusion(run: runs.Run, model: MLP, data: image_data.ImageData) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _, predicted = predict_classes(model, data.test.x)
    n = len(data.classes)
    counts = np.zeros((n, n), dtype=np.int64)
    np.add.at(counts, (data.test.y, predicted), 1)
    fig, ax = plt.subplots(figsize=(7, 6))
    ax.imshow(counts, cmap="Blues")
    for (i, j), c in np.ndenumerate(counts):
        ax.text(j, i, str(c), ha="center", va="center", fontsize=7,
                color="white" if c > counts.max() / 2 else "black")
    ax.set_xticks(range(n), data.classes, rotation=60, ha="right")
    ax.set_yticks(range(n), data.classes)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"Test confusion matrix (accuracy {np.mean(predicted == data.test.y):.2%})")
    run.log_figure("test/confusion", fig)
    plt.close(fig)


class ImageClassifier:
    """A trained MLP that takes raw 28x28 uint8 images and names their classes."""

    def __init__(self, model: MLP, classes: tuple[str, ...], mean: float, std: float):
        self.model, self.classes, self.mean, self.std = model, classes, mean, std

    def predict(self, images: np.ndarray) -> list[str]:
        """Class names for images of shape (n, 28, 28) with pixels 0-255."""
        images = np.asarray(images, dtype=np.float32)
        if images.ndim != 3 or images.shape[1:] != (28, 28):
            raise UsageError(f"expected images of shape (n, 28, 28), got {images.shape}")
        x = (images.reshape(len(images), -1) - self.mean) / self.std
        return [self.classes[c] for c in predict_classes(self.model, x)[1]]


def load(run_dir: Path) -> ImageClassifier:
    state = runs.trained_state(run_dir)
    cfg = runs.saved_config(run_dir, MnistMlpConfig)
    model = MLP(28 * 28, cfg.hidden, len(state["extra"]["classes"]), cfg.dropout,
                np.random.default_rng(0))
    model.load_state_dict(state["model"])
    return ImageClassifier(model, **state["extra"])
