"""Lesson: a multilayer perceptron with softmax outputs on (Fashion-)MNIST, on dlnd.engine."""

from dlnd.core.project import Project
from dlnd.core.runs import Criterion
from dlnd.projects.mnist_mlp.config import MnistMlpConfig

PROJECT = Project(
    name="mnist-mlp",
    teaches="Lesson: an MLP with softmax + cross-entropy classifies 28x28 images (dlnd.engine)",
    engine="numpy",
    config=MnistMlpConfig,
    module="dlnd.projects.mnist_mlp.train",
    data=tuple(("fashion-mnist", f) for f in (
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")),
    target_text="Fashion-MNIST test accuracy >= 89.5% (benchmark MLP 256-128-100: 88.3%)",
    target=(Criterion("test_acc", ">=", 0.895),),
    primary_metric="test_acc",
    epoch_metrics=("train/loss", "val/loss", "val/acc", "train/lr"),
    offers=("predict",),
    quick={"epochs": 2, "train_limit": 3000, "val_size": 1000, "hidden": (64,)},
    order=6,
)
