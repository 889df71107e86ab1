"""torchvision's VGG and ResNet, written with torchvision's parameter names so that its state
dicts (ImageNet weights) load as they are, and the loading of such weights."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from dlnd.core import datasets
from dlnd.core.errors import DataError, UsageError

# torchvision's input statistics, in uint8 pixel units (for a Normalize layer)
IMAGENET_MEAN = torch.tensor([0.485, 0.456, 0.406]) * 255
IMAGENET_STD = torch.tensor([0.229, 0.224, 0.225]) * 255
WEIGHT_URLS = {"resnet18": "https://download.pytorch.org/models/resnet18-f37072fd.pth",
               "vgg16": "https://download.pytorch.org/models/vgg16-397923af.pth"}
VGG16_LAYOUT = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
                512, 512, 512, "M")


class VGG(nn.Module):
    """torchvision's VGG (``features.N`` / ``classifier.N`` keys, so its state dicts load).

    ``width`` scales every layer (1.0 = VGG16); ``feature_dim`` is what :meth:`features_of`
    returns per image after global average pooling."""

    def __init__(self, layout=VGG16_LAYOUT, num_classes: int = 1000, in_channels: int = 3,
                 width: float = 1.0):
        super().__init__()
        layers, channels = [], in_channels
        for item in layout:
            if item == "M":
                layers.append(nn.MaxPool2d(2))
            else:
                out = max(int(item * width), 1)
                layers += [nn.Conv2d(channels, out, 3, padding=1), nn.ReLU(inplace=True)]
                channels = out
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(7)
        hidden = max(int(4096 * width), 1)
        self.classifier = nn.Sequential(
            nn.Linear(channels * 49, hidden), nn.ReLU(inplace=True), nn.Dropout(),
            nn.Linear(hidden, hidden), nn.ReLU(inplace=True), nn.Dropout(),
            nn.Linear(hidden, num_classes))
        self.feature_dim = channels

    def features_of(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x).mean((2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class BasicBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                            nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(out)) + identity)


class ResNet(nn.Module):
    """torchvision's ResNet-18 (``conv1``, ``layer1.0.conv1`` ... ``fc`` keys).

    ``width`` is the first stage's channels (64 = ResNet-18); ``small_input`` replaces the 7x7
    stride-2 stem and max pool by one 3x3 conv, for 28-32 pixel images."""

    def __init__(self, num_classes: int = 1000, in_channels: int = 3, width: int = 64,
                 blocks=(2, 2, 2, 2), small_input: bool = False):
        super().__init__()
        if small_input:
            self.conv1 = nn.Conv2d(in_channels, width, 3, 1, 1, bias=False)
            self.maxpool = nn.Identity()
        else:
            self.conv1 = nn.Conv2d(in_channels, width, 7, 2, 3, bias=False)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        channels = width
        for stage, count in enumerate(blocks):
            out = width * 2 ** stage
            stride = 1 if stage == 0 else 2
            layer = [BasicBlock(channels if i == 0 else out, out, stride if i == 0 else 1)
                     for i in range(count)]
            self.add_module(f"layer{stage + 1}", nn.Sequential(*layer))
            channels = out
        self.stages = len(blocks)
        self.fc = nn.Linear(channels, num_classes)
        self.feature_dim = channels

    def features_of(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        for stage in range(self.stages):
            x = getattr(self, f"layer{stage + 1}")(x)
        return x.mean((2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features_of(x))


ARCHITECTURES = {"resnet18": ResNet, "vgg16": VGG}


def load_torchvision_weights(net: nn.Module, architecture: str, weights: str) -> None:
    """Put torchvision's weights for ``architecture`` (a key of :data:`WEIGHT_URLS`) into
    ``net``: from a local state-dict file, or with ``weights='download'`` from
    download.pytorch.org into the dlnd cache. Loaded onto the CPU and as plain tensors only
    (``weights_only``), so a file made on a GPU loads anywhere and runs no code."""
    if weights == "download":
        if datasets.offline():
            raise UsageError("weights='download' needs the network (DLND_OFFLINE is set); "
                             "pass a local .pth file instead")
        state = torch.hub.load_state_dict_from_url(
            WEIGHT_URLS[architecture], model_dir=str(datasets.cache_dir() / "weights"),
            map_location="cpu", weights_only=True)
    else:
        try:
            state = torch.load(Path(weights), map_location="cpu", weights_only=True)
        except FileNotFoundError:
            raise DataError(f"weights file {weights} does not exist") from None
    missing, unexpected = net.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise DataError(f"{weights} is not a torchvision {architecture} state dict "
                        f"(missing {len(missing)} keys, {len(unexpected)} unexpected)")
