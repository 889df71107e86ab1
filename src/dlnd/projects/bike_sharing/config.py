"""Settings of the bike-sharing project (Project 1)."""

from dataclasses import dataclass

from dlnd.core.config import MAX_BATCH, MAX_EPOCHS, BaseConfig, check_memory, mlp_parameters, param

INPUTS_ESTIMATE = 64  # input columns, rounded up (one-hot season, weather, month, hour, weekday...)


@dataclass
class BikeSharingConfig(BaseConfig):
    hidden_nodes: int = param(
        20, "sigmoid units in the one hidden layer; the course used 10-25: 12-16 underfit the "
        "rush hours, 28+ sometimes saturate at this learning rate (at most 10,000: more is a "
        "typo)", min=1, max=10_000)
    epochs: int = param(
        120, "passes over the 15,435 training hours (120 batches each, ~14,400 SGD steps, ~1.5 s "
        "on a 2-core CPU); validation loss bottoms out between epochs 55 and 110 depending on the "
        "seed (160 epochs: validation 0.125 instead of 0.129 over 5 seeds, in 1.3x the time)",
        min=1, max=MAX_EPOCHS)
    batch_size: int = param(128, "hours per SGD step, as in the course", min=1, max=MAX_BATCH)
    lr: float = param(
        0.7, "SGD step size on the batch-mean gradient; sigmoid units tolerate the course's "
        "0.5-1.0", gt=0)
    lr_final: float = param(
        0.01, "the step size decays linearly to this by the last epoch: large steps find the "
        "basin, small ones settle in it", min=0)
    keep_best: bool = param(
        True, "early termination: keep the weights of the epoch with the lowest validation "
        "loss (the test window stays unseen, so test figures remain honest)")
    val_days: int = param(60, "days before the test window held out for validation (at most "
                          "300 of the data's 731 days)", min=1, max=300)
    test_days: int = param(21, "the last days of 2012, held out as the test window (at most "
                           "300)", min=1, max=300)

    def check(self) -> None:
        super().check()
        # the inputs are ~56 one-hot and scaled columns; the hidden layer drives the memory
        check_memory("hidden_nodes", mlp_parameters((INPUTS_ESTIMATE, self.hidden_nodes, 1)),
                     activations=4 * self.batch_size * self.hidden_nodes, copies=2)  # SGD
