"""Settings of the weight-initialization lesson (one network, many ways to set its weights)."""

from dataclasses import dataclass
from typing import Literal

from dlnd.core.config import (
    MAX_BATCH,
    MAX_EPOCHS,
    MAX_STEPS,
    MAX_THREADS,
    MAX_UNITS,
    BaseConfig,
    check_mlp_memory,
    param,
)

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
        (256, 128), "units of each ReLU hidden layer (the course: 256 and 128)", min=1,
        max=MAX_UNITS)
    epochs: int = param(2, "passes over the training images, as in the course", min=1,
                        max=MAX_EPOCHS)
    batch_size: int = param(100, "images per Adam step, as in the course", min=1,
                            max=MAX_BATCH)
    lr: float = param(1e-3, "Adam's step size, as in the course", gt=0)
    eval_every: int = param(
        50, "steps between validation measurements (the curves' resolution)", min=1,
        max=MAX_STEPS)
    val_size: int = param(5000, "training images held out to draw the curves "
                                "(at most 59,000: leaves 1,000 of the 60,000 training "
                                "images to learn from)", min=1, max=59_000)
    train_limit: int | None = param(
        None, "use only this many training images (quick runs); None = all", min=1,
        max=60_000)  # the training set's size
    threads: int = param(
        1, "CPU threads for torch (0 = torch's default); these layers are so small that one "
        "thread is fastest", min=0, max=MAX_THREADS)

    def check(self) -> None:
        super().check()
        check_mlp_memory(self.hidden, self.batch_size)
