"""Settings of the MiniFlow lesson (a 2-layer network trained by SGD on diabetes progression)."""

from dataclasses import dataclass

from dlnd.core.config import MAX_BATCH, MAX_EPOCHS, BaseConfig, param


@dataclass
class MiniflowConfig(BaseConfig):
    hidden_nodes: int = param(10, "sigmoid units in the hidden layer (MiniFlow's exercise: 10; "
                              "at most 10,000: more is a typo)", min=1, max=10_000)
    epochs: int = param(
        300, "passes over the 353 training patients; test R² levels off after ~200", min=1,
        max=MAX_EPOCHS)
    batch_size: int = param(11, "patients per SGD step (MiniFlow's exercise: 11)", min=1,
                            max=MAX_BATCH)
    lr: float = param(
        0.01, "plain SGD step size, as in MiniFlow (the target is standardised, so the loss "
        "starts near 1)", gt=0)
    test_fraction: float = param(0.2, "patients held out for the test, drawn with the seed",
                                 gt=0, max=0.5)
