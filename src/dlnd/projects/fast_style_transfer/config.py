"""Settings of fast-style-transfer (Johnson et al. 2016: a feed-forward transformer network)."""

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dlnd.core.config import (
    MAX_BATCH,
    MAX_EPOCHS,
    MAX_LAYERS,
    MAX_STEPS,
    MAX_THREADS,
    MAX_UNITS,
    BaseConfig,
    param,
)
from dlnd.core.errors import ConfigError


@dataclass
class FastStyleTransferConfig(BaseConfig):
    content: str = param(
        "cifar10-sample", "training content images: 'cifar10-sample' (its 2,000 32x32 "
        "training photos, upsampled), 'drawn' (landscapes dlnd draws, one per seed) or a "
        "folder of image files (Johnson et al. used 80,000 COCO photos)")
    content_limit: int | None = param(
        None, "use only this many content images (None = all; 'drawn' draws 200 by default)",
        min=2, max=1_000_000)
    image_size: int = param(
        96, "side of the square training images, in pixels (Johnson et al.: 256; CIFAR-10's "
        "32 pixels hold no more detail when upsampled, and a CPU trains 7x faster at 96)",
        min=16, max=1024)
    style: str | None = param(
        None, "style image file; None = the painterly texture of swirling brush strokes that "
        "dlnd draws")
    style_size: int = param(
        256, "longest side of the style image, in pixels (Gram matrices do not depend on the "
        "size, but the brush strokes' scale in pixels does)", min=16, max=2048)
    features: Literal["random", "trained", "vgg16", "vgg19"] = param(
        "random", "feature network of the losses: 'random' = random multi-scale filters "
        "(Ustyuzhaninov et al. 2017), 'trained' = a small VGG dlnd trains on the CIFAR-10 "
        "sample first, 'vgg16'/'vgg19' = ImageNet VGG as published (needs weights)")
    weights: str | None = param(
        None, "vgg16/vgg19: a torchvision-format state dict file (e.g. vgg16-397923af.pth), or "
        "'download' when online; dlnd ships no ImageNet weights")
    content_weight: float = param(1.0, "weight of the content loss (relative feature "
                                  "distance)", min=0)
    style_weight: float = param(10.0, "weight of the style loss (relative Gram distance)",
                                min=0)
    tv_weight: float = param(0.01, "weight of the total-variation loss", min=0)
    width: int = param(
        16, "channels of the transformer's first conv; it doubles twice down to the residual "
        "blocks (Johnson et al.: 32, which costs 4x as much per pixel on a CPU)", min=1,
        max=MAX_UNITS // 4)
    res_blocks: int = param(5, "residual blocks at a quarter of the resolution (Johnson: 5)",
                            min=0, max=MAX_LAYERS)
    epochs: int = param(2, "passes over the content images (Johnson et al.: 2 over 80,000 "
                        "COCO photos)", min=1, max=MAX_EPOCHS)
    batch_size: int = param(4, "content images per Adam step (Johnson et al.: 4)", min=1,
                            max=MAX_BATCH)
    lr: float = param(1e-3, "Adam step size (Johnson et al.: 1e-3)", gt=0)
    val_size: int = param(16, "content images held out to score the network each epoch",
                          min=1, max=10_000)
    predict_size: int = param(
        512, "dlnd predict: longest side of the stylised image, in pixels (the network is "
        "convolutional: any size works)", min=16, max=4096)
    random_octaves: int = param(
        4, "random features: octaves of the image pyramid (full size, 1/2, 1/4 ...), one "
        "bank of filters and one style layer each", min=1, max=8)
    random_kernel: int = param(5, "random features: filter size in pixels at each octave",
                               min=1, max=31)
    random_channels: int = param(64, "random features: filters per size", min=1, max=1024)
    trained_width: float = param(
        0.25, "trained features: the small VGG's widths as a fraction of VGG's", gt=0, max=4)
    trained_steps: int = param(
        400, "trained features: SGD steps on the CIFAR-10 sample before training the "
        "transformer", min=1, max=MAX_STEPS)
    threads: int = param(0, "CPU threads for torch (0 = torch's default)", min=0,
                         max=MAX_THREADS)

    def check(self) -> None:
        super().check()
        if self.features.startswith("vgg") and self.weights is None:
            raise ConfigError(f"features={self.features} needs ImageNet weights: --set "
                              f"weights=PATH.pth (torchvision's state dict) or weights=download "
                              f"when online; offline, use features=random or features=trained")
        if not self.features.startswith("vgg") and self.weights is not None:
            raise ConfigError(f"weights applies to features=vgg16 or vgg19, not "
                              f"{self.features}")
        if self.content_weight == self.style_weight == 0:
            raise ConfigError("content_weight and style_weight are both 0: nothing to learn")
        if self.style is not None and not Path(self.style).is_file():
            what = "is a folder, not an image file" if Path(self.style).is_dir() else \
                "does not exist"
            raise ConfigError(f"style image {self.style} {what}")
        if self.content not in ("cifar10-sample", "drawn") and not Path(self.content).is_dir():
            raise ConfigError(f"content must be 'cifar10-sample', 'drawn' or a folder of "
                              f"images; {self.content} is not a folder")
        if self.image_size % 4:
            raise ConfigError(f"image_size must be a multiple of 4 (the network halves it "
                              f"twice), not {self.image_size}")
