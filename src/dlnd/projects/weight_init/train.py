"""Train the same network from each initialisation, with the same batch order; compare."""

from __future__ import annotations

from pathlib import Path

import torch

from dlnd.core import runs
from dlnd.projects.weight_init import data as lesson_data
from dlnd.projects.weight_init.config import WeightInitConfig
from dlnd.projects.weight_init.model import MLP
from dlnd.shared import vision

COURSE = {"zeros": 0.113, "uniform_0_1": 0.653, "uniform_scaled": 0.972,
          "truncated_normal": 0.975}  # after 2 epochs (course notebook; uniform_scaled = 0.1)


def make_variant(cfg: WeightInitConfig, scheme: str) -> vision.Variant:
    def build():
        model = MLP(cfg.hidden, scheme)
        return model, torch.optim.Adam(model.parameters(), lr=cfg.lr)

    return vision.Variant(scheme, build)


def train(cfg: WeightInitConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    data = lesson_data.load(cfg)
    steps = cfg.epochs * max(len(data[0]) // cfg.batch_size, 1)
    variants = [make_variant(cfg, scheme) for scheme in cfg.schemes]
    results, curves = vision.run_variants(run, variants, data, seed=cfg.seed, steps=steps,
                                          batch_size=cfg.batch_size, every=cfg.eval_every)
    metrics = {f"{k}_acc": v for k, v in results.items()}
    if len(results) < len(variants):  # interrupted: the checkpoint resumes the rest
        return metrics, "cpu"
    vision.plot_curves(run, "curves/train_loss", curves, "train_loss")
    vision.plot_curves(run, "curves/val_acc", curves, "val_acc")
    table = ["| initialisation | test accuracy | course (2 epochs) |", "|---|---:|---:|"]
    table += [f"| {name} | {acc:.1%} | "
              f"{format(COURSE[name], '.1%') if name in COURSE else '-'} |"
              for name, acc in results.items()]
    text = "\n".join(table) + "\n"
    (run.path / "results.md").write_text(text)
    run.say("\n" + text + f"TensorBoard: tensorboard --logdir {run.path / 'tensorboard'}")
    return metrics, f"cpu, {torch.get_num_threads()} thread(s)"


def load(run_dir: Path) -> dict[str, float]:
    """The lesson's result: test accuracy of each initialisation."""
    state = runs.trained_state(run_dir)
    return state["results"]
