"""Train the same network from each initialisation, with the same batch order; compare."""

from __future__ import annotations

from pathlib import Path

import torch

from dlnd.core import runs, torch_common
from dlnd.projects.weight_init import data as lesson_data
from dlnd.projects.weight_init.config import WeightInitConfig
from dlnd.projects.weight_init.model import MLP
from dlnd.shared.vision import lessons

PROJECT_NAME = "weight-init"

COURSE = {"zeros": 0.113, "uniform_0_1": 0.653, "uniform_scaled": 0.972,
          "truncated_normal": 0.975}  # after 2 epochs (course notebook; uniform_scaled = 0.1)


def make_variant(cfg: WeightInitConfig, scheme: str) -> lessons.Variant:
    def build():
        model = MLP(cfg.hidden, scheme)
        return model, torch.optim.Adam(model.parameters(), lr=cfg.lr)

    return lessons.Variant(scheme, build)


def train(cfg: WeightInitConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    ts = torch_common.setup(cfg, run)
    data = lesson_data.load(cfg)
    steps = cfg.epochs * max(len(data[0]) // cfg.batch_size, 1)
    variants = [make_variant(cfg, scheme) for scheme in cfg.schemes]
    found = lessons.run_variants(run, variants, data, seed=cfg.seed, steps=steps,
                                 batch_size=cfg.batch_size, every=cfg.eval_every,
                                 device=ts.device)
    metrics = {f"{k}_acc": v for k, v in found.accuracy.items()}
    if len(found.accuracy) < len(variants):  # stopped early: resuming trains the rest
        return metrics, ts.describe()
    lessons.plot_curves(run, "curves/train_loss", found.curves, "train_loss",
                        title="Training loss from each initialisation")
    lessons.plot_curves(run, "curves/val_acc", found.curves, "val_acc",
                        title="Validation accuracy from each initialisation")
    table = ["| initialisation | test accuracy | course (2 epochs) |", "|---|---:|---:|"]
    table += [f"| {name} | {acc:.1%} | "
              f"{format(COURSE[name], '.1%') if name in COURSE else '-'} |"
              for name, acc in found.accuracy.items()]
    text = "\n".join(table) + "\n"
    (run.path / "results.md").write_text(text)
    run.say("\n" + text + f"TensorBoard: tensorboard --logdir {run.path / 'tensorboard'}")
    return metrics, ts.describe()


def load(run_dir: Path) -> lessons.Comparison:
    """The lesson's result: each initialisation's test accuracy and curves."""
    return lessons.load_comparison(run_dir, PROJECT_NAME, WeightInitConfig)
