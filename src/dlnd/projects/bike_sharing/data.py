"""UCI Bike Sharing ``hour.csv``, prepared exactly as the course prepared it."""

from __future__ import annotations

import csv
from dataclasses import dataclass

import numpy as np

from dlnd.core import datasets
from dlnd.core.errors import DataError

CATEGORICAL = ("season", "weathersit", "mnth", "hr", "weekday")  # one-hot encoded
DROPPED = ("instant", "dteday", "atemp", "workingday")
SCALED = ("casual", "registered", "cnt", "temp", "hum", "windspeed")  # z-scored
TARGETS = ("cnt", "casual", "registered")  # kept out of the inputs


@dataclass
class Split:
    features: np.ndarray  # (hours, features)
    cnt: np.ndarray  # (hours,) z-scored rides, float64
    dates: list[str]  # "YYYY-MM-DD hh" of each row


@dataclass
class BikeData:
    train: Split
    val: Split
    test: Split
    feature_names: list[str]
    cnt_mean: float  # to turn z-scored predictions back into rides per hour
    cnt_std: float


def read_hours() -> dict[str, list[str]]:
    """hour.csv as columns of strings."""
    path = datasets.path("bike-sharing", "hour.csv")
    with datasets.open_bytes(path) as fh:
        rows = list(csv.reader(line.decode() for line in fh))
    header, body = rows[0], rows[1:]
    if not body or any(len(r) != len(header) for r in body):
        raise DataError(f"{path} is not the UCI hour.csv (ragged or empty rows)")
    return {name: [r[i] for r in body] for i, name in enumerate(header)}


def prepare(columns: dict[str, list[str]], val_days: int, test_days: int,
            dtype: type = np.float64) -> BikeData:
    """One-hot the categories, drop the unused columns, z-score the quantities (in float64),
    split by time; the features in ``dtype``, the counts in float64."""
    numeric = {k: np.asarray(v, dtype=np.float64) for k, v in columns.items() if k != "dteday"}
    features, names = [], []
    for name in columns:
        if name in DROPPED or name in TARGETS:
            continue
        if name in CATEGORICAL:
            values = numeric[name]
            for level in np.unique(values):
                features.append((values == level).astype(np.float64))
                names.append(f"{name}_{int(level)}")
        elif name in SCALED:
            values = numeric[name]
            features.append((values - values.mean()) / values.std(ddof=1))  # pandas' std
            names.append(name)
        else:
            features.append(numeric[name])
            names.append(name)
    x = np.stack(features, axis=1)
    cnt = numeric["cnt"]
    mean, std = float(cnt.mean()), float(cnt.std(ddof=1))
    y = (cnt - mean) / std
    dates = [f"{d} {int(h):02d}" for d, h in zip(columns["dteday"], columns["hr"], strict=True)]

    test_start = len(y) - test_days * 24
    val_start = test_start - val_days * 24
    if val_start <= 0:
        raise DataError("val_days + test_days leave no training data")

    def split(a: int, b: int) -> Split:
        return Split(x[a:b].astype(dtype), y[a:b], dates[a:b])

    return BikeData(split(0, val_start), split(val_start, test_start), split(test_start, len(y)),
                    names, mean, std)


def load(val_days: int = 60, test_days: int = 21, dtype: type = np.float64) -> BikeData:
    return prepare(read_hours(), val_days, test_days, dtype)
