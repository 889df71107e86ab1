"""Train MiniFlow's 2-layer network with SGD on diabetes progression and draw its graph."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dlnd.core import runs
from dlnd.engine import F, Tensor, no_grad, optim
from dlnd.projects.miniflow import data as diabetes
from dlnd.projects.miniflow.config import MiniflowConfig
from dlnd.projects.miniflow.model import TwoLayerNet
from dlnd.shared import numeric, plots


@no_grad()
def mse(model: TwoLayerNet, split: diabetes.Split) -> float:
    return F.mse_loss(model(Tensor(split.x)), split.y).item()


@numeric.quiet_overflow
def train(cfg: MiniflowConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    data = diabetes.load(cfg.test_fraction, cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    model = TwoLayerNet(data.train.x.shape[1], cfg.hidden_nodes, rng)
    optimizer = optim.SGD(model.parameters(), lr=cfg.lr)
    run.track(model=model, optimizer=optimizer, rng=rng)
    run.keep(y_mean=data.y_mean, y_std=data.y_std)

    n = len(data.train.y)
    for epoch in run.epochs(cfg.epochs):
        order = rng.permutation(n)
        for i in range(0, n, cfg.batch_size):
            idx = order[i:i + cfg.batch_size]
            loss = F.mse_loss(model(Tensor(data.train.x[idx], name="X")), data.train.y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        metrics = {"train/loss": mse(model, data.train), "test/loss": mse(model, data.test)}
        run.log(epoch, metrics)
        if epoch % 25 == 0 or epoch == cfg.epochs - 1:
            run.report(epoch, cfg.epochs, metrics)

    # One more forward pass, recorded, to draw the graph the engine differentiates.
    graph = F.mse_loss(model(Tensor(data.train.x[:cfg.batch_size], name="X")),
                       Tensor(data.train.y[:cfg.batch_size], name="y"))
    plots.computation_graph(run, graph)
    run.say(f"computation graph: {run.path / 'graph.png'} (source: graph.dot)")
    plots.learning_curves(run, title="Mean squared error (standardised progression)")
    test_mse = mse(model, data.test)
    final = {"train_mse": mse(model, data.train), "test_mse": test_mse,
             "test_r2": 1.0 - test_mse / float(np.var(data.test.y)),
             "test_rmse": float(np.sqrt(test_mse)) * data.y_std}
    return final, "cpu (numpy engine)"


class ProgressionModel:
    """The trained network; ``progression`` takes standardised measurements (as in ``data.py``)."""

    project = "miniflow"

    def __init__(self, model: TwoLayerNet, y_mean: float, y_std: float, config: MiniflowConfig):
        self.model, self.y_mean, self.y_std, self.config = model, y_mean, y_std, config

    @no_grad()
    def progression(self, x: np.ndarray) -> np.ndarray:
        """Disease progression (the dataset's units) for rows of standardised measurements."""
        return self.model(Tensor(np.asarray(x, np.float32))).data[:, 0] * self.y_std + self.y_mean


def load(run_dir: Path) -> ProgressionModel:
    trained = runs.Trained(run_dir, MiniflowConfig)
    weights = trained.weights("model")
    model = TwoLayerNet(weights["l1.weight"].shape[1], trained.config.hidden_nodes,
                        np.random.default_rng(0))
    model.load_state_dict(weights)
    return ProgressionModel(model, **trained.artifacts, config=trained.config)
