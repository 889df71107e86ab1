"""MNIST-style digits for the lesson: training, validation (for the curves) and test images."""

from __future__ import annotations

from dlnd.projects.batch_norm.config import BatchNormConfig
from dlnd.shared import vision


def load(cfg: BatchNormConfig) -> tuple[vision.ImageSet, vision.ImageSet, vision.ImageSet]:
    return vision.train_val_test(cfg.dataset, cfg.val_size, cfg.seed)
