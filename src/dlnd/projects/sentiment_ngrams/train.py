"""Fit the NBSVM-style model on IMDB train, evaluate on IMDB test, time both."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from dlnd.core import runs
from dlnd.projects.sentiment_ngrams import data as ngram_data
from dlnd.projects.sentiment_ngrams.config import SentimentNgramsConfig
from dlnd.projects.sentiment_ngrams.model import NBLogisticRegression, nb_ratio
from dlnd.shared import text


def train(cfg: SentimentNgramsConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    started = time.perf_counter()  # train_s counts everything from raw text to fitted weights
    train_set = ngram_data.load("train", cfg.train_reviews, cfg.seed)
    vocabulary = text.NgramVocabulary.build(train_set.tokens, cfg.max_n, cfg.min_count)
    train_x = vocabulary.encode(train_set.tokens)
    model = NBLogisticRegression(nb_ratio(train_x, train_set.labels, vocabulary.size,
                                          cfg.nb_alpha))
    design = model.design(train_x)
    run.say(f"{vocabulary.size:,} features ({len(vocabulary.words):,} words), "
            f"{len(train_x.ids) / len(train_x):.0f} per review")
    start, fit_s = 0, 0.0
    state = run.load_checkpoint()
    if state is not None:
        model.load_state_dict(state["model"])
        start, fit_s = state["step"] + 1, state["fit_s"]
    prep_s = time.perf_counter() - started

    test_set = ngram_data.load("test", cfg.test_reviews, cfg.seed)
    for epoch in run.epochs(cfg.epochs, start):
        tick = time.perf_counter()
        loss = model.fit(design, train_set.labels, cfg.l2, cfg.iterations)
        fit_s += time.perf_counter() - tick
        metrics = {"train/loss": loss,
                   "train/acc": accuracy(1 / (1 + np.exp(-model.logits(design))),
                                         train_set.labels)}
        run.log(epoch, metrics)
        run.report(epoch, cfg.epochs, metrics)
        run.save_checkpoint({"step": epoch, "model": model.state_dict(), "fit_s": fit_s,
                             "vocabulary": vocabulary})
        if run.stop_requested:
            break

    tick = time.perf_counter()  # inference from tokens: finding the n-grams is part of it
    test_p = model.predict_proba(vocabulary.encode(test_set.tokens))
    predict_s = time.perf_counter() - tick
    train_s = prep_s + fit_s
    final = {"test_acc": accuracy(test_p, test_set.labels), "train_s": train_s,
             "fit_s": fit_s, "train_per_s": len(train_x) / train_s,
             "predict_per_s": len(test_p) / max(predict_s, 1e-9),
             "features": float(vocabulary.size), "train_reviews": float(len(train_x))}
    run.log(cfg.epochs, {f"final/{k}": v for k, v in final.items()})
    return final, "cpu (numpy + scipy)"


def accuracy(p: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean((p >= 0.5) == labels))


class SentimentNgramsModel:
    """Raw review texts in, P(positive) out."""

    def __init__(self, model: NBLogisticRegression, vocabulary: text.NgramVocabulary):
        self.model, self.vocabulary = model, vocabulary

    def predict(self, texts: list[str]) -> np.ndarray:
        return self.model.predict_proba(self.vocabulary.encode([text.tokenize(t) for t in texts]))


def load(run_dir: Path) -> SentimentNgramsModel:
    state = runs.trained_state(run_dir)
    model = NBLogisticRegression(state["model"]["ratio"])
    model.load_state_dict(state["model"])
    return SentimentNgramsModel(model, state["vocabulary"])


def predict(run_dir: Path, inputs: list[str]) -> list[str]:
    """One line per text: the label and P(positive)."""
    return [text.describe_prediction(p) for p in load(run_dir).predict(inputs)]
