"""Project 1: predicting bike-sharing demand with a network written from scratch in NumPy."""

from dlnd.core.project import Project
from dlnd.core.runs import Criterion
from dlnd.projects.bike_sharing.config import BikeSharingConfig

PROJECT = Project(
    name="bike-sharing",
    teaches="Project 1: a neural network from scratch (NumPy forward + backward), regression",
    engine="numpy",
    config=BikeSharingConfig,
    module="dlnd.projects.bike_sharing.train",
    data=(("bike-sharing", "hour.csv"),),
    target_text="train loss < 0.09 and validation loss < 0.18 (MSE on z-scored rides)",
    target=(Criterion("train_loss", "<", 0.09), Criterion("val_loss", "<", 0.18)),
    primary_metric="val_loss",
    epoch_metrics=("train/loss", "val/loss", "train/lr"),
    quick={"epochs": 8},
    order=10,
)
