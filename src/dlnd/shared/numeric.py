"""NumPy's floating-point warnings during training.

A network that diverges (too high a learning rate) overflows on its way to an infinite or NaN
loss, and the run then stops with one sentence that says so and what to try (``Run.log``:
"train/loss became nan at step 0; the last good checkpoint is in ... - try a lower learning
rate"). NumPy's RuntimeWarnings before it ("overflow encountered in matmul", "invalid value
encountered in multiply", each with a line of source) only repeat that in NumPy's words, and a
sigmoid's ``exp(-z)`` overflowing for a very negative ``z`` is no error at all (the result, 0, is
right). The NumPy projects train with these two kinds of warning off, as PyTorch does; division
by zero still warns.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np


def quiet_overflow(train: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a project's ``train(cfg, run)``: NumPy overflow and invalid-value warnings are
    off while it runs (the run reports a non-finite loss itself)."""

    @functools.wraps(train)
    def train_quietly(*args: Any, **kwargs: Any) -> Any:
        with np.errstate(over="ignore", invalid="ignore"):
            return train(*args, **kwargs)

    return train_quietly
