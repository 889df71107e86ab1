"""Johnson et al. 2016's image transformation network, and the trained stylist that
``load()`` returns (``dlnd predict RUN photo.jpg --out styled.jpg``).

conv 9x9 -> two stride-2 convs (1/4 resolution) -> residual blocks -> two upsampling convs ->
conv 9x9; instance norm and ReLU after every conv but the last. Upsampling is nearest-neighbour
then a 3x3 conv (Odena et al. 2016) instead of the paper's strided transposed convs, which leave
checkerboard artefacts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

from dlnd.core.errors import UsageError
from dlnd.core.project import Prediction
from dlnd.shared import style


def conv(cin: int, cout: int, kernel: int, stride: int = 1, norm: bool = True,
         relu: bool = True) -> nn.Sequential:
    layers = [nn.ReflectionPad2d(kernel // 2), nn.Conv2d(cin, cout, kernel, stride)]
    if norm:
        layers.append(nn.InstanceNorm2d(cout, affine=True))
    if relu:
        layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class Residual(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.body = nn.Sequential(conv(channels, channels, 3),
                                  conv(channels, channels, 3, relu=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class Upsample(nn.Module):
    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.conv = conv(cin, cout, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(self.up(x))


class TransformerNet(nn.Module):
    """[0, 1] RGB images ``(N, 3, H, W)`` (H, W multiples of 4) -> stylised, same shape."""

    def __init__(self, width: int = 32, res_blocks: int = 5):
        super().__init__()
        w = width
        self.net = nn.Sequential(
            conv(3, w, 9), conv(w, 2 * w, 3, 2), conv(2 * w, 4 * w, 3, 2),
            *[Residual(4 * w) for _ in range(res_blocks)],
            Upsample(4 * w, 2 * w), Upsample(2 * w, w), conv(w, 3, 9, norm=False, relu=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (torch.tanh(self.net(x)) + 1) / 2


class Stylist:
    """A trained transformer network on the CPU: ``stylise(images)`` for tensors,
    ``predict(paths, out=None)`` for image files."""

    def __init__(self, project: str, config: Any, net: TransformerNet):
        self.project, self.config, self.net = project, config, net.eval()

    @torch.no_grad()
    def stylise(self, images: torch.Tensor) -> torch.Tensor:
        """[0, 1] images ``(N, 3, H, W)``, H and W multiples of 4, in the learnt style."""
        return self.net(images)

    def predict(self, inputs: list[str], out: str | Path | None = None) -> list[Prediction]:
        """Stylise each image file (its longest side scaled to ``predict_size``) and write
        it: to ``out`` (with one input; with several, ``out``'s stem numbered), else beside the
        input as ``<name>-styled.png``. Each answer's label is the file written."""
        answers = []
        for i, path in enumerate(inputs):
            image = style.read_rgb(path, self.config.predict_size, multiple=4)
            target = output_path(path, out, i, len(inputs))
            try:
                style.save_png(self.stylise(image), target)
            except (OSError, ValueError) as exc:  # a missing folder, an unknown suffix
                raise UsageError(f"cannot write {target}: {exc}") from None
            answers.append(Prediction(path, str(target), 1.0))
        return answers


def output_path(path: str, out: str | Path | None, index: int, count: int) -> Path:
    if out is None:
        source = Path(path)
        return source.with_name(f"{source.stem}-styled.png")
    out = Path(out)
    return out if count == 1 else out.with_name(f"{out.stem}-{index}{out.suffix or '.png'}")
