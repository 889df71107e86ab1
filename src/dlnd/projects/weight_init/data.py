"""MNIST-style digits for the lesson: training, validation (for the curves) and test images."""

from __future__ import annotations

from dlnd.projects.weight_init.config import WeightInitConfig
from dlnd.shared.vision import data as vision_data


def load(cfg: WeightInitConfig) -> tuple[vision_data.ImageSet, vision_data.ImageSet,
                                         vision_data.ImageSet]:
    train, val, test = vision_data.train_val_test(cfg.dataset, cfg.val_size, cfg.seed)
    if cfg.train_limit is not None:
        train = train.subset(slice(0, cfg.train_limit))
    return train, val, test
