"""What the three sentiment projects share around their models: accuracy, answers to typed
reviews as :class:`~dlnd.core.project.Prediction`s, and a clock for their training time that a
resumed run continues."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from dlnd.core.project import Prediction


def accuracy(p_positive: np.ndarray, labels: np.ndarray) -> float:
    """The fraction of reviews whose label (1 = positive) is on the side of 0.5 of P(positive)."""
    return float(np.mean((p_positive >= 0.5) == labels))


NO_KNOWN_WORDS = "no known words in this text"


def predictions(texts: Sequence[str], p_positive: np.ndarray,
                known: Sequence[int] | np.ndarray | None = None) -> list[Prediction]:
    """One answer per review: the more likely label with its probability (a tie reads positive
    at 50%). A review with no ``known`` word (the count of words or features the model knows,
    per review) gets the note :data:`NO_KNOWN_WORDS` instead: any probability would be the
    model's bias, not a judgement of the text."""
    out = []
    if known is None:
        known = [1] * len(texts)
    for review, p, count in zip(texts, p_positive, known, strict=True):
        if count == 0:
            out.append(Prediction(review, "", 0.0, note=NO_KNOWN_WORDS))
            continue
        scores = {"positive": float(p), "negative": 1.0 - float(p)}
        label = "positive" if p >= 0.5 else "negative"
        out.append(Prediction(review, label, scores[label], scores))
    return out


class TrainingClock:
    """Seconds spent training and epochs trained, tracked by the run so that a resumed run
    reports the time and speed of all its epochs, not only of those since the restart."""

    def __init__(self):
        self.seconds = 0.0
        self.epochs = 0

    def add(self, seconds: float) -> None:
        """Count one more trained epoch that took ``seconds``."""
        self.seconds += seconds
        self.epochs += 1

    def per_second(self, items_per_epoch: int) -> float:
        """Items (reviews) trained per second over all epochs so far."""
        return items_per_epoch * self.epochs / max(self.seconds, 1e-9)

    def state_dict(self) -> dict[str, Any]:
        return {"seconds": self.seconds, "epochs": self.epochs}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.seconds, self.epochs = state["seconds"], state["epochs"]
