"""The settings every GAN project has, apart from :mod:`dlnd.shared.gan` so that declaring a
GAN project (its config) does not import torch."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dlnd.core.config import MAX_BATCH, MAX_EPOCHS, MAX_THREADS, MAX_UNITS, BaseConfig, param
from dlnd.core.errors import ConfigError

LABELLED = ("mnist", "fashion-mnist", "svhn")  # datasets with classes: measured quality
NAMED = (*LABELLED, "celeba")


@dataclass
class GanConfig(BaseConfig):
    data: str = param(
        "mnist", "images to learn: mnist, fashion-mnist, svhn (32x32 colour, downloaded when "
        "online), celeba (faces, downloaded when online) or a folder of images (any path with "
        "a /)")
    epochs: int = param(2, "passes over the training images", min=1, max=MAX_EPOCHS)
    batch_size: int = param(64, "real images per step (and as many generated)", min=2,
                            max=MAX_BATCH)
    lr: float = param(2e-4, "Adam step size of both networks", gt=0)
    beta1: float = param(0.5, "Adam's first-moment decay; 0.5 (DCGAN paper) damps the "
                         "oscillation of the two-player game", min=0, max=0.999)
    z_dim: int = param(100, "size of the noise vector the generator starts from", min=1,
                       max=MAX_UNITS)
    smooth: float = param(0.0, "one-sided label smoothing: real images are labelled "
                          "1 - smooth for the discriminator", min=0, max=0.5)
    train_limit: int | None = param(
        None, "use only the first this many training images (None = all)", min=1,
        max=1_000_000)
    image_size: int = param(
        32, "side in pixels of images read from a folder or CelebA (MNIST-like sets keep "
        "their 28, SVHN its 32)", min=8, max=128)
    channels: int = param(3, "1 (grey) or 3 (colour) for images read from a folder or CelebA",
                          min=1, max=3)
    fid_samples: int = param(
        10_000, "generated images scored at the end with the FID (domain classifier)",
        min=100, max=100_000)
    eval_samples: int = param(
        2_000, "generated images scored after every epoch (val/fid_domain)", min=100,
        max=100_000)
    classifier_width: int = param(
        16, "first-stage channels of the domain classifier's small ResNet (features: 4x)",
        min=1, max=256)
    classifier_epochs: int = param(
        4, "epochs the domain classifier trains (trained once per dataset and cached; with "
        "width 16: MNIST 99.30% test accuracy in 281 s on 2 CPU threads, Fashion-MNIST "
        "91.98%, where width 8 x 1 epoch reached 86.61% and left coats and shirts uncounted)",
        min=1, max=100)
    classifier_limit: int | None = param(
        None, "domain classifier trains on the first this many images (None = all)", min=100,
        max=1_000_000)
    inception_fid: bool = param(
        False, "also report standard Inception FID (fid_inception) when torchmetrics is "
        "installed and its Inception weights can be fetched; skipped otherwise")
    test_limit: int | None = param(
        None, "measure against only the first this many real test images (quick runs); "
        "None = all", min=100, max=1_000_000)
    threads: int = param(0, "CPU threads for torch (0 = torch's default)", min=0,
                         max=MAX_THREADS)

    def resolved_epochs(self) -> int:
        """The epochs to train (a project may let 0 mean its dataset's default)."""
        return self.epochs

    def check(self) -> None:
        super().check()
        if self.channels == 2:
            raise ConfigError("channels must be 1 (grey) or 3 (colour)")
        if not self.data.strip():
            raise ConfigError("data must name a dataset or a folder of images")
        if self.data not in NAMED and "/" not in self.data and not Path(self.data).is_dir():
            raise ConfigError(f"data must be one of {', '.join(NAMED)} or a folder of images "
                              f"(a path: write ./{self.data}/ for a folder here), not "
                              f"{self.data!r}")
