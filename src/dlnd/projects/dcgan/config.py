"""Settings of dcgan: the DCGAN paper's optimiser and initialisation, narrow networks that fit
a 2-core CPU."""

from dataclasses import dataclass

from dlnd.core.config import MAX_EPOCHS, MAX_UNITS, param
from dlnd.shared.gan_config import GanConfig


@dataclass
class DcganConfig(GanConfig):
    data: str = param(
        "mnist", "images to learn: mnist, fashion-mnist (measured), svhn (the course's; 32x32 "
        "colour, measured, downloaded when online) or a folder of images (a path with a /)")
    epochs: int = param(
        0, "passes over the training images; 0 = the dataset's: 6 for Fashion-MNIST (after 2 "
        "its confident samples held almost no T-shirts or pullovers, after 6 all ten classes "
        "at 3% or more), 2 for the rest (MNIST: all ten digits after 2)", min=0,
        max=MAX_EPOCHS)
    width: int = param(
        32, "channels of the generator's last hidden layer and of the discriminator's first "
        "(each further layer doubles them: 32/64 for 28x28); the paper's 128 costs ~4x more "
        "per step on a CPU", min=1, max=MAX_UNITS)
    image_size: int = param(32, "side in pixels of images read from a folder", min=8, max=128)

    def resolved_epochs(self) -> int:
        return self.epochs or (6 if self.data == "fashion-mnist" else 2)
