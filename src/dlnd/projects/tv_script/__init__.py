"""Project 3: TV script generation, a word-level LSTM language model on The Simpsons or
Seinfeld (PyTorch)."""

from dlnd.core.project import Project
from dlnd.core.runs import Criterion
from dlnd.projects.tv_script.config import TvScriptConfig

PROJECT = Project(
    name="tv-script",
    teaches="Project 3: a word-level LSTM language model that writes TV scripts",
    engine="torch",
    config=TvScriptConfig,
    module="dlnd.projects.tv_script.train",
    # both corpora are declared; data.py reads the one chosen by `corpus`
    data=(("simpsons", "moes_tavern_lines.txt"), ("seinfeld", "Seinfeld_Scripts.txt")),
    target_text="training loss below the course's bar: < 1.0 on The Simpsons, < 3.5 on "
                "Seinfeld (nats/word; train_loss_margin = bar - train_loss > 0)",
    target=(Criterion("train_loss_margin", ">", 0.0),),
    primary_metric="train_loss",  # what the course target is about (val_ppl is in the summary)
    epoch_metrics=("train/loss", "train/lr", "val/loss", "val/ppl"),
    sweep_metric="val/loss",
    offers=("generate",),
    # validation perplexity 39 in ~2 s of training (3 epochs: 51; untrained: the vocabulary's
    # 863 words)
    quick={"max_chars": 60_000, "lstm_size": 64, "embedding_dim": 32, "epochs": 6,
           "batch_size": 16, "threads": 1},
    order=31,
)
