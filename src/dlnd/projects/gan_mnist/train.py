"""Train the fully connected GAN: discriminator step, generator step, every batch (the loop and
the step are dlnd.shared.gan.fit and train_step; the two networks are model.py's)."""

from __future__ import annotations

from pathlib import Path

from dlnd.core import runs, torch_common
from dlnd.projects.gan_mnist import data, model
from dlnd.projects.gan_mnist.config import GanMnistConfig
from dlnd.shared import gan

PROJECT_NAME = "gan-mnist"


def train(cfg: GanMnistConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    ts = torch_common.setup(cfg, run)
    images = data.load_data(cfg)
    final = gan.fit(cfg, run, ts, images, model.generator(cfg, images.shape),
                    model.discriminator(cfg, images.shape), title="Fully connected GAN")
    return final, ts.describe()


def load(run_dir: Path) -> gan.GanSampler:
    return gan.load_sampler(PROJECT_NAME, GanMnistConfig, run_dir, model.generator)
