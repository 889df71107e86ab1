"""Train the MLP on MNIST-style images with Adam and a cosine schedule; test once at the end."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dlnd.core import runs
from dlnd.engine import optim
from dlnd.projects.mnist_mlp import data as image_data
from dlnd.projects.mnist_mlp.config import MnistMlpConfig
from dlnd.projects.mnist_mlp.model import MnistMlpModel, build
from dlnd.shared import mlp, numeric, plots


@numeric.quiet_overflow
def train(cfg: MnistMlpConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    data = image_data.load(cfg)
    rng = np.random.default_rng(cfg.seed)  # initial weights, then shuffling and dropout
    model = build(cfg, len(data.classes), rng)
    optimizer = optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    schedule = optim.CosineAnnealingLR(optimizer, T_max=cfg.epochs)
    run.track(model=model, optimizer=optimizer, schedule=schedule, rng=rng)
    run.keep(classes=list(data.classes), mean=data.mean, std=data.std)
    run.say(f"{cfg.dataset}: {len(data.train.y)} training, {len(data.val.y)} validation, "
            f"{len(data.test.y)} test images; {model.num_parameters():,} parameters")

    for epoch in run.epochs(cfg.epochs):
        lr = optimizer.lr
        train_loss = mlp.train_epoch(model, optimizer, data.train, cfg.batch_size, rng)
        schedule.step()
        val_loss, val_acc = mlp.evaluate(model, data.val)
        metrics = {"train/loss": train_loss, "val/loss": val_loss, "val/acc": val_acc,
                   "train/lr": lr}
        run.log(epoch, metrics)
        run.report(epoch, cfg.epochs, metrics)

    test_loss, test_acc = mlp.evaluate(model, data.test)
    val_loss, val_acc = mlp.evaluate(model, data.val)
    final = {"test_acc": test_acc, "test_loss": test_loss, "val_acc": val_acc,
             "val_loss": val_loss}
    run.log(cfg.epochs, {f"final/{k}": v for k, v in final.items()})
    plot_confusion(run, model, data)
    plots.learning_curves(run, title="Training and validation loss, validation accuracy, "
                          "learning rate")
    return final, "cpu (numpy engine)"


def plot_confusion(run: runs.Run, model: mlp.MLP, data: mlp.ImageData) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    predicted = mlp.logits_of(model, data.test.x).argmax(axis=1)
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


def example_inputs(folder: Path) -> list[str]:
    """Three Fashion-MNIST test images as PNG files in ``folder``, to try ``dlnd predict``."""
    return mlp.write_test_images("fashion-mnist", folder, 3)


def load(run_dir: Path) -> MnistMlpModel:
    trained = runs.Trained(run_dir, MnistMlpConfig)
    kept = trained.artifacts
    network = build(trained.config, len(kept["classes"]), np.random.default_rng(0))
    network.load_state_dict(trained.weights("model"))
    return MnistMlpModel(mlp.MlpClassifier(network, kept["classes"], kept["mean"], kept["std"]),
                         trained.config)
