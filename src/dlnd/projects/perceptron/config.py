"""Settings of the perceptron lesson (logic gates with one unit, XOR with a hidden layer)."""

from dataclasses import dataclass

from dlnd.core.config import MAX_EPOCHS, MAX_STEPS, BaseConfig, param


@dataclass
class PerceptronConfig(BaseConfig):
    epochs: int = param(20, "rounds of training, each `steps_per_epoch` full-batch steps", min=1,
                        max=MAX_EPOCHS)
    steps_per_epoch: int = param(
        50, "gradient steps per round on all four truth-table rows at once", min=1,
        max=MAX_STEPS)
    lr: float = param(
        0.5, "SGD step size (momentum 0.9) on the mean logistic loss; the tables are tiny and "
        "separable, so large steps are safe", gt=0)
    hidden_nodes: int = param(
        8, "tanh units in the hidden layer of the XOR network; 2 suffice in principle, 8 make "
        "getting stuck in a bad start rare (at most 10,000: more is a typo)", min=2, max=10_000)
