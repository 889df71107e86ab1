"""Linear regression two ways: one engine ``Linear`` unit fitted by gradient descent, and the
closed-form least-squares solution it should converge to."""

from __future__ import annotations

import numpy as np

from dlnd.engine import nn


def linear_unit() -> nn.Linear:
    """y = w x + b, computed in float64 so that gradient descent can match the closed form to
    many digits; it starts at zero (a convex problem needs no random start)."""
    unit = nn.Linear(1, 1).to(np.float64)
    unit.weight.data[...] = 0.0
    unit.bias.data[...] = 0.0
    return unit


def closed_form(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(slope, intercept) minimising the squared error, from the normal equations."""
    design = np.column_stack([x, np.ones_like(x)])
    (slope, intercept), *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(slope), float(intercept)


def r_squared(predicted: np.ndarray, y: np.ndarray) -> float:
    return float(1.0 - np.sum((y - predicted) ** 2) / np.sum((y - y.mean()) ** 2))
