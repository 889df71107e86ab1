"""Truth tables of the logic gates the lesson fits: inputs in {0, 1}, targets in {0, 1}."""

from __future__ import annotations

import numpy as np

TWO_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)

GATES: dict[str, tuple[np.ndarray, np.ndarray]] = {
    "and": (TWO_INPUTS, np.array([0, 0, 0, 1], dtype=np.float32)),
    "or": (TWO_INPUTS, np.array([0, 1, 1, 1], dtype=np.float32)),
    "not": (np.array([[0], [1]], dtype=np.float32), np.array([1, 0], dtype=np.float32)),
    "xor": (TWO_INPUTS, np.array([0, 1, 1, 0], dtype=np.float32)),
}
