"""The course's ``bmi_and_life_expectancy.csv``: one row per country."""

from __future__ import annotations

import csv
from dataclasses import dataclass

import numpy as np

from dlnd.core import datasets
from dlnd.core.errors import DataError


@dataclass
class Countries:
    names: list[str]
    bmi: np.ndarray  # (n,) float64, kg/m^2
    life_expectancy: np.ndarray  # (n,) float64, years


def load() -> Countries:
    path = datasets.path("course-small", "bmi_and_life_expectancy.csv")
    rows = list(csv.DictReader(datasets.read_text(path).splitlines()))
    try:
        return Countries([r["Country"] for r in rows],
                         np.array([float(r["BMI"]) for r in rows]),
                         np.array([float(r["Life expectancy"]) for r in rows]))
    except (KeyError, ValueError) as exc:
        raise DataError(f"{path} is not the course's BMI / life expectancy table ({exc})") from None
