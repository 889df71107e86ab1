"""Train the face-generation DCGAN: discriminator step, generator step, every batch (the loop and
the step are dlnd.shared.gan.fit and train_step; the two networks are model.py's)."""

from __future__ import annotations

from pathlib import Path

from dlnd.core import runs, torch_common
from dlnd.projects.face_generation import data, model
from dlnd.projects.face_generation.config import FaceGenerationConfig
from dlnd.shared import gan

PROJECT_NAME = "face-generation"


def train(cfg: FaceGenerationConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    ts = torch_common.setup(cfg, run)
    images = data.load_data(cfg)
    final = gan.fit(cfg, run, ts, images, model.generator(cfg, images.shape),
                    model.discriminator(cfg, images.shape), title="Face generation DCGAN")
    return final, ts.describe()


def load(run_dir: Path) -> gan.GanSampler:
    return gan.load_sampler(PROJECT_NAME, FaceGenerationConfig, run_dir, model.generator)
