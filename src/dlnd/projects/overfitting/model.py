"""The four variants the lesson compares; they share mnist-mlp's network (dlnd.shared.mlp) and
start from the same weights (each is built from a generator seeded alike)."""

from __future__ import annotations

import numpy as np

from dlnd.engine import optim
from dlnd.projects.overfitting.config import OverfittingConfig
from dlnd.shared.mlp import IMAGE_SIZE, MLP, MlpClassifier

VARIANTS = ("none", "l2", "dropout", "early_stopping")


def build(variant: str, cfg: OverfittingConfig, n_classes: int
          ) -> tuple[MLP, optim.Adam, np.random.Generator]:
    """(network, optimizer, generator for its shuffling and dropout) of one variant."""
    rng = np.random.default_rng(cfg.seed)
    dropout = cfg.dropout if variant == "dropout" else 0.0
    model = MLP(IMAGE_SIZE * IMAGE_SIZE, cfg.hidden, n_classes, dropout, rng)
    weight_decay = cfg.l2 if variant == "l2" else 0.0
    return model, optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=weight_decay), rng


class OverfittingModel:
    """The trained variants: ``classifiers[variant].classify(images)`` (the early-stopping one
    with the weights of its best epoch)."""

    project = "overfitting"

    def __init__(self, classifiers: dict[str, MlpClassifier], config: OverfittingConfig):
        self.classifiers, self.config = classifiers, config
