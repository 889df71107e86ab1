"""Lesson: predicting student admissions with a logistic unit and a small network."""

from dlnd.core.project import Project
from dlnd.core.runs import Criterion
from dlnd.projects.student_admissions.config import StudentAdmissionsConfig

PROJECT = Project(
    name="student-admissions",
    teaches="Lesson: logistic regression and a small network on UCLA admissions (one-hot rank)",
    engine="numpy",
    config=StudentAdmissionsConfig,
    module="dlnd.projects.student_admissions.train",
    data=(("course-small", "student_data.csv"),),
    target_text="test accuracy >= 0.7 on the 40 held-out students (the course's network: "
                "about 0.7-0.75; always predicting 'rejected' scores 0.68 on the whole file)",
    target=(Criterion("test_acc", ">=", 0.7),),
    primary_metric="test_acc",
    epoch_metrics=("logistic/train_loss", "logistic/train_acc", "network/train_loss",
                   "network/train_acc"),
    # The 40 test students stay unseen until the end and the 360 others are all the course
    # trains on, so no validation loss exists: sweeps minimise the network's training loss
    # (optimisation settings such as lr and batch size, not generalisation).
    sweep_metric="network/train_loss",
    # 5 epochs left both models answering "rejected" for everyone (0.675, the test students'
    # base rate); 60 at a doubled step size get the full run's 0.725 in about a second.
    quick={"epochs": 60, "lr": 0.1},
    order=4,
)
