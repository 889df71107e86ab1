"""The two models the lesson compares: one logistic unit, and a net with one hidden layer."""

from __future__ import annotations

import numpy as np

from dlnd.engine import nn


def logistic_unit(n_inputs: int, rng: np.random.Generator) -> nn.Module:
    return nn.Sequential(nn.Linear(n_inputs, 1, rng=rng))


def small_network(n_inputs: int, hidden: int, rng: np.random.Generator) -> nn.Module:
    return nn.Sequential(nn.Linear(n_inputs, hidden, rng=rng), nn.Sigmoid(),
                         nn.Linear(hidden, 1, rng=rng))
