"""A small conv net in the spirit of the CIFAR-10 speedruns (airbench, Myrtle's ResNet-9).

stem conv -> three blocks of [conv, 2x2 max pool, batch norm, GELU, conv, batch norm, GELU]
-> global max pool -> linear. Each block halves the resolution (28 -> 14 -> 7 -> 3, or
32 -> 16 -> 8 -> 4); batch norm lets the high one-cycle learning rate work from the first step.
"""

from __future__ import annotations

import torch
from torch import nn

from dlnd.shared.vision.data import Normalize


def conv_bn(cin: int, cout: int, pool: bool = False) -> list[nn.Module]:
    layers = [nn.Conv2d(cin, cout, 3, padding=1, bias=False)]
    if pool:
        layers.append(nn.MaxPool2d(2))
    return layers + [nn.BatchNorm2d(cout), nn.GELU()]


class ConvNet(nn.Module):
    def __init__(self, normalize: Normalize, widths: tuple[int, ...], n_classes: int):
        super().__init__()
        self.normalize = normalize
        in_channels = normalize.mean.shape[1]
        layers = conv_bn(in_channels, widths[0])
        for cin, cout in zip(widths, widths[1:], strict=False):
            layers += conv_bn(cin, cout, pool=True) + conv_bn(cout, cout)
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(widths[-1], n_classes, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.body(self.normalize(x))
        return self.head(torch.amax(x, dim=(2, 3)))
