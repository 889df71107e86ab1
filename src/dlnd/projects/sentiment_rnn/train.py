"""Train the sentiment RNN on IMDB train (minus a validation slice), test on IMDB test."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from dlnd.core import runs, torch_common
from dlnd.core.project import Prediction
from dlnd.projects.sentiment_rnn import data as rnn_data
from dlnd.projects.sentiment_rnn.config import SentimentRnnConfig
from dlnd.projects.sentiment_rnn.model import SentimentRNN, pad
from dlnd.shared import plots, text
from dlnd.shared.sentiment import TrainingClock, accuracy, predictions

EVAL_BATCH = 256


def make_model(cfg: SentimentRnnConfig) -> SentimentRNN:
    return SentimentRNN(cfg.vocab_size, cfg.embedding_dim, cfg.hidden_size, cfg.cell,
                        cfg.bidirectional, cfg.dropout, cfg.embedding_dropout,
                        cfg.words_per_step)


def train(cfg: SentimentRnnConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    ts = torch_common.setup(cfg, run)
    data = rnn_data.load(cfg.vocab_size, cfg.max_len, cfg.val_reviews, cfg.train_reviews,
                         cfg.test_reviews, cfg.seed)
    model = make_model(cfg).to(ts.device)
    net = ts.wrap(model)
    # fused: one kernel for all weights; Adam's passes over the 30,000 x 128 word vectors
    # otherwise cost ~5% of a step on a CPU
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr, fused=True)
    best = runs.Best("val/acc", mode="max", model=model)
    clock = TrainingClock()
    # dropout draws from torch's global generators
    run.track(model=model, optimizer=optimizer, torch_rng=torch_common.TorchRNG(), best=best,
              clock=clock)
    run.keep(vocabulary=data.vocabulary.tokens)

    lengths = np.array([len(s) for s in data.train.ids])
    labels = torch.tensor(data.train.labels, dtype=torch.float32)
    val_labels = torch.tensor(data.val.labels, dtype=torch.float32)
    for epoch in run.epochs(cfg.epochs):
        model.train()
        tick, losses = time.perf_counter(), []
        # the shuffle depends only on (seed, epoch): a resumed run draws the same batches
        batches = text.bucketed_batches(lengths, cfg.batch_size,
                                        np.random.default_rng([cfg.seed, epoch]))
        for step, batch in enumerate(batches, start=epoch * len(batches)):
            for group in optimizer.param_groups:
                group["lr"] = torch_common.scheduled_lr(cfg.lr, cfg.lr_schedule, step,
                                                        cfg.epochs * len(batches))
            idx = ts.share(batch)
            ids, lens = pad([data.train.ids[i] for i in idx], ts.device)
            loss = F.binary_cross_entropy_with_logits(net(ids, lens), labels[idx].to(ts.device))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
            optimizer.step()
            losses.append(loss.item())
        clock.add(time.perf_counter() - tick)
        val_logits = logits(model, data.val.ids, ts.device)
        metrics = {"train/loss": float(np.mean(losses)),
                   "val/loss": F.binary_cross_entropy_with_logits(val_logits, val_labels).item(),
                   "val/acc": accuracy(torch.sigmoid(val_logits).numpy(), data.val.labels)}
        run.log(epoch, metrics)
        run.report(epoch, cfg.epochs, metrics)
        best.update(epoch, metrics)

    best.restore()
    run.say(f"keeping the weights of epoch {best.epoch + 1} (best validation accuracy)")
    tick = time.perf_counter()
    test_p = probabilities(model, data.test.ids, ts.device)
    predict_s = time.perf_counter() - tick
    final = {"test_acc": accuracy(test_p, data.test.labels), "val_acc": best.value,
             "best_epoch": best.epoch + 1, "train_s": clock.seconds,
             "train_per_s": clock.per_second(len(lengths)),
             "predict_per_s": len(test_p) / max(predict_s, 1e-9)}
    run.log(cfg.epochs, {f"final/{k}": v for k, v in final.items()})
    plots.learning_curves(run, title="Training and validation loss, validation accuracy")
    plots.probabilities_by_label(run, "test_probabilities", test_p, data.test.labels,
                                 title=f"The test reviews' P(positive), by their true label "
                                       f"(epoch {best.epoch + 1}'s weights)")
    return final, ts.describe()


@torch.no_grad()
def logits(model: SentimentRNN, sequences: list[np.ndarray], device: torch.device
           ) -> torch.Tensor:
    """The logit of P(positive) for each sequence, in the given order, on the CPU."""
    model.eval()
    out = torch.zeros(len(sequences))
    for idx in rnn_data.equal_length_batches(np.array([len(s) for s in sequences]), EVAL_BATCH):
        ids, lens = pad([sequences[i] for i in idx], device)
        out[torch.from_numpy(idx)] = model(ids, lens).cpu()
    return out


def probabilities(model: SentimentRNN, sequences: list[np.ndarray],
                  device: torch.device) -> np.ndarray:
    """P(positive) for each sequence, in the given order."""
    return torch.sigmoid(logits(model, sequences, device)).numpy()


class SentimentRnnModel:
    """Raw review texts in, P(positive) out."""

    project = "sentiment-rnn"

    def __init__(self, model: SentimentRNN, vocabulary: text.Vocabulary,
                 config: SentimentRnnConfig):
        self.model, self.vocabulary, self.config = model, vocabulary, config

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """P(positive) of each review text."""
        sequences = rnn_data.encode(self.vocabulary, texts, self.config.max_len)
        return probabilities(self.model, sequences, torch.device("cpu"))

    def predict(self, inputs: list[str]) -> list[Prediction]:
        """A label per text; a text without any known word gets a note instead."""
        sequences = rnn_data.encode(self.vocabulary, inputs, self.config.max_len)
        known = [int(np.count_nonzero(ids >= rnn_data.FIRST_WORD)) for ids in sequences]
        return predictions(inputs, probabilities(self.model, sequences, torch.device("cpu")),
                           known=known)


def load(run_dir: Path) -> SentimentRnnModel:
    trained = runs.Trained(run_dir, SentimentRnnConfig)
    model = make_model(trained.config)
    model.load_state_dict(one_rnn_per_direction(trained.weights("model")))
    vocabulary = text.Vocabulary(trained.artifacts["vocabulary"], first_id=rnn_data.FIRST_WORD)
    return SentimentRnnModel(model, vocabulary, trained.config)


def one_rnn_per_direction(weights: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Runs saved when both directions were one ``nn.GRU(bidirectional=True)`` (its backward
    weights named ``rnn.*_reverse``) load into today's two RNNs."""
    return {(f"rnn_backward.{k[len('rnn.'):-len('_reverse')]}" if k.endswith("_reverse") else k): v
            for k, v in weights.items()}
