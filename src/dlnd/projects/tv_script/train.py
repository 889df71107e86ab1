"""Train tv-script on the chosen corpus; load a trained run as a script writer."""

from __future__ import annotations

from pathlib import Path

from dlnd.core import runs
from dlnd.projects.tv_script import data as script_data
from dlnd.projects.tv_script.config import TvScriptConfig
from dlnd.projects.tv_script.model import TvScriptModel
from dlnd.shared import lm, plots, samples

# The course's bars, on training loss (nats per token).
COURSE_TRAIN_LOSS = {"simpsons": 1.0, "seinfeld": 3.5}
SAMPLE_TOKENS = 100  # written after each epoch (TensorBoard text, samples.md)


def train(cfg: TvScriptConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    corpus = script_data.load(cfg.corpus, cfg.val_fraction, cfg.min_count, cfg.max_chars)
    run.say(f"{cfg.corpus}: {len(corpus.train):,} training and {len(corpus.val):,} validation "
            f"tokens, vocabulary {len(corpus.vocab):,}")
    samples.each_epoch(run, lambda network: TvScriptModel(network, corpus.vocab, cfg).generate(
        length=SAMPLE_TOKENS, seed=cfg.seed))
    metrics, device = lm.fit(cfg, run, corpus)
    plots.learning_curves(run, title="Loss and perplexity (nats and e^nats per word), "
                          "learning rate")
    bar = COURSE_TRAIN_LOSS[cfg.corpus]
    return {**metrics, "train_loss_margin": bar - metrics["train_loss"]}, device


def load(run_dir: Path) -> TvScriptModel:
    """The weights of the epoch with the lowest validation loss, on the CPU."""
    trained = runs.Trained(run_dir, TvScriptConfig)
    network, vocab = lm.load_network(trained)
    return TvScriptModel(network, vocab, trained.config)
