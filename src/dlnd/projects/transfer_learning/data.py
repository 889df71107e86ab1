"""Transfer-learning data: any folder of images in class subfolders, or the offline demo split
of Fashion-MNIST into source classes (for pretraining) and new target classes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from dlnd.core.errors import DataError
from dlnd.shared.vision import data as vision_data

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp"}
SOURCE_CLASSES = (0, 1, 2, 3, 4)  # T-shirt/top, Trouser, Pullover, Dress, Coat
TARGET_CLASSES = (5, 6, 7, 8, 9)  # Sandal, Shirt, Sneaker, Bag, Ankle boot: never pretrained on


@dataclass
class TransferData:
    train: vision_data.ImageSet  # the little labelled set of the new task
    test: vision_data.ImageSet
    source: vision_data.ImageSet | None  # demo only: what the backbone is pretrained on


def folder(root: str, size: int, test_fraction: float, seed: int) -> TransferData:
    """Every image under ``root/<class>/``, resized to ``size``; a per-class random test split."""
    root_path = Path(root)
    if not root_path.is_dir():
        raise DataError(f"--data {root} is not a folder")
    classes = sorted(p.name for p in root_path.iterdir() if p.is_dir())
    files = {c: sorted(p for p in (root_path / c).rglob("*") if p.suffix.lower()
                       in IMAGE_SUFFIXES) for c in classes}
    classes = [c for c in classes if files[c]]
    if len(classes) < 2:
        raise DataError(f"{root} needs at least two class subfolders holding images")
    generator = torch.Generator().manual_seed(seed)
    train_idx, test_idx, paths, labels = [], [], [], []
    for label, name in enumerate(classes):
        order = torch.randperm(len(files[name]), generator=generator).tolist()
        n_test = max(int(len(order) * test_fraction), 1)
        for rank, i in enumerate(order):
            (test_idx if rank < n_test else train_idx).append(len(paths))
            paths.append(str(files[name][i]))
            labels.append(label)
    images = vision_data.read_images(paths, (3, size, size))
    everything = vision_data.ImageSet(images, torch.tensor(labels), tuple(classes))
    return TransferData(everything.subset(torch.tensor(train_idx)),
                        everything.subset(torch.tensor(test_idx)), None)


def relabel(data: vision_data.ImageSet, classes: tuple[int, ...]) -> vision_data.ImageSet:
    """The images of ``classes`` only, labelled 0..len(classes)-1."""
    keep = torch.isin(data.labels, torch.tensor(classes))
    mapping = torch.full((len(data.classes),), -1, dtype=torch.long)
    mapping[list(classes)] = torch.arange(len(classes))
    return vision_data.ImageSet(data.images[keep], mapping[data.labels[keep]],
                           tuple(data.classes[c] for c in classes))


def demo(per_class: int, seed: int, source_limit: int | None = None,
         test_limit: int | None = None) -> TransferData:
    train = vision_data.load("fashion-mnist", "train")
    target = relabel(train, TARGET_CLASSES)
    generator = torch.Generator().manual_seed(seed)
    picks = [torch.nonzero(target.labels == c).flatten() for c in range(len(TARGET_CLASSES))]
    chosen = torch.cat([p[torch.randperm(len(p), generator=generator)[:per_class]]
                        for p in picks])
    test = relabel(vision_data.load("fashion-mnist", "test"), TARGET_CLASSES)
    source = relabel(train, SOURCE_CLASSES)
    return TransferData(target.subset(chosen), test.subset(slice(0, test_limit)),
                        source.subset(slice(0, source_limit)))
