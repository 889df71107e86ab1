"""Fit life expectancy = slope * BMI + intercept by gradient descent; check it against the
closed form."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from dlnd.core import runs
from dlnd.engine import F, Tensor, nn, no_grad, optim
from dlnd.projects.linear_regression import data as bmi_data
from dlnd.projects.linear_regression.config import LinearRegressionConfig
from dlnd.projects.linear_regression.model import closed_form, linear_unit, r_squared
from dlnd.shared import numeric, plots


@dataclass
class Standardiser:
    """Gradient descent works in standardised units (mean 0, std 1) and reports in real ones."""

    mean: float
    std: float

    @classmethod
    def of(cls, values: np.ndarray) -> Standardiser:
        return cls(float(values.mean()), float(values.std()))

    def forward(self, values: np.ndarray) -> np.ndarray:
        return (values - self.mean) / self.std

    def back(self, values: np.ndarray) -> np.ndarray:
        return values * self.std + self.mean


class LifeExpectancyModel:
    """The fitted line in real units: years of life expectancy for a BMI."""

    project = "linear-regression"

    def __init__(self, unit: nn.Linear, bmi: Standardiser, years: Standardiser,
                 config: LinearRegressionConfig):
        self.unit, self.bmi, self.years, self.config = unit, bmi, years, config

    @no_grad()
    def life_expectancy(self, bmi: np.ndarray) -> np.ndarray:
        """Years of life expectancy for BMI values (kg/m²)."""
        x = self.bmi.forward(np.asarray(bmi, dtype=np.float64))[:, None]
        return self.years.back(self.unit(Tensor(x)).data[:, 0])

    def line(self) -> tuple[float, float]:
        """(slope in years per BMI unit, intercept in years)."""
        at0, at1 = self.life_expectancy(np.array([0.0, 1.0]))
        return float(at1 - at0), float(at0)


@numeric.quiet_overflow
def train(cfg: LinearRegressionConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    countries = bmi_data.load()
    bmi, years = Standardiser.of(countries.bmi), Standardiser.of(countries.life_expectancy)
    x = Tensor(bmi.forward(countries.bmi)[:, None])
    y = years.forward(countries.life_expectancy)[:, None]
    unit = linear_unit()
    optimizer = optim.SGD(unit.parameters(), lr=cfg.lr)
    run.track(model=unit, optimizer=optimizer)
    run.keep(bmi=asdict(bmi), years=asdict(years))

    model = LifeExpectancyModel(unit, bmi, years, cfg)
    for step in run.epochs(cfg.epochs):
        loss = F.mse_loss(unit(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        run.log(step, {"train/loss": loss.item()})
        if step % 20 == 0 or step == cfg.epochs - 1:
            run.report(step, cfg.epochs, {"train/loss": loss.item()})

    slope, intercept = model.line()
    exact_slope, exact_intercept = closed_form(countries.bmi, countries.life_expectancy)
    r2_gd = r_squared(model.life_expectancy(countries.bmi), countries.life_expectancy)
    r2_exact = r_squared(exact_slope * countries.bmi + exact_intercept, countries.life_expectancy)
    final = {"r2": r2_gd, "r2_closed_form": r2_exact, "r2_gap": abs(r2_gd - r2_exact),
             "slope": slope, "intercept": intercept, "slope_closed_form": exact_slope,
             "intercept_closed_form": exact_intercept}
    plot_fit(run, countries, model, (exact_slope, exact_intercept))
    plots.learning_curves(run, title="Gradient descent on the standardised data",
                          xlabel="epoch (one full-batch step)")
    return final, "cpu (numpy engine)"


def plot_fit(run: runs.Run, countries: bmi_data.Countries, model: LifeExpectancyModel,
             exact: tuple[float, float]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    grid = np.linspace(countries.bmi.min(), countries.bmi.max(), 50)
    fig, ax = plt.subplots(figsize=(7, 5))
    ax.scatter(countries.bmi, countries.life_expectancy, s=12, color="0.5", label="countries")
    ax.plot(grid, model.life_expectancy(grid), color="tab:blue", lw=3, label="gradient descent")
    ax.plot(grid, exact[0] * grid + exact[1], "--", color="tab:orange",
            label="closed form (least squares)")
    ax.set_xlabel("BMI (kg/m²)")
    ax.set_ylabel("life expectancy (years)")
    ax.set_title("Life expectancy against BMI")
    ax.legend()
    run.log_figure("fit", fig)
    plt.close(fig)


def load(run_dir: Path) -> LifeExpectancyModel:
    trained = runs.Trained(run_dir, LinearRegressionConfig)
    unit = linear_unit()
    unit.load_state_dict(trained.weights("model"))
    kept = trained.artifacts
    return LifeExpectancyModel(unit, Standardiser(**kept["bmi"]), Standardiser(**kept["years"]),
                               trained.config)
