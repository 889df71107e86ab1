"""Transfer learning: a frozen pretrained backbone and a new classifier head."""

from dlnd.core.project import Project
from dlnd.core.runs import Criterion
from dlnd.projects.transfer_learning.config import TransferLearningConfig

PROJECT = Project(
    name="transfer-learning",
    teaches="Transfer learning: reuse a pretrained conv net's features for a new task",
    engine="torch",
    config=TransferLearningConfig,
    module="dlnd.projects.transfer_learning.train",
    # The offline demo's data; --data reads any folder of images in class subfolders.
    data=tuple(("fashion-mnist", f) for f in (
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")),
    target_text="test accuracy >= 74% (the course's VGG16 features on flower photos), and in "
                "the demo transfer beats training from scratch on the same little data",
    target=(Criterion("test_acc", ">=", 0.74), Criterion("transfer_gain", ">", 0.0)),
    primary_metric="test_acc",
    # Each epoch scores one approach: the transfer, then (demo) the two baselines.
    epoch_metrics=("test/acc",),
    sweep_metric="test/acc",
    direction="maximize",
    offers=("predict",),
    quick={"pretrain_epochs": 1, "source_limit": 4000, "test_limit": 500, "width": 4,
           "head_steps": 50, "scratch_epochs": 3, "threads": 1},
    order=43,
)
