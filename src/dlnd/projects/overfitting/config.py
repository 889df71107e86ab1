"""Settings of the overfitting lesson: one network, four ways to (not) regularise it."""

from dataclasses import dataclass
from typing import Literal

from dlnd.core.config import MAX_BATCH, MAX_EPOCHS, MAX_UNITS, BaseConfig, check_mlp_memory, param


@dataclass
class OverfittingConfig(BaseConfig):
    dataset: Literal["fashion-mnist", "mnist"] = param(
        "fashion-mnist", "which 28x28 image set (as in mnist-mlp)")
    train_limit: int = param(
        10000, "training images used: few enough that the plain network memorises them within "
        "the run, which is what the lesson needs to show (at most the 60,000 training images)",
        min=1, max=60_000)
    val_size: int = param(5000, "training images held out to validate every epoch "
                                "(at most 59,000: leaves 1,000 of the 60,000 training "
                                "images to learn from)", min=1, max=59_000)
    hidden: tuple[int, ...] = param((256, 128), "units of each ReLU hidden layer", min=1,
                                    max=MAX_UNITS)
    epochs: int = param(30, "passes over the training images for every variant", min=1,
                        max=MAX_EPOCHS)
    batch_size: int = param(128, "images per Adam step", min=1, max=MAX_BATCH)
    lr: float = param(1e-3, "Adam's step size, constant so that overfitting is not masked by "
                      "a decaying rate", gt=0)
    l2: float = param(
        1e-3, "L2 variant: penalty weight added to the gradient (weight_decay * w)", gt=0)
    dropout: float = param(0.5, "dropout variant: probability of zeroing a hidden unit", gt=0,
                           max=0.9)
    patience: int = param(
        3, "early-stopping variant: epochs without a lower validation loss before it stops "
        "(its best weights are kept)", min=1, max=MAX_EPOCHS)

    def check(self) -> None:
        super().check()
        check_mlp_memory(self.hidden, self.batch_size)
