"""A multilayer perceptron on the engine: Linear -> ReLU -> Dropout per hidden layer, then
Linear to 10 logits (softmax lives in the cross-entropy loss)."""

from __future__ import annotations

import numpy as np

from dlnd.engine import F, Tensor, nn


class MLP(nn.Module):
    def __init__(self, n_inputs: int, hidden: tuple[int, ...], n_classes: int, dropout: float,
                 rng: np.random.Generator):
        sizes = (n_inputs, *hidden, n_classes)
        self.layers = [nn.Linear(a, b, rng=rng) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
        self.dropout = dropout
        self.rng = rng  # dropout masks come from the run's generator, so a run is reproducible

    def forward(self, x: Tensor) -> Tensor:
        for layer in self.layers[:-1]:
            x = F.dropout(layer(x).relu(), self.dropout, self.training, self.rng)
        return self.layers[-1](x)
