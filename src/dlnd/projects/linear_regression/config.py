"""Settings of the linear-regression lesson (life expectancy from BMI)."""

from dataclasses import dataclass

from dlnd.core.config import MAX_EPOCHS, BaseConfig, param


@dataclass
class LinearRegressionConfig(BaseConfig):
    epochs: int = param(
        200, "full-batch gradient-descent steps on the 163 countries; the standardised BMI "
        "makes the problem well conditioned, so ~100 steps already reach the closed form", min=1,
        max=MAX_EPOCHS)
    lr: float = param(
        0.1, "gradient-descent step size on the mean squared error (in standardised units; "
        "above 1.0 it diverges)", gt=0)
