"""Lesson: Andrew Trask's sentiment network, from word counts to a fast sparse network (NumPy)."""

from dlnd.core.project import Project
from dlnd.core.runs import Criterion
from dlnd.projects.sentiment_network.config import SentimentNetworkConfig

PROJECT = Project(
    name="sentiment-network",
    teaches="Lesson: sentiment from word presence with a hand-written network; sparse inputs and "
            "noise reduction as speed-ups",
    engine="numpy",
    config=SentimentNetworkConfig,
    module="dlnd.projects.sentiment_network.train",
    data=(("sentiment", "reviews.txt"), ("sentiment", "labels.txt")),
    target_text="test accuracy >= 87% on the course split (lesson: 85.9%) at >= 20,000 "
                "training reviews/s",
    target=(Criterion("test_acc", ">=", 0.87), Criterion("train_per_s", ">=", 20000)),
    primary_metric="test_acc",
    epoch_metrics=("train/loss", "train/lr", "test/acc"),
    # The course split holds out only the lesson's 1,000 test reviews (the other 24,000 train),
    # so a sweep compares settings on them, as the lesson itself did.
    sweep_metric="test/acc",
    direction="maximize",
    offers=("predict",),
    quick={"train_reviews": 2000, "test_reviews": 500, "epochs": 2},
    order=20,
)
