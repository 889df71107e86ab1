"""Settings of gan-mnist: the course's fully connected GAN (its hyperparameters as defaults)."""

from dataclasses import dataclass

from dlnd.core.config import MAX_EPOCHS, MAX_UNITS, check_memory, mlp_parameters, param
from dlnd.shared.gan_config import GanConfig


@dataclass
class GanMnistConfig(GanConfig):
    data: str = param(
        "mnist", "images to learn: mnist or fashion-mnist (measured), or any dataset/folder "
        "the DCGAN projects take")
    epochs: int = param(
        30, "passes over the 60,000 training images (the course made 100; ~6 s each on 2 "
        "idle CPU cores)", min=1, max=MAX_EPOCHS)
    batch_size: int = param(100, "real images per step (the course's 100)", min=2,
                            max=65_536)
    lr: float = param(2e-3, "Adam step size of both networks (the course's 0.002)", gt=0)
    beta1: float = param(0.9, "Adam's first-moment decay (the course kept Adam's default 0.9)",
                         min=0, max=0.999)
    smooth: float = param(0.1, "one-sided label smoothing: the discriminator's target for "
                          "real images is 1 - smooth (the course's 0.1)", min=0, max=0.5)
    g_hidden: int = param(128, "units of the generator's hidden layer (the course's 128)",
                          min=1, max=MAX_UNITS)
    d_hidden: int = param(128, "units of the discriminator's hidden layer (the course's 128)",
                          min=1, max=MAX_UNITS)
    alpha: float = param(0.01, "leaky ReLU slope for negative inputs (the course's 0.01)",
                         min=0, max=1)

    def check(self) -> None:
        super().check()
        pixels = 3 * 128 * 128  # the largest image a folder can give
        check_memory("g_hidden, d_hidden or z_dim",
                     mlp_parameters((self.z_dim, self.g_hidden, pixels)) +
                     mlp_parameters((pixels, self.d_hidden, 1)))
