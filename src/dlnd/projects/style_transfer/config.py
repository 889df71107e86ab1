"""Settings of style-transfer (Gatys et al. 2016: optimise an image's pixels)."""

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dlnd.core.config import MAX_EPOCHS, MAX_STEPS, MAX_THREADS, BaseConfig, param
from dlnd.core.errors import ConfigError


@dataclass
class StyleTransferConfig(BaseConfig):
    content: str | None = param(
        None, "content image file (any format Pillow reads); None = a landscape dlnd draws "
        "(no photos ship with dlnd)")
    style: str | None = param(
        None, "style image file; None = a painterly texture of swirling brush strokes that "
        "dlnd draws")
    size: int = param(
        256, "longest side of the content image and of the result, in pixels (the style "
        "image is scaled to the same longest side); 512 is the published size, ~4x slower",
        min=16, max=2048)
    features: Literal["random", "trained", "vgg16", "vgg19"] = param(
        "random", "feature network: 'random' = one layer of random multi-scale filters "
        "(Ustyuzhaninov et al. 2017, no training), 'trained' = a small VGG dlnd trains on the "
        "CIFAR-10 sample first, 'vgg16'/'vgg19' = ImageNet VGG as published (needs weights)")
    weights: str | None = param(
        None, "vgg16/vgg19: a torchvision-format state dict file (e.g. vgg19-dcbb9e9d.pth), or "
        "'download' when online; dlnd ships no ImageNet weights")
    content_weight: float = param(
        1.0, "weight of the content loss (relative distance of the content layer's features)",
        min=0)
    style_weight: float = param(
        10.0, "weight of the style loss (relative distance of the Gram matrices, averaged over "
        "the style layers); both losses are relative, so one ratio suits every network", min=0)
    tv_weight: float = param(
        0.01, "weight of the total-variation loss (mean absolute neighbour difference of the "
        "pixels), which removes speckle", min=0)
    optimizer: Literal["lbfgs", "adam"] = param(
        "lbfgs", "L-BFGS with a strong-Wolfe line search, as Gatys et al.; or Adam")
    lr: float | None = param(
        None, "step size; None = 1.0 for L-BFGS (its line search scales it), 0.02 for Adam "
        "(pixels are in [0, 1])", gt=0)
    init: Literal["content", "noise"] = param(
        "content", "start from the content image (converges in fewer steps) or from noise")
    epochs: int = param(
        5, "blocks of `steps` optimisation iterations; the image and the optimizer are saved "
        "after each", min=1, max=MAX_EPOCHS)
    steps: int = param(100, "optimisation iterations per epoch", min=1, max=MAX_STEPS)
    random_octaves: int = param(
        4, "random features: octaves of the image pyramid (full size, 1/2, 1/4 ...), one "
        "bank of filters and one style layer each", min=1, max=8)
    random_kernel: int = param(5, "random features: filter size in pixels at each octave",
                               min=1, max=31)
    random_channels: int = param(64, "random features: filters per size", min=1, max=1024)
    trained_width: float = param(
        0.25, "trained features: the small VGG's widths as a fraction of VGG's (64-128-256)",
        gt=0, max=4)
    trained_steps: int = param(
        400, "trained features: SGD steps on the CIFAR-10 sample (batches of 64) before "
        "stylising", min=1, max=MAX_STEPS)
    threads: int = param(0, "CPU threads for torch (0 = torch's default)", min=0,
                         max=MAX_THREADS)

    def check(self) -> None:
        super().check()
        check_features(self)


def check_features(cfg) -> None:
    """vgg16/vgg19 need weights; weights mean nothing for the other networks."""
    if cfg.features.startswith("vgg") and cfg.weights is None:
        raise ConfigError(f"features={cfg.features} needs ImageNet weights: --set weights="
                          f"PATH.pth (torchvision's state dict) or weights=download when online; "
                          f"offline, use features=random or features=trained")
    if not cfg.features.startswith("vgg") and cfg.weights is not None:
        raise ConfigError(f"weights applies to features=vgg16 or vgg19, not {cfg.features}")
    if cfg.content_weight == cfg.style_weight == 0:
        raise ConfigError("content_weight and style_weight are both 0: nothing to optimise")
    for key in ("content", "style"):
        check_image_file(key, getattr(cfg, key, None))


def check_image_file(key: str, path: str | None) -> None:
    """A named image file must exist before a run directory is made (its pixels are read,
    with a clear error for a damaged file, when the run starts)."""
    if path is not None and not Path(path).is_file():
        what = "is a folder, not an image file" if Path(path).is_dir() else "does not exist"
        raise ConfigError(f"{key} image {path} {what}")
