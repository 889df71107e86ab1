"""Image sets as uint8 tensors, image files, and normalisation of pixels into model inputs.

Images stay uint8 ``(N, C, H, W)`` in memory (60,000 Fashion-MNIST images are 47 MB); models start
with a :class:`Normalize` layer that holds the training-set mean and std, so a saved model takes
raw pixels and ``dlnd predict`` needs nothing else.
"""

from __future__ import annotations

import pickle
import tarfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from dlnd.core import datasets, idx
from dlnd.core.errors import DataError
from dlnd.shared.images import read_image
from dlnd.shared.vision.files import (  # noqa: F401 - part of this module's interface
    CIFAR_SAMPLE_FILES,
    CIFAR_TARBALL,
    DATASETS,
    FLIP_INVARIANT,
    files,
)

CIFAR_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
                 "truck")
FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                   "Sneaker", "Bag", "Ankle boot")
MNIST_CLASSES = tuple("0123456789")
CIFAR_RECORD = 1 + 3 * 32 * 32  # binary format: a label byte, then the R, G and B planes
CIFAR_PICKLES = {"train": [f"cifar-10-batches-py/data_batch_{i}" for i in range(1, 6)],
                 "test": ["cifar-10-batches-py/test_batch"]}
# Light strokes or garments on a black ground: a user's picture on a light ground is inverted.
LIGHT_ON_DARK = ("mnist", "fashion-mnist")


@dataclass
class ImageSet:
    images: torch.Tensor  # (N, C, H, W) uint8
    labels: torch.Tensor  # (N,) int64
    classes: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, index: torch.Tensor) -> ImageSet:
        return ImageSet(self.images[index], self.labels[index], self.classes)


def load(dataset: str, split: str) -> ImageSet:
    """The ``split`` ("train" or "test") of an image dataset as uint8 tensors."""
    if split not in ("train", "test"):
        raise DataError(f"image split must be 'train' or 'test', not {split!r}")
    files(dataset)  # rejects unknown names
    if dataset in ("mnist", "fashion-mnist"):
        images, labels = idx.load(dataset, split)
        images = images[:, None]
        classes = MNIST_CLASSES if dataset == "mnist" else FASHION_CLASSES
    elif dataset == "cifar10-sample":
        path = datasets.path(dataset, CIFAR_SAMPLE_FILES[split])
        with datasets.open_bytes(path) as fh:
            images, labels = read_cifar_binary(fh.read(), str(path))
        meta = datasets.read_text(datasets.path(dataset, "batches.meta.txt"))
        classes = tuple(line.strip() for line in meta.splitlines() if line.strip())
    else:
        images, labels = read_cifar_tarball(datasets.path(dataset, CIFAR_TARBALL), split)
        classes = CIFAR_CLASSES
    return ImageSet(torch.from_numpy(np.array(images)),
                    torch.from_numpy(labels.astype(np.int64)), classes)


def read_cifar_binary(raw: bytes, where: str = "CIFAR-10 data") -> tuple[np.ndarray, np.ndarray]:
    """Official binary records: ``(images (N, 3, 32, 32) uint8, labels (N,) uint8)``."""
    if not raw or len(raw) % CIFAR_RECORD:
        raise DataError(f"{where} holds {len(raw)} bytes, not a whole number of "
                        f"{CIFAR_RECORD}-byte CIFAR-10 records")
    records = np.frombuffer(raw, dtype=np.uint8).reshape(-1, CIFAR_RECORD)
    labels = records[:, 0].copy()
    if labels.max() > 9:
        raise DataError(f"{where} has label {labels.max()}; CIFAR-10 labels are 0-9")
    return records[:, 1:].reshape(-1, 3, 32, 32), labels


def read_cifar_tarball(path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """The python-pickle batches inside ``cifar-10-python.tar.gz`` (no extraction to disk)."""
    images, labels = [], []
    with tarfile.open(path, "r:gz") as tar:
        for member in CIFAR_PICKLES[split]:
            try:
                batch = pickle.load(tar.extractfile(member), encoding="bytes")
            except KeyError:
                raise DataError(f"{path} has no {member}; is it cifar-10-python.tar.gz?") from None
            images.append(np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32))
            labels.append(np.asarray(batch[b"labels"], dtype=np.uint8))
    return np.concatenate(images), np.concatenate(labels)


def split_off(data: ImageSet, size: int, seed: int) -> tuple[ImageSet, ImageSet]:
    """(rest, held out): ``size`` random images held out, e.g. for validation."""
    if not 0 < size < len(data):
        raise DataError(f"cannot hold out {size} of {len(data)} images")
    order = torch.randperm(len(data), generator=torch.Generator().manual_seed(seed))
    return data.subset(order[size:]), data.subset(order[:size])


def train_val_test(dataset: str, val_size: int, seed: int) -> tuple[ImageSet, ImageSet, ImageSet]:
    """The training set less ``val_size`` random images, those images, and the test set."""
    train, val = split_off(load(dataset, "train"), val_size, seed)
    return train, val, load(dataset, "test")


# ----- image files (dlnd predict) -----

def read_images(paths: list[str], shape: tuple[int, int, int],
                light_on_dark: bool = False) -> torch.Tensor:
    """Image files as a uint8 batch ``(N, *shape)``: converted to grey or RGB, scaled to fit
    and padded (see :func:`dlnd.shared.images.read_image`; ``light_on_dark`` for models trained
    on MNIST-style images inverts pictures on a light ground)."""
    channels, height, width = shape
    out = [torch.from_numpy(read_image(path, channels, height, width, light_on_dark).copy())
           .permute(2, 0, 1) for path in paths]
    return torch.stack(out) if out else torch.zeros((0, *shape), dtype=torch.uint8)


def write_images(images: torch.Tensor, folder: Path, stem: str = "image") -> list[str]:
    """uint8 images ``(N, C, H, W)`` as PNG files ``<stem><i>.png`` in ``folder``; their paths."""
    from PIL import Image

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, image in enumerate(images):
        pixels = image.permute(1, 2, 0).numpy()
        path = folder / f"{stem}{i}.png"
        Image.fromarray(pixels[:, :, 0] if pixels.shape[2] == 1 else pixels).save(path)
        paths.append(str(path))
    return paths


# ----- pixels into model inputs -----

class Normalize(nn.Module):
    """uint8 pixels -> float, standardised with the training set's per-channel mean and std."""

    def __init__(self, mean: torch.Tensor, std: torch.Tensor):
        super().__init__()
        self.register_buffer("mean", mean.reshape(1, -1, 1, 1).float())
        self.register_buffer("std", std.reshape(1, -1, 1, 1).float())

    @classmethod
    def fit(cls, images: torch.Tensor) -> Normalize:
        pixels = images.float().transpose(0, 1).reshape(images.shape[1], -1)
        return cls(pixels.mean(1), pixels.std(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x.float() - self.mean) / self.std


def flat_pixels(x: torch.Tensor) -> torch.Tensor:
    """uint8 images -> float rows in [0, 1], as the course's MNIST loader gave them."""
    return x.flatten(1).float() / 255.0
