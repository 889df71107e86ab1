"""The lesson's MLP: linear layers, optionally each followed by batch normalization.

With batch norm a layer computes ``act(BN(x W))``: the bias is dropped, since batch norm's own
shift (beta) replaces it. Training normalises with the batch's mean and variance; evaluation
with the running (population) averages gathered during training.
"""

from __future__ import annotations

from torch import nn

from dlnd.shared.vision.data import flat_pixels

ACTIVATIONS = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid}


class MLP(nn.Module):
    def __init__(self, hidden: tuple[int, ...], activation: str, batch_norm: bool,
                 weight_std: float, n_inputs: int = 784, n_classes: int = 10):
        super().__init__()
        layers, width = [], n_inputs
        for units in hidden:
            linear = nn.Linear(width, units, bias=not batch_norm)
            layers += [linear, nn.BatchNorm1d(units)] if batch_norm else [linear]
            layers.append(ACTIVATIONS[activation]())
            width = units
        layers.append(nn.Linear(width, n_classes))
        self.layers = nn.Sequential(*layers)
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, std=weight_std)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)

    def forward(self, x):
        return self.layers(flat_pixels(x))
