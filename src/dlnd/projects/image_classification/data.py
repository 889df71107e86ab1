"""Train / validation / test image sets for the classifier (uint8 tensors, see
dlnd.shared.vision.data)."""

from __future__ import annotations

from dataclasses import dataclass

from dlnd.projects.image_classification.config import ImageClassificationConfig
from dlnd.shared.vision import data as vision_data


@dataclass
class ImageData:
    train: vision_data.ImageSet
    val: vision_data.ImageSet
    test: vision_data.ImageSet
    flip: bool  # mirroring keeps an image in its class (not so for digits)


def load(cfg: ImageClassificationConfig) -> ImageData:
    train, val = vision_data.split_off(vision_data.load(cfg.dataset, "train"), cfg.val_size,
                                       cfg.seed)
    if cfg.train_limit is not None:
        train = train.subset(slice(0, cfg.train_limit))
    test = vision_data.load(cfg.dataset, "test")
    if cfg.test_limit is not None:
        test = test.subset(slice(0, cfg.test_limit))
    return ImageData(train, val, test,
                     cfg.flip and vision_data.FLIP_INVARIANT[cfg.dataset])
