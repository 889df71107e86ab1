"""The lessons' experiments: several small classifiers ("variants") trained one after another
from the same seed on the same batch order, one curve each.

Each variant is one epoch of the run (:func:`run_variants`): the run checkpoints after every
finished variant, so an interrupted lesson resumes with the next one, and what was found so far
(a :class:`Comparison`) is tracked state."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from dlnd.core.runs import Run, TensorBoardLog, Trained
from dlnd.shared.vision.data import ImageSet
from dlnd.shared.vision.evaluate import accuracy, predict_logits


@dataclass
class Curves:
    """Training curves of one classifier, sampled every few steps."""

    steps: list[int]
    train_loss: list[float]  # mean batch loss since the previous sample
    val_acc: list[float]


def train_curves(model: nn.Module, optimizer: torch.optim.Optimizer, train: ImageSet,
                 val: ImageSet, *, steps: int, batch_size: int, seed: int, every: int,
                 device: str | torch.device = "cpu") -> Curves:
    """``steps`` optimizer steps on shuffled batches (the same order for the same ``seed``),
    recording the loss and validation accuracy every ``every`` steps. A diverged loss (inf/nan)
    is recorded, not raised: watching it happen is the point of these lessons. ``model`` must
    already be on ``device``."""
    generator = torch.Generator().manual_seed(seed)
    images, labels = train.images.to(device), train.labels.to(device)
    per_epoch = max(len(train) // batch_size, 1)
    curves = Curves([], [], [])
    losses = []
    model.train()
    for step in range(steps):
        if step % per_epoch == 0:
            order = torch.randperm(len(train), generator=generator)
        idx = order[(step % per_epoch) * batch_size:(step % per_epoch + 1) * batch_size]
        loss = F.cross_entropy(model(images[idx]), labels[idx])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.detach())
        if (step + 1) % every == 0 or step + 1 == steps:
            curves.steps.append(step + 1)
            curves.train_loss.append(float(torch.stack(losses).mean()))
            curves.val_acc.append(accuracy(predict_logits(model, val.images, device=device),
                                           val.labels))
            model.train()
            losses = []
    return curves


def log_curves(run_path: Path, name: str, curves: Curves) -> None:
    """Write ``curves`` as the TensorBoard run ``<run>/tensorboard/<name>`` (replacing any
    partial one), so that TensorBoard draws every variant side by side under the same tags."""
    log_dir = Path(run_path) / "tensorboard" / name
    shutil.rmtree(log_dir, ignore_errors=True)
    log_dir.mkdir(parents=True)
    tb = TensorBoardLog(log_dir)
    for step, loss, acc in zip(curves.steps, curves.train_loss, curves.val_acc, strict=True):
        tb.scalar("train/loss", loss, step)
        tb.scalar("val/acc", acc, step)
    tb.close()


@dataclass
class Variant:
    """One arm of a lesson experiment: a fresh model and its optimizer, built on demand."""

    name: str
    build: Callable[[], tuple[nn.Module, torch.optim.Optimizer]]


class Comparison:
    """What a lesson experiment found so far: each finished variant's test accuracy and
    curves, in training order. The run tracks it; the lesson's ``load()`` returns it (with the
    run's project name and config)."""

    def __init__(self, project: str, config: Any):
        self.project, self.config = project, config
        self.accuracy: dict[str, float] = {}
        self.curves: dict[str, Curves] = {}

    def add(self, name: str, test_accuracy: float, curves: Curves) -> None:
        self.accuracy[name], self.curves[name] = test_accuracy, curves

    def state_dict(self) -> dict[str, Any]:
        return {"accuracy": dict(self.accuracy),
                "curves": {name: asdict(c) for name, c in self.curves.items()}}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.accuracy = dict(state["accuracy"])
        self.curves = {name: Curves(**c) for name, c in state["curves"].items()}


def run_variants(run: Run, variants: list[Variant], data: tuple[ImageSet, ImageSet, ImageSet],
                 *, seed: int, steps: int, batch_size: int, every: int,
                 device: str | torch.device = "cpu") -> Comparison:
    """Train each variant from the same seed on the same batch order, one per epoch of the run,
    and score it on the test set; one TensorBoard run per variant. Fewer variants than given
    are in the result when the run was stopped early."""
    train, val, test = data
    found = Comparison(run.project, run.config)
    run.track(results=found)
    for i in run.epochs(len(variants)):
        variant = variants[i]
        torch.manual_seed(seed)  # the same initial weights wherever the variants agree
        model, optimizer = variant.build()
        model.to(device)
        curves = train_curves(model, optimizer, train, val, steps=steps, batch_size=batch_size,
                              seed=seed, every=every, device=device)
        found.add(variant.name, accuracy(predict_logits(model, test.images, device=device),
                                         test.labels), curves)
        log_curves(run.path, variant.name, curves)
        run.log(i, {"test/acc": found.accuracy[variant.name]})
        run.report(i, len(variants), {variant.name: found.accuracy[variant.name]})
    return found


def plot_curves(run: Run, name: str, curves: dict[str, Curves], metric: str,
                panels: dict[str, list[str]] | None = None, title: str = "") -> None:
    """``metric`` ("train_loss" or "val_acc") of every variant: one PNG + TensorBoard image.
    ``panels`` maps a panel title to the variant names drawn in it (default: one panel, titled
    ``title``); ``title`` heads the figure when there are several."""
    from dlnd.shared import plots

    panels = panels or {title: list(curves)}
    fig = plots.figure(4.6 * len(panels) + (2.2 if len(panels) == 1 else 0), 3.8)
    axes = fig.subplots(1, len(panels), squeeze=False)
    for ax, (heading, names) in zip(axes.flat, panels.items(), strict=True):
        for k, variant in enumerate(names):
            values = np.asarray(getattr(curves[variant], metric), dtype=float)
            steps = curves[variant].steps
            # a colour, a marker and a width each, wider first: equal curves stay visible
            ax.plot(steps, np.where(np.isfinite(values), values, np.nan),
                    color=plots.COLOURS[k % len(plots.COLOURS)],
                    marker=plots.MARKERS[k % len(plots.MARKERS)],
                    markevery=max(len(steps) // 10, 1), markersize=max(7 - 0.6 * k, 3),
                    linewidth=max(2.8 - 0.25 * k, 1.0), alpha=0.9,
                    label=variant.replace("_", " "))
        ax.set_title(heading)
        ax.set_xlabel("training step")
        label = metric.replace("_", " ").replace("acc", "accuracy")
        finite = [v for n in names for v in getattr(curves[n], metric) if np.isfinite(v)]
        if metric == "train_loss" and finite and min(finite) > 0 and \
                max(finite) / min(finite) > 30:  # diverging runs beside converging ones
            ax.set_yscale("log")
            label += " (log scale)"
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        if len(panels) == 1:  # beside the curves, not over them
            ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        else:
            ax.legend(fontsize=7)
    if len(panels) > 1 and title:
        fig.suptitle(title)
    plots.save(run, name, fig)


def results_table(accuracy: dict[str, float], header: str) -> str:
    """A Markdown table of test accuracies."""
    lines = [f"| {header} | test accuracy |", "|---|---:|"]
    lines += [f"| {name} | {acc:.1%} |" for name, acc in accuracy.items()]
    return "\n".join(lines) + "\n"


def load_comparison(run_dir: Path, project: str, config_cls: type) -> Comparison:
    """A lesson run's result, as its ``load()`` returns it: each variant's accuracy and curves."""
    trained = Trained(run_dir, config_cls)
    found = Comparison(project, trained.config)
    found.load_state_dict(trained.state["results"])
    return found
