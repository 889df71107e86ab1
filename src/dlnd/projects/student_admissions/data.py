"""The course's ``student_data.csv`` (UCLA admissions): admit, GRE, GPA and school rank 1-4.

Prepared as in the course: rank one-hot encoded, GRE divided by 800 and GPA by 4.0 so both lie
in [0, 1]; a seeded random 10% held out for the test.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

import numpy as np

from dlnd.core import datasets
from dlnd.core.errors import DataError

FEATURES = ("gre", "gpa", "rank_1", "rank_2", "rank_3", "rank_4")


@dataclass
class Split:
    x: np.ndarray  # (n, 6) float32 in FEATURES order
    admitted: np.ndarray  # (n,) float32, 1 = admitted


def read_columns() -> dict[str, np.ndarray]:
    """admit, gre, gpa and rank as float arrays."""
    path = datasets.path("course-small", "student_data.csv")
    rows = list(csv.DictReader(datasets.read_text(path).splitlines()))
    try:
        return {k: np.array([float(r[k]) for r in rows]) for k in ("admit", "gre", "gpa", "rank")}
    except (KeyError, ValueError) as exc:
        raise DataError(f"{path} is not the course's student_data.csv with numbers in admit, gre, "
                        f"gpa and rank ({exc})") from None


def features(gre: np.ndarray, gpa: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Scaled GRE and GPA, then rank one-hot (ranks 1-4)."""
    if np.any((rank < 1) | (rank > 4)):
        raise DataError(f"school rank must be 1-4, got {sorted(set(rank.tolist()))}")
    one_hot = np.eye(4, dtype=np.float32)[rank.astype(int) - 1]
    return np.column_stack([gre / 800.0, gpa / 4.0, one_hot]).astype(np.float32)


def load(test_fraction: float, seed: int) -> tuple[Split, Split]:
    columns = read_columns()
    x = features(columns["gre"], columns["gpa"], columns["rank"])
    y = columns["admit"].astype(np.float32)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = max(1, round(test_fraction * len(y)))
    test, train = order[:n_test], order[n_test:]
    return Split(x[train], y[train]), Split(x[test], y[test])
