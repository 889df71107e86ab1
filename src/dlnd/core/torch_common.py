"""Small pieces the PyTorch projects share: which device to train on, and the step-size
schedule. Imports torch, so only the torch projects import it."""

from __future__ import annotations

import math

import torch

from dlnd.core.errors import UsageError


def resolve_device(name: str) -> str:
    """``auto`` becomes cuda when torch sees a GPU, else cpu; asking for cuda without one is a
    usage error now rather than a torch error mid-run."""
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise UsageError(f"device {name!r} asked for, but torch sees no CUDA GPU")
    return name


def scheduled_lr(lr: float, schedule: str, step: int, total_steps: int) -> float:
    """The step size at ``step``: ``lr`` throughout (``constant``), or falling along a half
    cosine from ``lr`` to 0 over ``total_steps`` (``cosine``). A function of the step alone, so
    a resumed run continues the same schedule."""
    if schedule == "constant":
        return lr
    return 0.5 * lr * (1 + math.cos(math.pi * step / total_steps))
