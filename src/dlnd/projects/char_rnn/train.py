"""Train char-rnn on anna.txt; generate text from a trained run."""

from __future__ import annotations

from pathlib import Path

from dlnd.core import runs
from dlnd.projects.char_rnn import data as char_data
from dlnd.projects.char_rnn.config import CharRnnConfig
from dlnd.projects.char_rnn.model import CharRnnModel
from dlnd.shared import lm


def train(cfg: CharRnnConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    return lm.fit(cfg, run, char_data.load(cfg.val_fraction, cfg.max_chars))


def load(run_dir: Path) -> CharRnnModel:
    """The weights of the epoch with the lowest validation loss."""
    state = runs.trained_state(run_dir)
    cfg = runs.saved_config(run_dir, CharRnnConfig)
    return CharRnnModel(*lm.load_model(state, cfg))


def generate(run_dir: Path, prime: str, length: int, temperature: float, top_k: int | None,
             seed: int) -> str:
    return load(run_dir).generate(prime, length, temperature, top_k, seed)
