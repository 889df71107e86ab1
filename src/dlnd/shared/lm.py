"""Recurrent language models, shared by char-rnn (characters) and tv-script (words).

A text becomes one stream of token ids. Training cuts it into ``batch_size`` parallel streams and
walks them ``seq_len`` tokens at a time (truncated backpropagation through time): the LSTM state
at the end of one window is the start of the next, detached so gradients stop at the window edge.
Generation feeds a prime through the network and samples one token at a time.

Imported by the projects' ``data.py``/``train.py`` only (it imports torch).
"""

from __future__ import annotations

import math
import time
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from dlnd.core import runs
from dlnd.core.errors import DataError, TrainingError
from dlnd.core.torch_common import resolve_device, scheduled_lr


class Vocab:
    """Tokens <-> ids. With an ``unknown`` token, tokens outside the vocabulary map to it."""

    def __init__(self, tokens: list[str], unknown: str | None = None):
        self.tokens = list(tokens)
        self.unknown = unknown
        self.index = {t: i for i, t in enumerate(self.tokens)}
        if unknown is not None and unknown not in self.index:
            raise ValueError(f"the unknown token {unknown!r} is not in the vocabulary")

    @classmethod
    def build(cls, tokens: Iterable[str], min_count: int = 1,
              unknown: str | None = None) -> Vocab:
        """Tokens seen at least ``min_count`` times, most frequent first (ties alphabetical)."""
        counts = Counter(tokens)
        kept = sorted((t for t, c in counts.items() if c >= min_count),
                      key=lambda t: (-counts[t], t))
        return cls(([unknown] if unknown is not None else []) + kept, unknown)

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, token: str) -> bool:
        return token in self.index

    def encode(self, tokens: Iterable[str]) -> np.ndarray:
        """Ids of ``tokens``; without an unknown token, every token must be in the vocabulary."""
        if self.unknown is None:
            return np.fromiter((self.index[t] for t in tokens), dtype=np.int64)
        unk = self.index[self.unknown]
        return np.fromiter((self.index.get(t, unk) for t in tokens), dtype=np.int64)

    def decode(self, ids: Iterable[int]) -> list[str]:
        return [self.tokens[i] for i in ids]


def windows(ids: np.ndarray, n_streams: int, seq_len: int) -> Iterator[tuple[np.ndarray,
                                                                           np.ndarray]]:
    """(inputs, targets) windows of shape (n_streams, seq_len) for truncated BPTT.

    The text is split into ``n_streams`` contiguous streams, one per batch row, so row r of each
    window continues row r of the previous one; targets are the inputs shifted by one token.
    The tail that does not fill a whole window is dropped."""
    per_stream = (len(ids) - 1) // (n_streams * seq_len) * seq_len
    if per_stream == 0:
        raise DataError(f"a text of {len(ids)} tokens is too short for {n_streams} streams of "
                        f"{seq_len} tokens; lower batch_size or seq_len")
    used = n_streams * per_stream
    inputs = ids[:used].reshape(n_streams, per_stream)
    targets = ids[1:used + 1].reshape(n_streams, per_stream)
    for start in range(0, per_stream, seq_len):
        yield inputs[:, start:start + seq_len], targets[:, start:start + seq_len]


