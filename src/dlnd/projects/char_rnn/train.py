"""Train char-rnn on anna.txt; load a trained run as a text generator."""

from __future__ import annotations

from pathlib import Path

from dlnd.core import runs
from dlnd.projects.char_rnn import data as char_data
from dlnd.projects.char_rnn.config import CharRnnConfig
from dlnd.projects.char_rnn.model import CharRnnModel
from dlnd.shared import lm, plots, samples

SAMPLE_CHARS = 300  # written after each epoch (TensorBoard text, samples.md)


def train(cfg: CharRnnConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    corpus = char_data.load(cfg.val_fraction, cfg.max_chars)
    samples.each_epoch(run, lambda network: CharRnnModel(network, corpus.vocab, cfg).generate(
        length=SAMPLE_CHARS, seed=cfg.seed))
    metrics, device = lm.fit(cfg, run, corpus)
    plots.learning_curves(run, title="Loss and perplexity (nats and e^nats per character), "
                          "learning rate")
    return metrics, device


def load(run_dir: Path) -> CharRnnModel:
    """The weights of the epoch with the lowest validation loss, on the CPU."""
    trained = runs.Trained(run_dir, CharRnnConfig)
    network, vocab = lm.load_network(trained)
    return CharRnnModel(network, vocab, trained.config)
