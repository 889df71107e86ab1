"""Lesson: weight initialization - one network, eight ways to set its starting weights."""

from dlnd.core.project import Project
from dlnd.core.runs import Criterion
from dlnd.projects.weight_init.config import WeightInitConfig

PROJECT = Project(
    name="weight-init",
    teaches="Lesson: weight initialization - zeros and ones never learn, scaled random weights do",
    engine="torch",
    config=WeightInitConfig,
    module="dlnd.projects.weight_init.train",
    data=tuple(("mnist", f) for f in (
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")),
    target_text="after 2 epochs: all-zeros stays near chance (course 11.3%), truncated normal "
                "std 0.1 learns (course 97.5%)",
    target=(Criterion("zeros_acc", "<", 0.2), Criterion("truncated_normal_acc", ">=", 0.96)),
    primary_metric="truncated_normal_acc",
    epoch_metrics=("test/acc",),  # each epoch trains one network and scores it
    sweep_metric="test/acc",
    direction="maximize",
    quick={"epochs": 1, "train_limit": 2000, "val_size": 500, "eval_every": 10},
    order=42,
)
