"""Train the DCGAN: discriminator step, generator step, every batch (the loop and
the step are dlnd.shared.gan.fit and train_step; the two networks are model.py's)."""

from __future__ import annotations

from pathlib import Path

from dlnd.core import runs, torch_common
from dlnd.projects.dcgan import data, model
from dlnd.projects.dcgan.config import DcganConfig
from dlnd.shared import gan

PROJECT_NAME = "dcgan"


def train(cfg: DcganConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    ts = torch_common.setup(cfg, run)
    images = data.load_data(cfg)
    final = gan.fit(cfg, run, ts, images, model.generator(cfg, images.shape),
                    model.discriminator(cfg, images.shape), title="DCGAN")
    return final, ts.describe()


def load(run_dir: Path) -> gan.GanSampler:
    return gan.load_sampler(PROJECT_NAME, DcganConfig, run_dir, model.generator)
