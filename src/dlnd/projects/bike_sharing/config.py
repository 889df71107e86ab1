"""Settings of the bike-sharing project (Project 1)."""

from dataclasses import dataclass

from dlnd.core.config import BaseConfig, param


@dataclass
class BikeSharingConfig(BaseConfig):
    hidden_nodes: int = param(
        20, "sigmoid units in the one hidden layer; the course used 10-25: 12-16 underfit the "
        "rush hours, 28+ sometimes saturate at this learning rate", min=1)
    epochs: int = param(
        160, "passes over the 15,435 training hours (120 batches each, ~19,000 SGD steps, ~1.3 s); "
        "validation loss bottoms out between epochs 50 and 130 depending on the seed", min=1)
    batch_size: int = param(128, "hours per SGD step, as in the course", min=1)
    lr: float = param(
        0.7, "SGD step size on the batch-mean gradient; sigmoid units tolerate the course's "
        "0.5-1.0", gt=0)
    lr_final: float = param(
        0.01, "the step size decays linearly to this by the last epoch: large steps find the "
        "basin, small ones settle in it", min=0)
    keep_best: bool = param(
        True, "early termination: keep the weights of the epoch with the lowest validation "
        "loss (the test window stays unseen, so test figures remain honest)")
    val_days: int = param(60, "days before the test window held out for validation", min=1)
    test_days: int = param(21, "the last days of 2012, held out as the test window", min=1)
