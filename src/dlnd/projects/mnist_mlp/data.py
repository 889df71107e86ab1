"""MNIST-style images as flat, standardised float32 rows, with a validation split from train."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlnd.core import idx

CLASSES = {
    "mnist": tuple(str(d) for d in range(10)),
    "fashion-mnist": ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                      "Sneaker", "Bag", "Ankle boot"),
}


@dataclass
class Split:
    x: np.ndarray  # (n, 784) float32, standardised with the training mean and std
    y: np.ndarray  # (n,) int64 class indices


@dataclass
class ImageData:
    train: Split
    val: Split
    test: Split
    classes: tuple[str, ...]
    mean: float  # pixel statistics of the training images (0-255 scale), to prepare new images
    std: float


def load(dataset: str, val_size: int, seed: int, train_limit: int | None = None) -> ImageData:
    """Train/validation/test splits; the validation images are a seeded random draw from train."""
    train_images, train_labels = idx.load(dataset, "train")
    test_images, test_labels = idx.load(dataset, "test")
    order = np.random.default_rng(seed).permutation(len(train_images))
    val_idx, train_idx = order[:val_size], order[val_size:]
    if train_limit is not None:
        train_idx = train_idx[:train_limit]
    pixels = train_images[train_idx].astype(np.float32)
    mean, std = float(pixels.mean()), float(pixels.std())

    def split(images: np.ndarray, labels: np.ndarray) -> Split:
        x = (images.reshape(len(images), -1).astype(np.float32) - mean) / std
        return Split(x, labels.astype(np.int64))

    return ImageData(split(train_images[train_idx], train_labels[train_idx]),
                     split(train_images[val_idx], train_labels[val_idx]),
                     split(test_images, test_labels), CLASSES[dataset], mean, std)
