"""A backbone (torchvision's ResNet-18 or VGG16, or the demo's small ResNet) whose pooled conv
features feed a new linear head. Frozen, the backbone is run once per image and its features
cached; only the head learns."""

from __future__ import annotations

import torch
from torch import nn

from dlnd.core import datasets
from dlnd.core.errors import DataError, UsageError
from dlnd.projects.transfer_learning.config import TransferLearningConfig
from dlnd.shared import vision

IMAGENET_MEAN = torch.tensor([0.485, 0.456, 0.406]) * 255  # torchvision's input statistics
IMAGENET_STD = torch.tensor([0.229, 0.224, 0.225]) * 255
WEIGHT_URLS = {"resnet18": "https://download.pytorch.org/models/resnet18-f37072fd.pth",
               "vgg16": "https://download.pytorch.org/models/vgg16-397923af.pth"}
DEMO_SOURCE_CLASSES = 5


class TransferNet(nn.Module):
    def __init__(self, normalize: vision.Normalize, backbone: nn.Module, n_classes: int):
        super().__init__()
        self.normalize, self.backbone = normalize, backbone
        self.head = nn.Linear(backbone.feature_dim, n_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.backbone.features_of(self.normalize(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


def backbone(cfg: TransferLearningConfig) -> nn.Module:
    """The configured architecture with random weights."""
    if cfg.data is None:
        return vision.ResNet(DEMO_SOURCE_CLASSES, in_channels=1, width=cfg.width,
                             blocks=(1, 1, 1), small_input=True)
    return vision.ResNet() if cfg.backbone == "resnet18" else vision.VGG()


def load_pretrained(net: nn.Module, cfg: TransferLearningConfig) -> None:
    """torchvision ImageNet weights from a local file or (``weights='download'``) the web."""
    if cfg.weights == "download":
        if datasets.offline():
            raise UsageError("weights='download' needs the network (DLND_OFFLINE is set); "
                             "pass a local .pth file instead")
        state = torch.hub.load_state_dict_from_url(
            WEIGHT_URLS[cfg.backbone], model_dir=str(datasets.cache_dir() / "weights"),
            map_location="cpu")
    else:
        try:
            state = torch.load(cfg.weights, map_location="cpu", weights_only=True)
        except FileNotFoundError:
            raise DataError(f"weights file {cfg.weights} does not exist") from None
    missing, unexpected = net.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise DataError(f"{cfg.weights} is not a torchvision {cfg.backbone} state dict "
                        f"(missing {len(missing)} keys, {len(unexpected)} unexpected)")
