"""The lesson's images (Fashion-MNIST or MNIST) as flat standardised rows, with a random
validation split drawn from the training images; shared with the overfitting lesson."""

from __future__ import annotations

from dlnd.projects.mnist_mlp.config import MnistMlpConfig
from dlnd.shared import mlp


def load(cfg: MnistMlpConfig) -> mlp.ImageData:
    return mlp.load(cfg.dataset, cfg.val_size, cfg.seed, cfg.train_limit)
