"""Train the same MLP with and without batch norm at each learning rate and activation, from the
same initial weights and batch order; compare test accuracy and curves."""

from __future__ import annotations

import math
from pathlib import Path

import torch

from dlnd.core import runs, torch_common
from dlnd.projects.batch_norm import data as lesson_data
from dlnd.projects.batch_norm.config import BatchNormConfig
from dlnd.projects.batch_norm.model import MLP
from dlnd.shared.vision import lessons

PROJECT_NAME = "batch-norm"


def variant_name(activation: str, lr: float, batch_norm: bool) -> str:
    return f"{activation}_lr{lr:g}_{'bn' if batch_norm else 'plain'}"


def make_variant(cfg: BatchNormConfig, activation: str, lr: float, batch_norm: bool):
    def build():
        model = MLP(cfg.hidden, activation, batch_norm, cfg.weight_std)
        return model, torch.optim.SGD(model.parameters(), lr=lr)

    return lessons.Variant(variant_name(activation, lr, batch_norm), build)


def explain(cfg: BatchNormConfig, results: dict[str, float], diverged: list[str]) -> str:
    """What the table shows, in words, from the numbers of this run."""
    lines = []
    for act in cfg.activations:
        for lr in cfg.learning_rates:
            plain = results[variant_name(act, lr, False)]
            bn = results[variant_name(act, lr, True)]
            lines.append(f"- {act}, lr {lr:g}: {plain:.1%} without batch norm, {bn:.1%} with it.")
    lines.append(
        "\nWithout batch norm each layer's inputs drift in scale as the weights below it change, "
        "so one step size cannot suit every layer: a small rate (0.01) crawls, and a large one "
        "(1) blows the pre-activations up - ReLU units die or the loss overflows, and the net "
        "predicts one class (~10%). Batch norm re-centres and re-scales every layer's inputs on "
        "each batch, so the gradient's size no longer depends on the weights' scale: the same "
        "large rate now trains fast and stably, and sigmoid units stay out of saturation.")
    if diverged:
        lines.append(f"\nThe loss became infinite or NaN for: {', '.join(diverged)}.")
    return "\n".join(lines) + "\n"


def train(cfg: BatchNormConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    ts = torch_common.setup(cfg, run)
    data = lesson_data.load(cfg)
    variants = [make_variant(cfg, act, lr, bn) for act in cfg.activations
                for lr in cfg.learning_rates for bn in (False, True)]
    found = lessons.run_variants(run, variants, data, seed=cfg.seed, steps=cfg.steps,
                                 batch_size=cfg.batch_size, every=cfg.eval_every,
                                 device=ts.device)
    metrics = {f"{k}_acc": v for k, v in found.accuracy.items()}
    if len(found.accuracy) < len(variants):  # stopped early: resuming trains the rest
        return metrics, ts.describe()
    panels = {f"{act}, lr {lr:g}": [variant_name(act, lr, bn) for bn in (False, True)]
              for act in cfg.activations for lr in cfg.learning_rates}
    lessons.plot_curves(run, "curves/val_acc", found.curves, "val_acc", panels,
                        title="Validation accuracy without and with batch norm")
    lessons.plot_curves(run, "curves/train_loss", found.curves, "train_loss", panels,
                        title="Training loss without and with batch norm")
    diverged = [name for name, c in found.curves.items()
                if not all(map(math.isfinite, c.train_loss))]
    text = lessons.results_table(found.accuracy, "network") + "\n" + \
        explain(cfg, found.accuracy, diverged)
    (run.path / "results.md").write_text(text)
    run.say("\n" + text)
    return metrics, ts.describe()


def load(run_dir: Path) -> lessons.Comparison:
    """The lesson's result: each network's test accuracy and curves."""
    return lessons.load_comparison(run_dir, PROJECT_NAME, BatchNormConfig)
