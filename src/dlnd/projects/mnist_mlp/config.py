"""Settings of the mnist-mlp lesson (a multilayer perceptron on MNIST-style digits)."""

from dataclasses import dataclass
from typing import Literal

from dlnd.core.config import MAX_BATCH, MAX_EPOCHS, MAX_UNITS, BaseConfig, check_mlp_memory, param


@dataclass
class MnistMlpConfig(BaseConfig):
    dataset: Literal["fashion-mnist", "mnist"] = param(
        "fashion-mnist", "which 28x28 image set: Fashion-MNIST (clothes, the harder one) or MNIST "
        "(handwritten digits)")
    hidden: tuple[int, ...] = param(
        (512, 256), "units of each ReLU hidden layer, input to output (784 -> these -> 10)", min=1,
        max=MAX_UNITS)
    dropout: float = param(
        0.2, "probability of zeroing each hidden unit while training; 0.2 closes most of the "
        "train/test gap without slowing learning", min=0, max=0.9)
    epochs: int = param(
        24, "passes over the training images (~3.5 s each on 2 cores); the cosine schedule "
        "reaches its lowest rate at the last one", min=1, max=MAX_EPOCHS)
    batch_size: int = param(128, "images per Adam step", min=1, max=MAX_BATCH)
    lr: float = param(
        1e-3, "Adam's initial step size; decays to 0 along a cosine over the epochs", gt=0)
    weight_decay: float = param(
        0.0, "L2 penalty added to the gradient (dropout already regularises)", min=0)
    val_size: int = param(
        5000, "training images held out (chosen at random) to validate each epoch; the test set "
        "stays unseen until the end (at most 59,000: leaves 1,000 of the 60,000 training "
        "images to learn from)", min=1, max=59_000)
    train_limit: int | None = param(
        None, "use only this many training images (after the validation split); None = all",
        min=1, max=60_000)  # the training set's size

    def check(self) -> None:
        super().check()
        check_mlp_memory(self.hidden, self.batch_size)
