"""What Gatys' method trains: the pixels of one image (no network is learnt)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

from dlnd.shared import style


class Canvas(nn.Module):
    """The image being optimised, ``(1, 3, H, W)``, unconstrained during optimisation (L-BFGS
    keeps a memory of past gradients that clamping would break) and clamped to [0, 1] when
    shown."""

    def __init__(self, image: torch.Tensor):
        super().__init__()
        self.pixels = nn.Parameter(image.clone(memory_format=torch.contiguous_format))

    def image(self) -> torch.Tensor:
        return self.pixels.detach().clamp(0, 1)


class StylisedImage:
    """A finished style-transfer run: the result and the images it was made from, each
    ``(1, 3, H, W)`` in [0, 1]. Gatys' method has no network to reuse: a new content image
    needs a new run (fast-style-transfer trains one)."""

    def __init__(self, project: str, config: Any, result: torch.Tensor, content: torch.Tensor,
                 style_image: torch.Tensor):
        self.project, self.config = project, config
        self.result, self.content, self.style = result, content, style_image

    def save(self, path: str | Path) -> Path:
        """The result as a PNG file."""
        return style.save_png(self.result, Path(path))
