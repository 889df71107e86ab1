"""Augmentation of whole uint8 batches as tensor ops, on the batch's device, drawing from a
generator the caller owns (so a run can track it and resume the same draws)."""

from __future__ import annotations

import torch
from torch.nn import functional as F


def random_translate(images: torch.Tensor, pad: int, generator: torch.Generator) -> torch.Tensor:
    """Shift each image by up to ``pad`` pixels each way (zero fill): one gather for the batch."""
    if pad == 0:
        return images
    n, _, h, w = images.shape
    padded = F.pad(images, (pad, pad, pad, pad))
    device = images.device
    dy, dx = torch.randint(0, 2 * pad + 1, (2, n, 1), generator=generator, device=device)
    rows = (torch.arange(h, device=device) + dy)[:, :, None]  # (n, h, 1)
    cols = (torch.arange(w, device=device) + dx)[:, None, :]  # (n, 1, w)
    batch = torch.arange(n, device=device)[:, None, None]
    return padded.permute(0, 2, 3, 1)[batch, rows, cols].permute(0, 3, 1, 2)


def random_flip(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Mirror a random half of the batch left-right."""
    mask = torch.rand(len(images), generator=generator, device=images.device) < 0.5
    return torch.where(mask[:, None, None, None], images.flip(3), images)


def augment(images: torch.Tensor, pad: int, flip: bool, generator: torch.Generator):
    """A random shift of up to ``pad`` pixels, then (with ``flip``) random mirroring."""
    images = random_translate(images, pad, generator)
    return random_flip(images, generator) if flip else images


def resize(images: torch.Tensor, side: int) -> torch.Tensor:
    """Images scaled to ``side`` x ``side`` pixels (bilinear, antialiased so that shrinking
    averages rather than skips pixels), back in the input's dtype; ``F.interpolate`` keeps the
    memory layout (a channels-last batch stays channels-last)."""
    if images.shape[-2:] == (side, side):
        return images
    scaled = F.interpolate(images.float(), size=(side, side), mode="bilinear", antialias=True,
                           align_corners=False)
    if not images.is_floating_point():
        scaled = scaled.round().clamp(0, 255)
    return scaled.to(images.dtype)
