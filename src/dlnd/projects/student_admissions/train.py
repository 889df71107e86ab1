"""Train a logistic unit and a small network on the admissions data; compare test accuracy."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dlnd.core import runs
from dlnd.engine import F, Tensor, nn, no_grad, optim
from dlnd.projects.student_admissions import data as admissions
from dlnd.projects.student_admissions.config import StudentAdmissionsConfig
from dlnd.projects.student_admissions.model import logistic_unit, small_network
from dlnd.shared import numeric, plots


def make_models(cfg: StudentAdmissionsConfig) -> dict[str, nn.Module]:
    rng = np.random.default_rng(cfg.seed)
    n = len(admissions.FEATURES)
    return {"logistic": logistic_unit(n, rng), "network": small_network(n, cfg.hidden_nodes, rng)}


@no_grad()
def probabilities(model: nn.Module, x: np.ndarray) -> np.ndarray:
    return model(Tensor(x)).sigmoid().data[:, 0]


def evaluate(model: nn.Module, split: admissions.Split) -> tuple[float, float]:
    """(mean logistic loss, accuracy) of ``model`` on ``split``."""
    p = probabilities(model, split.x).astype(np.float64)
    eps = 1e-7
    y = split.admitted
    loss = -np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))
    return float(loss), float(np.mean((p > 0.5) == (y == 1)))


@numeric.quiet_overflow
def train(cfg: StudentAdmissionsConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    train_split, test_split = admissions.load(cfg.test_fraction, cfg.seed)
    models = make_models(cfg)
    optimizers = {k: optim.SGD(m.parameters(), lr=cfg.lr, momentum=0.9)
                  for k, m in models.items()}
    rng = np.random.default_rng(cfg.seed + 1)  # shuffling; the models drew from their own
    for name in models:
        run.track(**{f"{name}_model": models[name], f"{name}_optimizer": optimizers[name]})
    run.track(rng=rng)
    run.say(f"{len(train_split.admitted)} training and {len(test_split.admitted)} test students")

    for epoch in run.epochs(cfg.epochs):
        order = rng.permutation(len(train_split.admitted))
        for i in range(0, len(order), cfg.batch_size):
            idx = order[i:i + cfg.batch_size]
            for name, model in models.items():
                logits = model(Tensor(train_split.x[idx]))[:, 0]
                loss = F.binary_cross_entropy_with_logits(logits, train_split.admitted[idx])
                optimizers[name].zero_grad()
                loss.backward()
                optimizers[name].step()
        metrics = {}
        for name, model in models.items():
            metrics[f"{name}/train_loss"], metrics[f"{name}/train_acc"] = evaluate(
                model, train_split)
        run.log(epoch, metrics)
        if epoch % 25 == 0 or epoch == cfg.epochs - 1:
            run.report(epoch, cfg.epochs, metrics)

    final = {}
    for name, model in models.items():
        final[f"{name}_train_acc"] = evaluate(model, train_split)[1]
        final[f"{name}_test_loss"], final[f"{name}_test_acc"] = evaluate(model, test_split)
    final["test_acc"] = final["network_test_acc"]
    plot_admissions(run, models["network"], train_split, test_split)
    plots.learning_curves(run, title="Logistic unit and small network: training loss and "
                          "accuracy")
    return final, "cpu (numpy engine)"


def plot_admissions(run: runs.Run, model: nn.Module, train_split: admissions.Split,
                    test_split: admissions.Split) -> None:
    """The course's scatter of GRE against GPA, one panel per school rank, over the network's
    P(admitted) (black line: 0.5); test students are the ringed points."""
    gre, gpa = np.meshgrid(np.linspace(200, 800, 61), np.linspace(2.0, 4.0, 41))
    fig = plots.figure(15, 4.2)
    axes = fig.subplots(1, 4, sharey=True)
    for rank, ax in enumerate(axes, start=1):
        x = admissions.features(gre.ravel(), gpa.ravel(), np.full(gre.size, float(rank)))
        p = probabilities(model, x).reshape(gre.shape)
        shading = ax.contourf(gre, gpa, p, levels=np.linspace(0, 1, 11), cmap="RdBu",
                              alpha=0.5)
        ax.contour(gre, gpa, p, levels=[0.5], colors="k")
        for split, edge in ((train_split, "none"), (test_split, "k")):
            mine = split.x[:, 1 + rank] == 1
            for admitted, colour, word in ((1, "tab:blue", "admitted"),
                                           (0, "tab:red", "rejected")):
                rows = mine & (split.admitted == admitted)
                ax.scatter(split.x[rows, 0] * 800, split.x[rows, 1] * 4, s=18, c=colour,
                           edgecolors=edge, linewidths=0.8,
                           label=f"{word}{' (test)' if edge == 'k' else ''}")
        ax.set_title(f"school rank {rank}")
        ax.set_xlabel("GRE")
    axes[0].set_ylabel("GPA")
    axes[-1].legend(fontsize=7, loc="lower right")
    fig.colorbar(shading, ax=axes, label="network's P(admitted)", shrink=0.9)
    fig.suptitle("Admissions by GRE, GPA and school rank, over the network's P(admitted) "
                 "(black line: 0.5)")
    plots.save(run, "admissions", fig)


class AdmissionModels:
    """The trained models: ``admit_probabilities(gre, gpa, rank)`` gives each model's
    probability that a student is admitted."""

    project = "student-admissions"

    def __init__(self, models: dict[str, nn.Module], config: StudentAdmissionsConfig):
        self.models, self.config = models, config

    def admit_probabilities(self, gre, gpa, rank) -> dict[str, np.ndarray]:
        x = admissions.features(np.atleast_1d(np.asarray(gre, float)),
                                np.atleast_1d(np.asarray(gpa, float)),
                                np.atleast_1d(np.asarray(rank, float)))
        return {name: probabilities(m, x) for name, m in self.models.items()}


def load(run_dir: Path) -> AdmissionModels:
    trained = runs.Trained(run_dir, StudentAdmissionsConfig)
    models = make_models(trained.config)
    for name, model in models.items():
        model.load_state_dict(trained.weights(f"{name}_model"))
    return AdmissionModels(models, trained.config)
