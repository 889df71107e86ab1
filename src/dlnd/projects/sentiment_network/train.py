"""Train Trask's sentiment network on the course split; report accuracy and reviews per second."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from dlnd.core import runs
from dlnd.core.project import Prediction
from dlnd.projects.sentiment_network import data as net_data
from dlnd.projects.sentiment_network.config import SentimentNetworkConfig
from dlnd.projects.sentiment_network.model import Presence, SentimentNetwork
from dlnd.shared import numeric, plots, text
from dlnd.shared.sentiment import TrainingClock, accuracy, predictions


def learning_rate(cfg: SentimentNetworkConfig, epoch: int) -> float:
    """Linear decay from ``lr`` towards 0, one level per epoch."""
    return cfg.lr * (1.0 - epoch / cfg.epochs)


@numeric.quiet_overflow
def train(cfg: SentimentNetworkConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    started = time.perf_counter()  # prep_s: reading, tokenising, vocabulary, encoding, batches
    split = net_data.load(cfg.train_reviews, cfg.test_reviews)
    prepared = net_data.build_features(split.train_tokens, split.train_labels, cfg.bigrams,
                                       cfg.min_count, cfg.polarity_cutoff)
    features, train_x = prepared.features, prepared.train_x
    # Reviews in file order, as in the lesson (the file alternates positive and negative): the
    # same batches every epoch, so their sparse form is built once, before the timed loop.
    starts = range(0, len(train_x), cfg.batch_size)
    batches = [train_x.rows(b, min(b + cfg.batch_size, len(train_x))) for b in starts]
    if cfg.sparse_inputs:
        batches = [Presence.of(batch) for batch in batches]
    prep_s = time.perf_counter() - started
    run.say(f"{features.size:,} features in {prep_s:.1f} s")
    report_polarised(run, prepared)

    net = SentimentNetwork(features.size, cfg.hidden_nodes, np.random.default_rng(cfg.seed))
    loop = TrainingClock()  # the training loop alone: the lesson's speed measure
    run.track(model=net, loop=loop)
    run.keep(features=features.state())

    labels, test_x = split.train_labels, features.encode(split.test_tokens)
    for epoch in run.epochs(cfg.epochs):
        lr = learning_rate(cfg, epoch)
        tick = time.perf_counter()
        losses = [net.train_step(batch, labels[b:b + cfg.batch_size], lr, cfg.sparse_inputs)
                  for b, batch in zip(starts, batches, strict=True)]
        loop.add(time.perf_counter() - tick)
        metrics = {"train/loss": float(np.mean(losses)), "train/lr": lr,
                   "test/acc": accuracy(net.run(test_x), split.test_labels)}
        run.log(epoch, metrics)
        run.report(epoch, cfg.epochs, metrics)

    tick = time.perf_counter()  # inference from tokens: encoding is part of answering
    test_p = net.run(features.encode(split.test_tokens), cfg.sparse_inputs)
    predict_s = time.perf_counter() - tick
    final = {"test_acc": accuracy(test_p, split.test_labels),
             "train_acc": accuracy(net.run(train_x), split.train_labels),
             "train_per_s": loop.per_second(len(train_x)),
             "train_s": prep_s + loop.seconds,
             "predict_per_s": len(test_p) / max(predict_s, 1e-9),
             "prep_s": prep_s, "features": float(features.size),
             "train_reviews": float(len(train_x))}
    run.log(cfg.epochs, {f"final/{k}": v for k, v in final.items()})
    plots.learning_curves(run, title="Training loss, learning rate and test accuracy")
    return final, "cpu (numpy)"


def report_polarised(run: runs.Run, prepared: net_data.Prepared) -> None:
    """The lesson's first look at the data: the most positive and negative words, as
    log(positive/negative) among the words in 100+ reviews; also in polarised_words.txt."""
    top, bottom = net_data.most_polarised(prepared)
    lines = ["most positive (log ratio):"] + [f"  {w:<24} {r:+.3f}" for w, r in top]
    lines += ["most negative (log ratio):"] + [f"  {w:<24} {r:+.3f}" for w, r in bottom]
    (run.path / "polarised_words.txt").write_text("\n".join(lines) + "\n")
    plots.ranked_bars(run, "polarised_words", top, bottom, xlabel="log(positive / negative)",
                      title="The words most telling of a review's sentiment (in 100+ reviews)")
    run.say("most positive: " + ", ".join(w for w, _ in top[:8]))
    run.say("most negative: " + ", ".join(w for w, _ in bottom[:8]))


class SentimentNetworkModel:
    """A trained network with its feature map: raw review texts in, P(positive) out."""

    project = "sentiment-network"

    def __init__(self, net: SentimentNetwork, features: net_data.Features,
                 config: SentimentNetworkConfig):
        self.net, self.features, self.config = net, features, config

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """P(positive) of each review text (0.5 for a text without any known feature)."""
        return self.net.run(self.features.encode([text.tokenize(t) for t in texts]))

    def predict(self, inputs: list[str]) -> list[Prediction]:
        """A label per text; a text without any known word or word pair gets a note instead."""
        encoded = self.features.encode([text.tokenize(t) for t in inputs])
        return predictions(inputs, self.net.run(encoded), known=encoded.lengths())


def load(run_dir: Path) -> SentimentNetworkModel:
    trained = runs.Trained(run_dir, SentimentNetworkConfig)
    weights = trained.weights("model")
    net = SentimentNetwork(*weights["w_input_hidden"].shape, np.random.default_rng(0))
    net.load_state_dict(weights)
    features = net_data.Features.from_state(trained.artifacts["features"])
    return SentimentNetworkModel(net, features, trained.config)
