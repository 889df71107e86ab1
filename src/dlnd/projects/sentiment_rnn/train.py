"""Train the sentiment RNN on IMDB train (minus a validation slice), test on IMDB test."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from dlnd.core import runs
from dlnd.core.torch_common import resolve_device, scheduled_lr
from dlnd.projects.sentiment_rnn import data as rnn_data
from dlnd.projects.sentiment_rnn.config import SentimentRnnConfig
from dlnd.projects.sentiment_rnn.model import SentimentRNN, pad
from dlnd.shared import text

EVAL_BATCH = 256


def make_model(cfg: SentimentRnnConfig) -> SentimentRNN:
    return SentimentRNN(cfg.vocab_size, cfg.embedding_dim, cfg.hidden_size, cfg.cell,
                        cfg.bidirectional, cfg.dropout, cfg.embedding_dropout)


def train(cfg: SentimentRnnConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    torch.manual_seed(cfg.seed)
    device = torch.device(resolve_device(cfg.device))
    data = rnn_data.load(cfg.vocab_size, cfg.max_len, cfg.val_reviews, cfg.train_reviews,
                         cfg.test_reviews, cfg.seed)
    model = make_model(cfg).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    start, train_s = 0, 0.0
    best = {"val_acc": -1.0, "epoch": -1, "model": None}
    state = run.load_checkpoint()
    if state is not None:
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        torch.set_rng_state(state["torch_rng"])
        start, train_s, best = state["step"] + 1, state["train_s"], state["best"]

    epochs_done = start
    lengths = np.array([len(s) for s in data.train.ids])
    labels = torch.tensor(data.train.labels, dtype=torch.float32)
    for epoch in run.epochs(cfg.epochs, start):
        model.train()
        tick, losses = time.perf_counter(), []
        # the shuffle depends only on (seed, epoch): a resumed run draws the same batches
        batches = rnn_data.training_batches(lengths, cfg.batch_size,
                                            np.random.default_rng([cfg.seed, epoch]))
        for step, idx in enumerate(batches, start=epoch * len(batches)):
            for group in optimizer.param_groups:
                group["lr"] = scheduled_lr(cfg.lr, cfg.lr_schedule, step, cfg.epochs * len(batches))
            ids, lens = pad([data.train.ids[i] for i in idx], device)
            loss = F.binary_cross_entropy_with_logits(model(ids, lens), labels[idx].to(device))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
            optimizer.step()
            losses.append(loss.item())
        train_s += time.perf_counter() - tick
        epochs_done = epoch + 1
        val_acc = accuracy(probabilities(model, data.val.ids, device), data.val.labels)
        metrics = {"train/loss": float(np.mean(losses)), "val/acc": val_acc}
        run.log(epoch, metrics)
        run.report(epoch, cfg.epochs, metrics)
        if val_acc > best["val_acc"]:
            best = {"val_acc": val_acc, "epoch": epoch,
                    "model": {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}}
        run.save_checkpoint({"step": epoch, "model": model.state_dict(),
                             "optimizer": optimizer.state_dict(),
                             "torch_rng": torch.get_rng_state(), "train_s": train_s,
                             "best": best, "vocabulary": data.vocabulary.tokens})
        if run.stop_requested:
            break

    run.say(f"keeping the weights of epoch {best['epoch'] + 1} (best validation accuracy)")
    model.load_state_dict(best["model"])
    tick = time.perf_counter()
    test_p = probabilities(model, data.test.ids, device)
    predict_s = time.perf_counter() - tick
    final = {"test_acc": accuracy(test_p, data.test.labels), "val_acc": best["val_acc"],
             "best_epoch": best["epoch"] + 1, "train_s": train_s,
             "train_per_s": len(lengths) * epochs_done / max(train_s, 1e-9),
             "predict_per_s": len(test_p) / max(predict_s, 1e-9)}
    run.log(cfg.epochs, {f"final/{k}": v for k, v in final.items()})
    return final, str(device)


@torch.no_grad()
def probabilities(model: SentimentRNN, sequences: list[np.ndarray],
                  device: torch.device) -> np.ndarray:
    """P(positive) for each sequence, in the given order."""
    model.eval()
    out = np.zeros(len(sequences))
    for idx in rnn_data.equal_length_batches(np.array([len(s) for s in sequences]), EVAL_BATCH):
        ids, lens = pad([sequences[i] for i in idx], device)
        out[idx] = torch.sigmoid(model(ids, lens)).cpu().numpy()
    return out


def accuracy(p: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean((p >= 0.5) == labels))


class SentimentRnnModel:
    """Raw review texts in, P(positive) out."""

    def __init__(self, model: SentimentRNN, vocabulary: text.Vocabulary, max_len: int):
        self.model, self.vocabulary, self.max_len = model, vocabulary, max_len

    def predict(self, texts: list[str]) -> np.ndarray:
        sequences = rnn_data.encode(self.vocabulary, texts, self.max_len)
        return probabilities(self.model, sequences, torch.device("cpu"))


def load(run_dir: Path) -> SentimentRnnModel:
    state = runs.trained_state(run_dir)
    cfg = runs.saved_config(run_dir, SentimentRnnConfig)
    model = make_model(cfg)
    model.load_state_dict(state["best"]["model"])
    return SentimentRnnModel(model, text.Vocabulary(state["vocabulary"], first_id=2), cfg.max_len)


def predict(run_dir: Path, inputs: list[str]) -> list[str]:
    """One line per text: the label and P(positive)."""
    return [text.describe_prediction(p) for p in load(run_dir).predict(inputs)]
