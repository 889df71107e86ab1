"""A backbone (torchvision's ResNet-18 or VGG16, or the demo's small ResNet) whose pooled conv
features feed a new linear head. Frozen, the backbone is run once per image; only the head
learns."""

from __future__ import annotations

import torch
from torch import nn

from dlnd.projects.transfer_learning.config import TransferLearningConfig
from dlnd.shared.vision import models
from dlnd.shared.vision.data import Normalize

DEMO_SOURCE_CLASSES = 5


class TransferNet(nn.Module):
    def __init__(self, normalize: Normalize, backbone: nn.Module, n_classes: int):
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
        return models.ResNet(DEMO_SOURCE_CLASSES, in_channels=1, width=cfg.width,
                             blocks=(1, 1, 1), small_input=True)
    return models.ARCHITECTURES[cfg.backbone]()
