"""Settings of the weight-initialization lesson (one network, many ways to set its weights)."""

from dataclasses import dataclass
from typing import Literal

from dlnd.core.config import BaseConfig, param

SCHEMES = ("zeros", "ones", "uniform_0_1", "uniform_scaled", "normal", "truncated_normal",
           "xavier", "he")


@dataclass
class WeightInitConfig(BaseConfig):
    dataset: Literal["mnist", "fashion-mnist"] = param(
        "mnist", "28x28 image set; the course used MNIST digits")
    schemes: tuple[str, ...] = param(
        SCHEMES, "initialisations to compare: zeros, ones, uniform [0,1), uniform [-y,y) with "
        "y = 1/sqrt(fan-in), normal std 0.1, truncated normal std 0.1 (within 2 std), Xavier "
        "(Glorot uniform), He (Kaiming normal); biases always start at 0", choices=SCHEMES)
    hidden: tuple[int, ...] = param(
        (256, 128), "units of each ReLU hidden layer (the course: 256 and 128)", min=1)
    epochs: int = param(2, "passes over the training images, as in the course", min=1)
    batch_size: int = param(100, "images per Adam step, as in the course", min=1)
    lr: float = param(1e-3, "Adam's step size, as in the course", gt=0)
    eval_every: int = param(
        50, "steps between validation measurements (the curves' resolution)", min=1)
    val_size: int = param(5000, "training images held out to draw the curves", min=1)
    train_limit: int | None = param(
        None, "use only this many training images (quick runs); None = all", min=1)
    threads: int = param(
        1, "CPU threads for torch (0 = torch's default); these layers are so small that one "
        "thread is fastest", min=0)