class LSTMLanguageModel(nn.Module):
    """Embedding -> stacked LSTM (dropout between layers) -> dropout -> softmax over the vocab.

    With ``cutoffs`` the softmax is adaptive (Grave et al. 2017): frequent tokens get a full
    output row, rarer ones share clusters with smaller projections. It is an exact, normalised
    distribution, ~3x cheaper than a full softmax over a 10k-word vocabulary on a CPU."""

    def __init__(self, vocab_size: int, embedding_dim: int, lstm_size: int, num_layers: int,
                 dropout: float, cutoffs: tuple[int, ...] = ()):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, lstm_size, num_layers, batch_first=True,
                            dropout=dropout if num_layers > 1 else 0.0)
        self.dropout = nn.Dropout(dropout)
        cutoffs = tuple(c for c in cutoffs if c < vocab_size - 1)  # small vocabularies: none
        self.adaptive = bool(cutoffs)
        self.output = (nn.AdaptiveLogSoftmaxWithLoss(lstm_size, vocab_size, list(cutoffs),
                                                     div_value=4.0)
                       if self.adaptive else nn.Linear(lstm_size, vocab_size))

    def forward(self, ids: torch.Tensor, state=None):
        """ids (batch, time) -> features (batch, time, lstm_size), the LSTM state after the last
        step. ``nll`` and ``log_probs`` turn features into predictions."""
        hidden, state = self.lstm(self.embedding(ids), state)
        return self.dropout(hidden), state

    def nll(self, features: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Mean negative log-likelihood (nats per token) of ``targets`` (batch, time)."""
        features, targets = features.flatten(0, 1), targets.flatten()
        if self.adaptive:
            return self.output(features, targets).loss
        return F.cross_entropy(self.output(features), targets)

    def log_probs(self, features: torch.Tensor) -> torch.Tensor:
        """(n, lstm_size) -> (n, vocab) log-probabilities."""
        if self.adaptive:
            return self.output.log_prob(features)
        return F.log_softmax(self.output(features), dim=-1)


def make_model(cfg: Any, vocab_size: int) -> LSTMLanguageModel:
    # only word models declare softmax_cutoffs; a character vocabulary is small enough
    return LSTMLanguageModel(vocab_size, cfg.embedding_dim, cfg.lstm_size, cfg.num_layers,
                             cfg.dropout, getattr(cfg, "softmax_cutoffs", ()))


@torch.no_grad()
def evaluate(model: LSTMLanguageModel, ids: np.ndarray, n_streams: int, seq_len: int,
             device: torch.device) -> float:
    """Mean cross-entropy (nats per token) over ``ids``, state carried across windows."""
    model.eval()
    total, count, state = 0.0, 0, None
    for x, y in windows(ids, n_streams, seq_len):
        features, state = model(torch.from_numpy(x).to(device), state)
        total += model.nll(features, torch.from_numpy(y).to(device)).item() * y.size
        count += y.size
    return total / count


@dataclass
class Corpus:
    """A tokenised text, split for training and validation, with its vocabulary."""

    train: np.ndarray  # token ids
    val: np.ndarray
    vocab: Vocab


def fit(cfg: Any, run: runs.Run, corpus: Corpus) -> tuple[dict[str, float], str]:
    """Train a language model on ``corpus.train``; keep the weights with the lowest validation
    loss. ``cfg`` has the fields both projects share (lstm_size, num_layers, embedding_dim,
    dropout, batch_size, seq_len, lr, clip, epochs, time_budget_s, threads, seed, device).

    Training stops after ``epochs`` or once ``time_budget_s`` of training wall time (resumed
    time included) is spent; a budget reached mid-epoch ends that epoch early, validated and
    saved like any other."""
    threads_before = torch.get_num_threads()
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    try:
        return _fit(cfg, run, corpus)
    finally:  # the thread count is per process: leave it as it was (tests share a process)
        torch.set_num_threads(threads_before)


def _fit(cfg: Any, run: runs.Run, corpus: Corpus) -> tuple[dict[str, float], str]:
    torch.manual_seed(cfg.seed)
    device = torch.device(resolve_device(cfg.device))
    model = make_model(cfg, len(corpus.vocab)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    val_streams = min(cfg.batch_size, max(1, (len(corpus.val) - 1) // (cfg.seq_len * 8)))
    steps_per_epoch = sum(1 for _ in windows(corpus.train, cfg.batch_size, cfg.seq_len))
    start, train_s, tokens = 0, 0.0, 0
    best = {"val_loss": math.inf, "epoch": -1, "train_loss": math.nan, "model": None}
    last_train_loss = math.nan
    state = run.load_checkpoint()
    if state is not None:
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        torch.set_rng_state(state["torch_rng"])
        if state["cuda_rng"] is not None:
            torch.cuda.set_rng_state_all(state["cuda_rng"])
        start, train_s, tokens = state["step"] + 1, state["train_s"], state["tokens"]
        best, last_train_loss = state["best"], state["train_loss"]

    def out_of_time() -> bool:
        return cfg.time_budget_s > 0 and run.wall_s() >= cfg.time_budget_s

    for epoch in run.epochs(cfg.epochs, start):
        if out_of_time():
            break
        model.train()
        tick, losses, lstm_state = time.perf_counter(), [], None
        for i, (x, y) in enumerate(windows(corpus.train, cfg.batch_size, cfg.seq_len)):
            if out_of_time():
                run.say(f"time budget of {cfg.time_budget_s:g} s spent: ending this epoch")
                break
            if lstm_state is not None:  # truncated BPTT: keep the state, cut its history
                lstm_state = tuple(s.detach() for s in lstm_state)
            features, lstm_state = model(torch.from_numpy(x).to(device), lstm_state)
            loss = model.nll(features, torch.from_numpy(y).to(device))
            for group in optimizer.param_groups:
                group["lr"] = scheduled_lr(cfg.lr, getattr(cfg, "lr_schedule", "constant"),
                                           epoch * steps_per_epoch + i,
                                           cfg.epochs * steps_per_epoch)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
            optimizer.step()
            losses.append(loss.item())
            tokens += x.size
        train_s += time.perf_counter() - tick
        if not losses:
            break
        last_train_loss = float(np.mean(losses))
        val_loss = evaluate(model, corpus.val, val_streams, cfg.seq_len, device)
        metrics = {"train/loss": last_train_loss, "train/lr": optimizer.param_groups[0]["lr"],
                   "val/loss": val_loss, "val/ppl": math.exp(val_loss)}
        run.log(epoch, metrics)
        run.report(epoch, cfg.epochs, metrics)
        if val_loss < best["val_loss"]:
            best = {"val_loss": val_loss, "epoch": epoch, "train_loss": last_train_loss,
                    "model": to_cpu(model.state_dict())}
        run.save_checkpoint({"step": epoch, "model": to_cpu(model.state_dict()),
                             "optimizer": to_cpu(optimizer.state_dict()),
                             "torch_rng": torch.get_rng_state(), "cuda_rng": cuda_rng(device),
                             "train_s": train_s,
                             "tokens": tokens, "train_loss": last_train_loss, "best": best,
                             "vocab": corpus.vocab.tokens, "unknown": corpus.vocab.unknown})
        if run.stop_requested or out_of_time():
            break

    if best["epoch"] < 0:
        raise TrainingError("no epoch finished within the time budget; raise time_budget_s")
    run.say(f"keeping the weights of epoch {best['epoch'] + 1} (lowest validation loss)")
    final = {"train_loss": last_train_loss, "best_train_loss": best["train_loss"],
             "val_loss": best["val_loss"], "val_ppl": math.exp(best["val_loss"]),
             "best_epoch": best["epoch"] + 1, "train_s": train_s,
             "tokens_per_s": tokens / max(train_s, 1e-9)}
    run.log(cfg.epochs, {f"final/{k}": v for k, v in final.items()})
    return final, str(device)


def to_cpu(state: Any) -> Any:
    """A copy of a (nested) state dict with every tensor on the CPU, so that a checkpoint written
    on a GPU loads anywhere (optimizers move their state back to the parameters' device)."""
    if isinstance(state, torch.Tensor):
        return state.detach().cpu().clone()
    if isinstance(state, dict):
        return {k: to_cpu(v) for k, v in state.items()}
    if isinstance(state, list | tuple):
        return type(state)(to_cpu(v) for v in state)
    return state


def cuda_rng(device: torch.device) -> list[torch.Tensor] | None:
    """CUDA generators drive dropout on a GPU: saved so that a resumed run repeats it."""
    return torch.cuda.get_rng_state_all() if device.type == "cuda" else None


def load_model(state: dict[str, Any], cfg: Any) -> tuple[LSTMLanguageModel, Vocab]:
    """The best-validation model of a checkpoint, on the CPU, and its vocabulary."""
    vocab = Vocab(state["vocab"], state["unknown"])
    model = make_model(cfg, len(vocab))
    model.load_state_dict(state["best"]["model"])
    return model.eval(), vocab


@torch.no_grad()
def sample(model: LSTMLanguageModel, prime: list[int], length: int, temperature: float,
           top_k: int | None, seed: int, banned: int | None = None) -> list[int]:
    """``length`` token ids following ``prime``, each drawn from softmax(logits / temperature),
    restricted to the ``top_k`` likeliest when given (top_k=1 is greedy). ``banned`` (the unknown
    token) is never drawn. The same seed gives the same ids."""
    if not prime:
        raise ValueError("sampling needs a non-empty prime")
    model.eval()
    generator = torch.Generator().manual_seed(seed)
    features, state = model(torch.tensor([prime]))
    out = []
    for _ in range(length):
        scores = model.log_probs(features[0, -1:])[0] / temperature
        if banned is not None:
            scores[banned] = -math.inf
        if top_k is not None and top_k < len(scores):
            kth = torch.topk(scores, top_k).values[-1]
            scores[scores < kth] = -math.inf
        token = int(torch.multinomial(F.softmax(scores, dim=0), 1, generator=generator))
        out.append(token)
        features, state = model(torch.tensor([[token]]), state)
    return out


def warn_unknown(unknown: list[str], what: str) -> None:
    if unknown:
        warnings.warn(f"prime {what} not in the vocabulary: {', '.join(map(repr, unknown))}",
                      stacklevel=3)
