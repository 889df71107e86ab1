"""Lesson: batch normalization - the same MLP with and without it, at a small and a large rate."""

from dlnd.core.project import Project
from dlnd.core.runs import Criterion
from dlnd.projects.batch_norm.config import BatchNormConfig

PROJECT = Project(
    name="batch-norm",
    teaches="Lesson: batch normalization lets an MLP train at learning rates that break it "
            "otherwise",
    engine="torch",
    config=BatchNormConfig,
    module="dlnd.projects.batch_norm.train",
    data=tuple(("mnist", f) for f in (
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")),
    target_text="at lr 1 with ReLU: without batch norm ~10% (course 9.8%), with it > 95% "
                "(course 98.3% after 50,000 batches)",
    target=(Criterion("relu_lr1_plain_acc", "<", 0.2), Criterion("relu_lr1_bn_acc", ">", 0.95)),
    primary_metric="relu_lr1_bn_acc",
    epoch_metrics=("test/acc",),  # each epoch trains one network and scores it
    sweep_metric="test/acc",
    direction="maximize",
    quick={"steps": 60, "eval_every": 20, "hidden": (32, 32), "val_size": 500},
    order=41,
)
