"""MNIST-style digits for the lesson: training, validation (for the curves) and test images."""

from __future__ import annotations

from dlnd.projects.batch_norm.config import BatchNormConfig
from dlnd.shared.vision import data as vision_data


def load(cfg: BatchNormConfig) -> tuple[vision_data.ImageSet, vision_data.ImageSet,
                                        vision_data.ImageSet]:
    return vision_data.train_val_test(cfg.dataset, cfg.val_size, cfg.seed)
