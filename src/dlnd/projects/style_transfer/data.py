"""The content and style images: a user's files, or public-domain images dlnd draws."""

from __future__ import annotations

import torch

from dlnd.shared import style


def content_image(cfg) -> torch.Tensor:
    """``(1, 3, H, W)`` in [0, 1], longest side ``cfg.size``: the user's file or a drawn
    landscape."""
    if cfg.content is None:
        return style.landscape(cfg.size, cfg.seed)
    return style.read_rgb(cfg.content, cfg.size)


def style_image(cfg) -> torch.Tensor:
    """``(1, 3, H, W)`` in [0, 1], longest side ``cfg.size``: the user's file or a drawn
    painterly texture."""
    if cfg.style is None:
        return style.painting(cfg.size, cfg.seed)
    return style.read_rgb(cfg.style, cfg.size)
