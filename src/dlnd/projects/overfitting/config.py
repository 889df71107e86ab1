"""Settings of the overfitting lesson: one network, four ways to (not) regularise it."""

from dataclasses import dataclass
from typing import Literal

from dlnd.core.config import BaseConfig, param


@dataclass
class OverfittingConfig(BaseConfig):
    dataset: Literal["fashion-mnist", "mnist"] = param(
        "fashion-mnist", "which 28x28 image set (as in mnist-mlp)")
    train_limit: int = param(
        10000, "training images used: few enough that the plain network memorises them within "
        "the run, which is what the lesson needs to show", min=1)
    val_size: int = param(5000, "training images held out to validate every epoch", min=1)
    hidden: tuple[int, ...] = param((256, 128), "units of each ReLU hidden layer", min=1)
    epochs: int = param(30, "passes over the training images for every variant", min=1)
    batch_size: int = param(128, "images per Adam step", min=1)
    lr: float = param(1e-3, "Adam's step size, constant so that overfitting is not masked by "
                      "a decaying rate", gt=0)
    l2: float = param(
        1e-3, "L2 variant: penalty weight added to the gradient (weight_decay * w)", gt=0)
    dropout: float = param(0.5, "dropout variant: probability of zeroing a hidden unit", gt=0,
                           max=0.9)
    patience: int = param(
        3, "early-stopping variant: epochs without a lower validation loss before it stops "
        "(its best weights are kept)", min=1)
