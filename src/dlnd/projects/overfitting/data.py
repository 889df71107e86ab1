"""The mnist-mlp lesson's images (dlnd.shared.mlp), with a deliberately small training set."""

from __future__ import annotations

from dlnd.projects.overfitting.config import OverfittingConfig
from dlnd.shared import mlp


def load(cfg: OverfittingConfig) -> mlp.ImageData:
    return mlp.load(cfg.dataset, cfg.val_size, cfg.seed, cfg.train_limit)
