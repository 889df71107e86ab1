"""Settings of the transfer-learning project (a frozen pretrained backbone, a new small head)."""

from dataclasses import dataclass
from typing import Literal

from dlnd.core.config import MAX_BATCH, MAX_EPOCHS, MAX_STEPS, MAX_THREADS, BaseConfig, param
from dlnd.core.errors import ConfigError


@dataclass
class TransferLearningConfig(BaseConfig):
    data: str | None = param(
        None, "folder of images in class subfolders (e.g. flower_photos/); None = the offline "
        "demo: pretrain on Fashion-MNIST classes 0-4, transfer to the unseen classes 5-9")
    backbone: Literal["resnet18", "vgg16"] = param(
        "resnet18", "torchvision architecture of the feature extractor (with --data; the demo "
        "pretrains a small ResNet itself)")
    weights: str | None = param(
        None, "with --data: a torchvision-format state dict file (.pth), or 'download' for "
        "torchvision's ImageNet weights; None = random weights (only to test the pipeline)")
    image_size: int = param(224, "with --data: images are resized to this square, in pixels "
                            "(ImageNet backbones expect 224; at most 1024, 20x the pixels)", min=16,
                            max=1024)
    test_fraction: float = param(
        0.2, "with --data: share of each class's images held out for testing", gt=0, max=0.9)
    per_class: int = param(
        50, "demo: labelled training images per new class - little data is where transfer "
        "pays off (at most 6,000: Fashion-MNIST's images per class)", min=1, max=6_000)
    pretrain_epochs: int = param(
        2, "demo: passes over the 30,000 images of the 5 source classes (~20 s each)", min=1,
        max=MAX_EPOCHS)
    source_limit: int | None = param(
        None, "demo: pretrain on only this many source images (quick runs); None = all 30,000",
        min=2001, max=30_000)
    test_limit: int | None = param(
        None, "demo: score only this many of the 5,000 target test images; None = all", min=1,
        max=5_000)
    width: int = param(16, "demo: channels of the small ResNet's first stage (at most 1024, "
                       "16x ResNet-18's 64; its last stage has 4x as many)", min=1, max=1024)
    head_steps: int = param(
        300, "full-batch Adam steps on the cached features to fit the linear head", min=1,
        max=MAX_STEPS)
    scratch_epochs: int = param(
        30, "demo: passes over the little target set when training the same network from "
        "scratch, the baseline transfer must beat", min=1, max=MAX_EPOCHS)
    lr: float = param(3e-3, "Adam step size for the head and the scratch baseline", gt=0)
    batch_size: int = param(128, "images per step in pretraining and feature extraction", min=1,
                             max=MAX_BATCH)
    threads: int = param(0, "CPU threads for torch (0 = torch's default)", min=0,
                         max=MAX_THREADS)

    def check(self) -> None:
        super().check()
        if self.data is None and self.weights is not None:
            raise ConfigError("weights applies with --data (the demo pretrains its own backbone)")
