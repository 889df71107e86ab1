"""Fit the NBSVM-style model on IMDB train, evaluate on IMDB test, time both."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from dlnd.core import runs
from dlnd.core.errors import ConfigError
from dlnd.core.project import Prediction
from dlnd.projects.sentiment_ngrams import data as ngram_data
from dlnd.projects.sentiment_ngrams.config import SentimentNgramsConfig
from dlnd.projects.sentiment_ngrams.model import NBLogisticRegression, most_polarised, nb_ratio
from dlnd.shared import numeric, plots, text
from dlnd.shared.sentiment import TrainingClock, accuracy, predictions


@numeric.quiet_overflow
def train(cfg: SentimentNgramsConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    started = time.perf_counter()  # train_s counts everything from raw text to fitted weights
    train_set = ngram_data.load("train", cfg.train_reviews, cfg.seed)
    vocabulary = text.NgramVocabulary.build(train_set.tokens, cfg.max_n, cfg.min_count)
    if vocabulary.size == 0:
        raise ConfigError(f"min_count={cfg.min_count} leaves no word of the training reviews: "
                          "nothing to learn; lower it")
    train_x = vocabulary.encode(train_set.tokens)
    model = NBLogisticRegression(nb_ratio(train_x, train_set.labels, vocabulary.size,
                                          cfg.nb_alpha))
    design = model.design(train_x)
    run.say(f"{vocabulary.size:,} features ({len(vocabulary.words):,} words), "
            f"{len(train_x.ids) / len(train_x):.0f} per review")
    prep_s = time.perf_counter() - started
    fit = TrainingClock()
    run.track(model=model, fit=fit)
    run.keep(vocabulary=ngram_data.vocabulary_state(vocabulary))

    test_set = ngram_data.load("test", cfg.test_reviews, cfg.seed)
    tick = time.perf_counter()  # answering from tokens: finding the n-grams is part of it
    test_x = vocabulary.encode(test_set.tokens)
    encode_s = time.perf_counter() - tick
    for epoch in run.epochs(cfg.epochs):
        tick = time.perf_counter()
        loss = model.fit(design, train_set.labels, cfg.l2, cfg.iterations)
        fit.add(time.perf_counter() - tick)
        metrics = {"train/loss": loss,
                   "train/acc": accuracy(1 / (1 + np.exp(-model.logits(design))),
                                         train_set.labels),
                   "test/acc": accuracy(model.predict_proba(test_x), test_set.labels)}
        run.log(epoch, metrics)
        run.report(epoch, cfg.epochs, metrics)

    tick = time.perf_counter()
    test_p = model.predict_proba(test_x)
    predict_s = encode_s + time.perf_counter() - tick
    train_s = prep_s + fit.seconds
    final = {"test_acc": accuracy(test_p, test_set.labels), "train_s": train_s,
             "fit_s": fit.seconds, "train_per_s": len(train_x) / train_s,
             "predict_per_s": len(test_p) / max(predict_s, 1e-9),
             "features": float(vocabulary.size), "train_reviews": float(len(train_x))}
    run.log(cfg.epochs, {f"final/{k}": v for k, v in final.items()})
    plots.learning_curves(run, title="Log-loss and accuracy after each round of L-BFGS")
    plots.ranked_bars(run, "polarised_ngrams", *most_polarised(
        model.ratio, train_x, vocabulary.name, min_reviews=max(len(train_x) // 250, 5)),
        xlabel="Naive Bayes log-count ratio r", title="The n-grams Naive Bayes finds most "
        "telling (in 0.4%+ of the training reviews)")
    return final, "cpu (numpy + scipy)"


class SentimentNgramsModel:
    """Raw review texts in, P(positive) out."""

    project = "sentiment-ngrams"

    def __init__(self, model: NBLogisticRegression, vocabulary: text.NgramVocabulary,
                 config: SentimentNgramsConfig):
        self.model, self.vocabulary, self.config = model, vocabulary, config

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """P(positive) of each review text."""
        return self.model.predict_proba(self.vocabulary.encode([text.tokenize(t) for t in texts]))

    def predict(self, inputs: list[str]) -> list[Prediction]:
        """A label per text; a text without any known word or n-gram gets a note instead."""
        encoded = self.vocabulary.encode([text.tokenize(t) for t in inputs])
        return predictions(inputs, self.model.predict_proba(encoded), known=encoded.lengths())


def load(run_dir: Path) -> SentimentNgramsModel:
    trained = runs.Trained(run_dir, SentimentNgramsConfig)
    weights = trained.weights("model")
    model = NBLogisticRegression(weights["ratio"])
    model.load_state_dict(weights)
    vocabulary = ngram_data.vocabulary_from_state(trained.artifacts["vocabulary"])
    return SentimentNgramsModel(model, vocabulary, trained.config)
