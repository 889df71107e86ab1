"""Fit AND, OR, NOT with one unit; try XOR with one unit (it fails) and with a hidden layer."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dlnd.core import runs
from dlnd.core.errors import UsageError
from dlnd.engine import F, Tensor, nn, no_grad, optim
from dlnd.projects.perceptron.config import PerceptronConfig
from dlnd.projects.perceptron.data import GATES
from dlnd.projects.perceptron.model import MODELS, build
from dlnd.shared import numeric, plots


def make_models(cfg: PerceptronConfig) -> dict[str, nn.Module]:
    rng = np.random.default_rng(cfg.seed)
    return {name: build(name, GATES[gate][0].shape[1], cfg.hidden_nodes, rng)
            for name, (gate, _) in MODELS.items()}


@no_grad()
def probabilities(model: nn.Module, x: np.ndarray) -> np.ndarray:
    return model(Tensor(x)).sigmoid().data[:, 0]


def accuracy(model: nn.Module, gate: str) -> float:
    x, y = GATES[gate]
    return float(np.mean((probabilities(model, x) > 0.5) == (y == 1)))


@numeric.quiet_overflow
def train(cfg: PerceptronConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    models = make_models(cfg)
    optimizers = {name: optim.SGD(m.parameters(), lr=cfg.lr, momentum=0.9)
                  for name, m in models.items()}
    for name in models:
        run.track(**{f"{name}_model": models[name], f"{name}_optimizer": optimizers[name]})

    for epoch in run.epochs(cfg.epochs):
        metrics = {}
        for name, (gate, _) in MODELS.items():
            x, y = GATES[gate]
            for _ in range(cfg.steps_per_epoch):
                loss = F.binary_cross_entropy_with_logits(models[name](Tensor(x))[:, 0], y)
                optimizers[name].zero_grad()
                loss.backward()
                optimizers[name].step()
            metrics[f"{name}/loss"] = loss.item()
            metrics[f"{name}/acc"] = accuracy(models[name], gate)
        run.log(epoch, metrics)
        run.report(epoch, cfg.epochs, {k: v for k, v in metrics.items() if k.endswith("acc")})

    final = {f"{name}_acc": accuracy(models[name], gate) for name, (gate, _) in MODELS.items()}
    plot_boundaries(run, models)
    plots.learning_curves(run, title="Each gate's network: training loss and accuracy")
    return final, "cpu (numpy engine)"


def plot_boundaries(run: runs.Run, models: dict[str, nn.Module]) -> None:
    """Each model's predicted probability over the input square, with the truth table on top."""
    grid = np.linspace(-0.5, 1.5, 101, dtype=np.float32)
    gx, gy = np.meshgrid(grid, grid)
    fig = plots.figure(3.4 * len(models), 3.9)
    axes = fig.subplots(1, len(models), sharey=True)
    for ax, (name, model) in zip(axes, models.items(), strict=True):
        gate = MODELS[name][0]
        x, y = GATES[gate]
        if x.shape[1] == 1:  # NOT has one input: show it along the horizontal axis
            p = probabilities(model, gx.reshape(-1, 1)).reshape(gx.shape)
            points = np.column_stack([x[:, 0], np.full(len(x), 0.5)])
        else:
            p = probabilities(model, np.column_stack([gx.ravel(), gy.ravel()])).reshape(gx.shape)
            points = x
        ax.contourf(gx, gy, p, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.7)
        ax.contour(gx, gy, p, levels=[0.5], colors="k")
        ax.scatter(points[:, 0], points[:, 1], c=y, cmap="RdBu_r", edgecolors="k", s=120,
                   vmin=0, vmax=1)
        ax.set_title(f"{name.replace('_', ' ')}\naccuracy {accuracy(model, gate):.0%}",
                     fontsize=10)
        ax.set_xlabel("input 1")
        ax.set_aspect("equal")
    axes[0].set_ylabel("input 2 (NOT: none)")
    fig.suptitle("Decision boundaries (black line: probability 0.5; red: output 1)")
    plots.save(run, "decision_boundaries", fig)


class GateModels:
    """The trained models; ``outputs("xor_hidden", [[1, 0]])`` gives the gate's 0/1 outputs."""

    project = "perceptron"

    def __init__(self, models: dict[str, nn.Module], config: PerceptronConfig):
        self.models, self.config = models, config

    def outputs(self, name: str, inputs) -> np.ndarray:
        if name not in self.models:
            raise UsageError(f"no model {name!r}; models: {', '.join(self.models)}")
        return (probabilities(self.models[name], np.asarray(inputs, np.float32)) > 0.5) * 1


def load(run_dir: Path) -> GateModels:
    trained = runs.Trained(run_dir, PerceptronConfig)
    models = make_models(trained.config)
    for name, model in models.items():
        model.load_state_dict(trained.weights(f"{name}_model"))
    return GateModels(models, trained.config)
