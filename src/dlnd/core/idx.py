"""IDX files (the MNIST format): read the images and labels of ``mnist`` and ``fashion-mnist``.

An IDX file is a 4-byte magic number ``0x0000 <dtype> <ndim>`` (dtype 0x08 = unsigned byte), one
big-endian uint32 per dimension, then the values in row-major order. MNIST-style files use magic
2051 for images (N, rows, cols) and 2049 for labels (N,).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dlnd.core import datasets
from dlnd.core.errors import DataError

IMAGES_MAGIC = 2051  # uint8, 3 dimensions
LABELS_MAGIC = 2049  # uint8, 1 dimension
SPLITS = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
          "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


def parse(raw: bytes, magic: int, where: str = "IDX data") -> np.ndarray:
    """The uint8 array in ``raw``, checking its magic number and that the sizes add up."""
    if len(raw) < 4:
        raise DataError(f"{where} is not an IDX file (only {len(raw)} bytes)")
    found = int.from_bytes(raw[:4], "big")
    if found != magic:
        raise DataError(f"{where} has IDX magic number {found}, expected {magic}")
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{where} ends inside its IDX header")
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(shape))
    if len(raw) != expected:
        raise DataError(f"{where} holds {len(raw)} bytes but its header {shape} needs {expected}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def read(path: Path, magic: int) -> np.ndarray:
    """An IDX file (gzipped or not) as a uint8 array."""
    with datasets.open_bytes(path) as fh:
        raw = fh.read()
    return parse(raw, magic, str(path))


def load(dataset: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    """``(images (N, 28, 28) uint8, labels (N,) uint8)`` of ``split`` ("train" or "test")."""
    if split not in SPLITS:
        raise DataError(f"IDX split must be 'train' or 'test', not {split!r}")
    images_name, labels_name = SPLITS[split]
    images = read(datasets.path(dataset, images_name + ".gz"), IMAGES_MAGIC)
    labels = read(datasets.path(dataset, labels_name + ".gz"), LABELS_MAGIC)
    if len(images) != len(labels):
        raise DataError(f"{dataset} {split}: {len(images)} images but {len(labels)} labels")
    return images, labels
