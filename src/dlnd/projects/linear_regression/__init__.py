"""Lesson: linear regression by gradient descent, checked against the closed form."""

from dlnd.core.project import Project
from dlnd.core.runs import Criterion
from dlnd.projects.linear_regression.config import LinearRegressionConfig

PROJECT = Project(
    name="linear-regression",
    teaches="Lesson: fit life expectancy vs BMI by gradient descent; it meets least squares",
    engine="numpy",
    config=LinearRegressionConfig,
    module="dlnd.projects.linear_regression.train",
    data=(("course-small", "bmi_and_life_expectancy.csv"),),
    target_text="gradient descent's R² equals the closed-form least-squares R² within 1e-4",
    target=(Criterion("r2_gap", "<=", 1e-4),),
    primary_metric="r2",
    epoch_metrics=("train/loss",),
    # Every country is fitted (the lesson measures the fit against least squares, not on held-out
    # data), so sweeps minimise the training loss: how close settings get to the closed form.
    sweep_metric="train/loss",
    quick={"epochs": 60},
    order=3,
)
