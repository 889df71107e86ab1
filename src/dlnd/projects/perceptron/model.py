"""A single unit (a perceptron with a sigmoid) and a network with one hidden layer."""

from __future__ import annotations

import numpy as np

from dlnd.engine import nn


def single_unit(n_inputs: int, rng: np.random.Generator) -> nn.Module:
    """One unit: sigmoid(w.x + b) draws one straight line through the input space."""
    return nn.Sequential(nn.Linear(n_inputs, 1, rng=rng))


def hidden_layer_net(n_inputs: int, hidden: int, rng: np.random.Generator) -> nn.Module:
    """A tanh hidden layer bends the boundary: enough for XOR, which no single line separates."""
    return nn.Sequential(nn.Linear(n_inputs, hidden, rng=rng), nn.Tanh(),
                         nn.Linear(hidden, 1, rng=rng))


# name -> (gate it learns, whether it has a hidden layer)
MODELS = {"and": ("and", False), "or": ("or", False), "not": ("not", False),
          "xor_single": ("xor", False), "xor_hidden": ("xor", True)}


def build(name: str, n_inputs: int, hidden: int, rng: np.random.Generator) -> nn.Module:
    _, has_hidden = MODELS[name]
    return hidden_layer_net(n_inputs, hidden, rng) if has_hidden else single_unit(n_inputs, rng)
