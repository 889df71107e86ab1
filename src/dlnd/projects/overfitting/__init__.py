"""Lesson: overfitting, and three cures for it (L2, dropout, early stopping), on dlnd.engine."""

from dlnd.core.project import Project
from dlnd.core.runs import Criterion
from dlnd.projects.overfitting.config import OverfittingConfig

PROJECT = Project(
    name="overfitting",
    teaches="Lesson: the same MLP with no regularisation, L2, dropout and early stopping",
    engine="numpy",
    config=OverfittingConfig,
    module="dlnd.projects.overfitting.train",
    data=tuple(("fashion-mnist", f) for f in (
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")),
    target_text="some regularised variant beats the unregularised network on the test set "
                "(regularisation_gain > 0)",
    target=(Criterion("regularisation_gain", ">", 0.0),),
    primary_metric="best_test_acc",
    # The early-stopping variant's metrics end when it stops, so they are not among these.
    epoch_metrics=tuple(f"{variant}/{metric}" for variant in ("none", "l2", "dropout")
                        for metric in ("train_loss", "train_acc", "val_loss", "val_acc")),
    # Sweeps tune the settings all variants share (lr, hidden, batch size) on the plain network,
    # the lesson's baseline; `--metric l2/val_loss` or `dropout/val_loss` tunes a cure instead.
    sweep_metric="none/val_loss",
    quick={"epochs": 2, "train_limit": 1000, "val_size": 500, "hidden": (32,)},
    order=7,
)
