"""Train the bike-sharing network; evaluate on the held-out Christmas 2012 window."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dlnd.core import runs
from dlnd.projects.bike_sharing import data as bike_data
from dlnd.projects.bike_sharing.config import BikeSharingConfig
from dlnd.projects.bike_sharing.model import NeuralNetwork, mse
from dlnd.shared import numeric, plots


def learning_rate(cfg: BikeSharingConfig, epoch: int) -> float:
    """Linear decay from ``lr`` to ``lr_final`` over the epochs."""
    frac = epoch / max(cfg.epochs - 1, 1)
    return cfg.lr + (cfg.lr_final - cfg.lr) * frac


# float32 halves the time of the exp and the matrix products on a CPU (the steps are small, so
# that is most of the run); the course's float64 gives the same losses to about 6 digits.
DTYPE = np.float32


@numeric.quiet_overflow
def train(cfg: BikeSharingConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    data = bike_data.load(cfg.val_days, cfg.test_days, dtype=DTYPE)
    rng = np.random.default_rng(cfg.seed)
    net = NeuralNetwork(data.train.features.shape[1], cfg.hidden_nodes, rng, dtype=DTYPE)
    best = runs.Best("val/loss", model=net)
    run.track(model=net, rng=rng, best=best)
    run.keep(feature_names=data.feature_names, cnt_mean=data.cnt_mean, cnt_std=data.cnt_std)

    x, y = data.train.features, data.train.cnt.astype(DTYPE)
    n_batches = max(len(x) // cfg.batch_size, 1)
    for epoch in run.epochs(cfg.epochs):
        order = rng.permutation(len(x))
        shuffled_x, shuffled_y = x[order], y[order]  # one copy, then each batch is a slice
        lr = learning_rate(cfg, epoch)
        losses = []
        for b in range(n_batches):
            batch = slice(b * cfg.batch_size, (b + 1) * cfg.batch_size)
            losses.append(net.train_step(shuffled_x[batch], shuffled_y[batch], lr))
        # the epoch's mean batch loss, as Keras reports it (the final train_loss is over the
        # whole set): scoring all 15,435 hours again every epoch took a tenth of the run
        metrics = {"train/loss": float(np.mean(losses)),
                   "val/loss": mse(net.run(data.val.features), data.val.cnt), "train/lr": lr}
        run.log(epoch, metrics)
        run.report(epoch, cfg.epochs, metrics)
        best.update(epoch, metrics)

    if cfg.keep_best and best.restore() >= 0:
        run.say(f"keeping the weights of epoch {best.epoch + 1} (lowest validation loss)")
    model = BikeSharingModel(net, cfg, data.feature_names, data.cnt_mean, data.cnt_std)
    predicted = model.rides(data.test.features)  # as `dlnd predict` answers
    final = {**evaluate(net, data, predicted), "best_epoch": best.epoch + 1}
    run.log(cfg.epochs, {f"final/{k}": v for k, v in final.items()})
    plot_test_window(run, predicted, data)
    plots.learning_curves(run, title="Training and validation loss (MSE on z-scored rides), "
                          "learning rate")
    return final, "cpu (numpy)"


def evaluate(net: NeuralNetwork, data: bike_data.BikeData, predicted: np.ndarray
             ) -> dict[str, float]:
    """Losses on z-scored counts (the course's numbers) and the error of ``predicted``, the
    test window in rides per hour."""
    actual = data.test.cnt * data.cnt_std + data.cnt_mean
    residual = np.sum((actual - predicted) ** 2)
    return {
        "train_loss": mse(net.run(data.train.features), data.train.cnt),
        "val_loss": mse(net.run(data.val.features), data.val.cnt),
        "test_loss": mse(net.run(data.test.features), data.test.cnt),
        "test_rmse": float(np.sqrt(residual / len(actual))),
        "test_r2": float(1.0 - residual / np.sum((actual - actual.mean()) ** 2)),
    }


def plot_test_window(run: runs.Run, predicted: np.ndarray, data: bike_data.BikeData) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    actual = data.test.cnt * data.cnt_std + data.cnt_mean
    fig, ax = plt.subplots(figsize=(10, 4), layout="constrained")
    ax.plot(actual, label="actual", color="0.3")
    ax.plot(predicted, label="predicted", color="tab:blue")
    ticks = np.arange(12, len(actual), 24)
    ax.set_xticks(ticks, [data.test.dates[i][5:10] for i in ticks], rotation=45)
    ax.set_ylabel("rides per hour")
    ax.set_title("Test window (last 21 days of 2012): predicted vs actual")
    ax.legend()
    run.log_figure("test/predictions", fig)
    plt.close(fig)


class BikeSharingModel:
    """A trained network with what it needs to speak in rides per hour."""

    project = "bike-sharing"

    def __init__(self, net: NeuralNetwork, config: BikeSharingConfig, feature_names: list[str],
                 cnt_mean: float, cnt_std: float):
        self.net, self.config, self.feature_names = net, config, feature_names
        self.cnt_mean, self.cnt_std = cnt_mean, cnt_std

    def rides(self, features: np.ndarray) -> np.ndarray:
        """Rides per hour for prepared feature rows (columns as in ``feature_names``)."""
        z_scored = self.net.run(np.asarray(features, dtype=self.net.w_input_hidden.dtype))
        return z_scored.astype(np.float64) * self.cnt_std + self.cnt_mean


def load(run_dir: Path) -> BikeSharingModel:
    trained = runs.Trained(run_dir, BikeSharingConfig)
    weights = trained.weights("model", best=trained.config.keep_best)
    net = NeuralNetwork(*weights["w_input_hidden"].shape, np.random.default_rng(0))
    net.load_state_dict(weights)
    return BikeSharingModel(net, trained.config, **trained.artifacts)
