"""Settings of the batch-norm lesson (the same MLP with and without batch normalization)."""

from dataclasses import dataclass
from typing import Literal

from dlnd.core.config import (
    MAX_BATCH,
    MAX_STEPS,
    MAX_THREADS,
    MAX_UNITS,
    BaseConfig,
    check_mlp_memory,
    param,
)


@dataclass
class BatchNormConfig(BaseConfig):
    dataset: Literal["mnist", "fashion-mnist"] = param(
        "mnist", "28x28 image set; the course used MNIST digits")
    hidden: tuple[int, ...] = param(
        (100, 100, 100, 100), "units of each hidden layer (the course: four of 100)", min=1,
        max=MAX_UNITS)
    learning_rates: tuple[float, ...] = param(
        (0.01, 1.0), "plain gradient-descent step sizes to compare; the course showed 0.01 "
        "(slow without batch norm) and 1 (diverges without it)", gt=0)
    activations: tuple[str, ...] = param(
        ("relu", "sigmoid"), "hidden-layer nonlinearities to compare", choices=("relu", "sigmoid"))
    weight_std: float = param(
        0.05, "std of the normal initial weights, as in the course (biases start at 0)", gt=0)
    steps: int = param(
        3000, "training batches per network (the course ran 50,000; 3,000 already shows the "
        "effect, in ~8 s per network on one core)", min=1, max=MAX_STEPS)
    batch_size: int = param(60, "images per gradient step, as in the course", min=1,
                            max=MAX_BATCH)
    eval_every: int = param(
        100, "steps between validation measurements (the curves' resolution)", min=1,
        max=MAX_STEPS)
    val_size: int = param(5000, "training images held out to draw the curves "
                                "(at most 59,000: leaves 1,000 of the 60,000 training "
                                "images to learn from)", min=1, max=59_000)
    threads: int = param(
        1, "CPU threads for torch (0 = torch's default); these layers are so small that one "
        "thread is fastest (more only wait on each other)", min=0, max=MAX_THREADS)

    def check(self) -> None:
        super().check()
        check_mlp_memory(self.hidden, self.batch_size)
