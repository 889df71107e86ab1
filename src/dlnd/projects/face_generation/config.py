"""Settings of face-generation (Project 5): the course's choices where it made them."""

from dataclasses import dataclass

from dlnd.core.config import MAX_EPOCHS, MAX_UNITS, param
from dlnd.shared.gan_config import GanConfig


@dataclass
class FaceGenerationConfig(GanConfig):
    data: str = param(
        "mnist", "mnist first (the rubric's check), then celeba (the course's aligned faces, "
        "downloaded when online) or any folder of face images (a path with a /)")
    epochs: int = param(2, "passes over the training images (the course: 2 on MNIST, 1 on "
                        "CelebA)", min=1, max=MAX_EPOCHS)
    width: int = param(
        32, "channels of the generator's last hidden layer and of the discriminator's first "
        "(doubling per layer)", min=1, max=MAX_UNITS)
    image_size: int = param(28, "side in pixels of faces (the course resized CelebA's central "
                            "108x108 to 28x28)", min=8, max=128)
    channels: int = param(3, "colour faces (3) or grey (1)", min=1, max=3)
