"""The four variants the lesson compares; they share mnist-mlp's network and start from the same
weights (each is built from a generator seeded alike)."""

from __future__ import annotations

import numpy as np

from dlnd.engine import optim
from dlnd.projects.mnist_mlp.model import MLP
from dlnd.projects.overfitting.config import OverfittingConfig

VARIANTS = ("none", "l2", "dropout", "early_stopping")


def build(variant: str, cfg: OverfittingConfig, n_inputs: int, n_classes: int
          ) -> tuple[MLP, optim.Adam, np.random.Generator]:
    """(network, optimizer, generator for its shuffling and dropout) of one variant."""
    rng = np.random.default_rng(cfg.seed)
    dropout = cfg.dropout if variant == "dropout" else 0.0
    model = MLP(n_inputs, cfg.hidden, n_classes, dropout, rng)
    weight_decay = cfg.l2 if variant == "l2" else 0.0
    return model, optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=weight_decay), rng
