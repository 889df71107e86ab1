"""Lesson: perceptrons as logic gates; XOR needs a hidden layer (on dlnd.engine)."""

from dlnd.core.project import Project
from dlnd.core.runs import Criterion
from dlnd.projects.perceptron.config import PerceptronConfig

PROJECT = Project(
    name="perceptron",
    teaches="Lesson: one unit learns AND, OR, NOT but not XOR; a hidden layer learns XOR",
    engine="numpy",
    config=PerceptronConfig,
    module="dlnd.projects.perceptron.train",
    data=(),
    target_text="AND, OR, NOT and XOR (with a hidden layer) all 100% correct; one unit gets at "
                "most 3 of XOR's 4 rows",
    target=(Criterion("and_acc", ">=", 1.0), Criterion("or_acc", ">=", 1.0),
            Criterion("not_acc", ">=", 1.0), Criterion("xor_hidden_acc", ">=", 1.0),
            Criterion("xor_single_acc", "<=", 0.75)),
    primary_metric="xor_hidden_acc",
    epoch_metrics=tuple(f"{model}/{metric}" for model in ("and", "or", "not", "xor_single",
                                                          "xor_hidden")
                        for metric in ("loss", "acc")),
    # A truth table is the whole input space, so nothing is held out to validate on; sweeps
    # minimise the training loss of the one network whose fit is in question, XOR's hidden layer.
    sweep_metric="xor_hidden/loss",
    quick={"epochs": 2, "steps_per_epoch": 20},
    order=2,
)
