"""Settings of the student-admissions lesson (logistic unit vs a small network)."""

from dataclasses import dataclass

from dlnd.core.config import MAX_BATCH, MAX_EPOCHS, BaseConfig, param


@dataclass
class StudentAdmissionsConfig(BaseConfig):
    epochs: int = param(
        300, "passes over the 360 training students (course: 1000 at lr 0.5 without momentum)",
        min=1, max=MAX_EPOCHS)
    batch_size: int = param(32, "students per SGD step", min=1, max=MAX_BATCH)
    lr: float = param(0.05, "SGD step size (momentum 0.9) on the mean logistic loss", gt=0)
    hidden_nodes: int = param(
        8, "sigmoid units in the small network's hidden layer; the data are noisy, so more "
        "units only memorise (at most 10,000: more is a typo)", min=1, max=10_000)
    test_fraction: float = param(
        0.1, "students held out for the test, drawn at random with the seed (the course's 10%)",
        gt=0, max=0.5)
