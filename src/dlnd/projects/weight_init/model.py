"""The lesson's network (784 -> 256 -> 128 -> 10, ReLU) and the weight initialisations compared.

Zeros or any constant make every unit of a layer compute the same thing and get the same update:
the layer never breaks symmetry. Uniform [0, 1) breaks it but starts with huge, all-positive
pre-activations. Scaling by the fan-in (1/sqrt(n), Xavier, He) keeps each layer's output
variance about that of its input, which is what lets a deep stack train.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from dlnd.shared.vision.data import flat_pixels


def initialise(weight: torch.Tensor, scheme: str) -> None:
    fan_in = weight.shape[1]
    with torch.no_grad():
        if scheme == "zeros":
            weight.zero_()
        elif scheme == "ones":
            weight.fill_(1.0)
        elif scheme == "uniform_0_1":
            weight.uniform_(0.0, 1.0)
        elif scheme == "uniform_scaled":
            bound = 1.0 / math.sqrt(fan_in)
            weight.uniform_(-bound, bound)
        elif scheme == "normal":
            weight.normal_(0.0, 0.1)
        elif scheme == "truncated_normal":
            nn.init.trunc_normal_(weight, std=0.1, a=-0.2, b=0.2)
        elif scheme == "xavier":
            nn.init.xavier_uniform_(weight)
        else:  # "he"; the config's choices admit no other name
            nn.init.kaiming_normal_(weight, nonlinearity="relu")


class MLP(nn.Module):
    def __init__(self, hidden: tuple[int, ...], scheme: str, n_inputs: int = 784,
                 n_classes: int = 10):
        super().__init__()
        layers, width = [], n_inputs
        for units in hidden:
            layers += [nn.Linear(width, units), nn.ReLU()]
            width = units
        layers.append(nn.Linear(width, n_classes))
        self.layers = nn.Sequential(*layers)
        for module in self.modules():
            if isinstance(module, nn.Linear):
                initialise(module.weight, scheme)
                nn.init.zeros_(module.bias)

    def forward(self, x):
        return self.layers(flat_pixels(x))
