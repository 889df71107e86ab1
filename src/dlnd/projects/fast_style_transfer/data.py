"""Content images to train on (a folder, the CIFAR-10 sample upsampled, or drawn landscapes)
and the style image, as tensors."""

from __future__ import annotations

from pathlib import Path

import torch
from torch.nn import functional as F

from dlnd.core.errors import DataError, UsageError
from dlnd.shared import style
from dlnd.shared.images import read_image

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}
DRAWN_DEFAULT = 200  # landscapes drawn when content='drawn' and no content_limit


def content_images(cfg) -> torch.Tensor:
    """uint8 ``(N, 3, image_size, image_size)``."""
    size = cfg.image_size
    if cfg.content == "cifar10-sample":
        from dlnd.shared.vision import data as vision_data

        images = vision_data.load("cifar10-sample", "train").images[:cfg.content_limit]
        up = F.interpolate(images.float(), size=(size, size), mode="bicubic",
                           align_corners=False)
        return up.clamp(0, 255).round().to(torch.uint8)
    if cfg.content == "drawn":
        n = cfg.content_limit or DRAWN_DEFAULT
        return torch.cat([(style.landscape(size, seed=1000 + i) * 255).round().to(torch.uint8)
                          for i in range(n)])
    folder = Path(cfg.content)
    if not folder.is_dir():
        raise UsageError(f"content must be 'cifar10-sample', 'drawn' or a folder of images; "
                         f"{folder} is not a folder")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    files = files[:cfg.content_limit]
    if len(files) < 2:
        kinds = ", ".join(sorted(IMAGE_SUFFIXES))
        raise DataError(f"{folder} holds {len(files)} image file(s) ({kinds}); at least 2 "
                        f"are needed")
    return torch.stack([torch.from_numpy(read_image(str(p), 3, size, size).copy())
                        .permute(2, 0, 1) for p in files])


def split(images: torch.Tensor, val_size: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(training images, ``val_size`` held-out images), chosen at random."""
    if not 0 < val_size < len(images):
        raise DataError(f"cannot hold out {val_size} of {len(images)} content images; lower "
                        f"val_size")
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(seed))
    return images[order[val_size:]], images[order[:val_size]]


def style_image(cfg) -> torch.Tensor:
    """``(1, 3, H, W)`` in [0, 1], longest side ``style_size``."""
    if cfg.style is None:
        return style.painting(cfg.style_size, cfg.seed)
    return style.read_rgb(cfg.style, cfg.style_size)
