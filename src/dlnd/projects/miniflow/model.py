"""MiniFlow's network on the engine: Linear -> Sigmoid -> Linear, mean squared error.

MiniFlow built this graph node by node (Input, Linear, Sigmoid, MSE) and walked it forwards and
backwards in topological order; the engine does exactly that for every Tensor operation, and
``dlnd.engine.draw`` shows the graph it built.
"""

from __future__ import annotations

import numpy as np

from dlnd.engine import nn


class TwoLayerNet(nn.Module):
    def __init__(self, n_inputs: int, hidden: int, rng: np.random.Generator):
        self.l1 = nn.Linear(n_inputs, hidden, rng=rng)
        self.l2 = nn.Linear(hidden, 1, rng=rng)
        for name, p in self.named_parameters():
            p.name = name  # labels in the drawn graph

    def forward(self, x):
        return self.l2(self.l1(x).sigmoid())
