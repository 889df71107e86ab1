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
    quick={"epochs": 2, "steps_per_epoch": 20},
    order=2,
)
