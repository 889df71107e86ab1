"""scikit-learn's diabetes dataset (442 patients, 10 baseline measurements; the target is disease
progression one year later). It ships inside scikit-learn, so nothing is downloaded; the course
used Boston housing, which scikit-learn no longer ships."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Split:
    x: np.ndarray  # (n, 10) float32, standardised with the training statistics
    y: np.ndarray  # (n, 1) float32 progression, standardised with the training statistics


@dataclass
class Diabetes:
    train: Split
    test: Split
    feature_names: list[str]
    y_mean: float  # to turn standardised predictions back into progression units
    y_std: float


def load(test_fraction: float, seed: int) -> Diabetes:
    from sklearn.datasets import load_diabetes

    bunch = load_diabetes(scaled=False)
    x, y = bunch.data.astype(np.float64), bunch.target.astype(np.float64)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = round(test_fraction * len(y))
    test, train = order[:n_test], order[n_test:]
    x_mean, x_std = x[train].mean(axis=0), x[train].std(axis=0)
    y_mean, y_std = float(y[train].mean()), float(y[train].std())

    def split(rows: np.ndarray) -> Split:
        return Split(((x[rows] - x_mean) / x_std).astype(np.float32),
                     ((y[rows, None] - y_mean) / y_std).astype(np.float32))

    return Diabetes(split(train), split(test), list(bunch.feature_names), y_mean, y_std)
