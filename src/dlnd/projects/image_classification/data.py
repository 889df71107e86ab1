"""Train / validation / test image sets for the classifier (uint8 tensors, see dlnd.vision)."""

from __future__ import annotations

from dataclasses import dataclass

from dlnd.projects.image_classification.config import ImageClassificationConfig
from dlnd.shared import vision


@dataclass
class ImageData:
    train: vision.ImageSet
    val: vision.ImageSet
    test: vision.ImageSet
    flip: bool  # mirroring keeps an image in its class (not so for digits)


def load(cfg: ImageClassificationConfig) -> ImageData:
    train, val = vision.split_off(vision.load(cfg.dataset, "train"), cfg.val_size, cfg.seed)
    if cfg.train_limit is not None:
        train = train.subset(slice(0, cfg.train_limit))
    test = vision.load(cfg.dataset, "test")
    if cfg.test_limit is not None:
        test = test.subset(slice(0, cfg.test_limit))
    return ImageData(train, val, test,
                     cfg.flip and vision.FLIP_INVARIANT[cfg.dataset])
