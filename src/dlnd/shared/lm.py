"""Recurrent language models, shared by char-rnn (characters) and tv-script (words).

A text becomes one stream of token ids. Training cuts it into ``batch_size`` parallel streams and
walks them ``seq_len`` tokens at a time (truncated backpropagation through time): the LSTM state
at the end of one window is the start of the next, detached so gradients stop at the window edge.
Generation feeds a prime through the network and samples one token at a time, handing each
token on as soon as it is drawn (``sample_stream``), so a long text shows as it is written.

Imported by the projects' ``data.py``/``train.py`` only (it imports torch).
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from dlnd.core import runs, torch_common
from dlnd.core.errors import DataError, InputNote, TrainingError
from dlnd.shared.text import Vocabulary


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
        # DistributedDataParallel needs a gradient for every parameter at every step, but a
        # batch without a rare word leaves the adaptive softmax's tail clusters out of the loss:
        # when set (training on several processes), the loss adds them, times zero.
        self.loss_uses_every_parameter = False

    def forward(self, ids: torch.Tensor, state=None, targets: torch.Tensor | None = None):
        """ids (batch, time) -> (features (batch, time, lstm_size), the LSTM state after the last
        step); ``log_probs`` turns features into predictions. Given ``targets`` (batch, time),
        the mean negative log-likelihood of them (nats per token) comes instead of the
        features: the loss is computed inside ``forward``, as DistributedDataParallel wants."""
        hidden, state = self.lstm(self.embedding(ids), state)
        features = self.dropout(hidden)
        if targets is None:
            return features, state
        return self.nll(features, targets), state

    def nll(self, features: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Mean negative log-likelihood (nats per token) of ``targets`` (batch, time)."""
        features, targets = features.flatten(0, 1), targets.flatten()
        if not self.adaptive:
            return F.cross_entropy(self.output(features), targets)
        loss = self.output(features, targets).loss
        if self.loss_uses_every_parameter:
            loss = loss + 0.0 * sum(p.sum() for p in self.output.tail.parameters())
        return loss

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
             ts: torch_common.TorchSetup) -> float:
    """Mean cross-entropy (nats per token) over ``ids``, state carried across windows. Every
    process evaluates all of ``ids`` with the same weights, so all agree on the best epoch."""
    model.eval()
    total, count, state = 0.0, 0, None
    for x, y in windows(ids, n_streams, seq_len):
        with ts.autocast():
            loss, state = model(torch.from_numpy(x).to(ts.device), state,
                                torch.from_numpy(y).to(ts.device))
        total += loss.item() * y.size
        count += y.size
    return total / count




@dataclass
class Corpus:
    """A tokenised text, split for training and validation, with its vocabulary."""

    train: np.ndarray  # token ids
    val: np.ndarray
    vocab: Vocabulary


@dataclass
class Progress:
    """Running totals a resumed run continues: training time, tokens trained on, and the last
    epoch's mean training loss (tracked with the run)."""

    train_s: float = 0.0
    tokens: int = 0
    train_loss: float = math.nan

    def state_dict(self) -> dict[str, Any]:
        return asdict(self)

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.train_s, self.tokens, self.train_loss = (state["train_s"], state["tokens"],
                                                      state["train_loss"])


def fit(cfg: Any, run: runs.Run, corpus: Corpus) -> tuple[dict[str, float], str]:
    """Train a language model on ``corpus.train``; keep the weights with the lowest validation
    loss. ``cfg`` has the fields both projects share (lstm_size, num_layers, embedding_dim,
    dropout, batch_size, seq_len, lr, clip, epochs, time_budget_s, threads, seed, device).

    Training stops after ``epochs`` or once ``time_budget_s`` of training wall time (resumed
    time included) is spent; a budget reached mid-epoch ends that epoch early, validated and
    saved like any other. Under ``torchrun`` each process trains on its share of the streams of
    every window and the gradients are averaged (DistributedDataParallel)."""
    ts = torch_common.setup(cfg, run)
    model = make_model(cfg, len(corpus.vocab)).to(ts.device)
    model.loss_uses_every_parameter = ts.world > 1
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    best = runs.Best("val/loss", mode="min", model=model)
    progress = Progress()
    run.track(model=model, optimizer=optimizer, torch_rng=torch_common.TorchRNG(), best=best,
              progress=progress)
    run.keep(vocabulary=corpus.vocab.tokens, unknown_token=corpus.vocab.unknown_token)
    net = ts.wrap(model)  # after a resume has restored the weights: DDP starts from rank 0's

    val_streams = min(cfg.batch_size, max(1, (len(corpus.val) - 1) // (cfg.seq_len * 8)))
    steps_per_epoch = sum(1 for _ in windows(corpus.train, cfg.batch_size, cfg.seq_len))
    lr_schedule = getattr(cfg, "lr_schedule", "constant")

    def out_of_time() -> bool:  # every process must agree, or the others would wait for it
        return cfg.time_budget_s > 0 and on_any_process(ts, run.wall_s() >= cfg.time_budget_s)

    for epoch in run.epochs(cfg.epochs):
        model.train()
        tick, losses, lstm_state = time.perf_counter(), [], None
        for i, (x, y) in enumerate(windows(corpus.train, cfg.batch_size, cfg.seq_len)):
            if out_of_time():
                run.say(f"time budget of {cfg.time_budget_s:g} s spent: ending this epoch")
                break
            if lstm_state is not None:  # truncated BPTT: keep the state, cut its history
                lstm_state = tuple(s.detach() for s in lstm_state)
            inputs = torch.from_numpy(ts.share(x)).to(ts.device)
            targets = torch.from_numpy(ts.share(y)).to(ts.device)
            for group in optimizer.param_groups:
                group["lr"] = torch_common.scheduled_lr(cfg.lr, lr_schedule,
                                                        epoch * steps_per_epoch + i,
                                                        cfg.epochs * steps_per_epoch)
            with ts.autocast():
                loss, lstm_state = net(inputs, lstm_state, targets)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
            optimizer.step()
            losses.append(loss.item())
            progress.tokens += x.size
        progress.train_s += time.perf_counter() - tick
        if losses:  # none when a resumed run's budget was already spent
            progress.train_loss = mean_over_processes(ts, float(np.mean(losses)))
            val_loss = evaluate(model, corpus.val, val_streams, cfg.seq_len, ts)
            metrics = {"train/loss": progress.train_loss,
                       "train/lr": optimizer.param_groups[0]["lr"],
                       "val/loss": val_loss, "val/ppl": math.exp(val_loss)}
            run.log(epoch, metrics)
            run.report(epoch, cfg.epochs, metrics)
            best.update(epoch, metrics)
        if out_of_time():
            run.end_early()

    if best.restore() < 0:
        raise TrainingError("no epoch finished within the time budget; raise time_budget_s")
    run.say(f"keeping the weights of epoch {best.epoch + 1} (lowest validation loss)")
    final = {"train_loss": progress.train_loss, "best_train_loss": best.metrics["train/loss"],
             "val_loss": best.value, "val_ppl": math.exp(best.value),
             "best_epoch": best.epoch + 1, "train_s": progress.train_s,
             "tokens_per_s": progress.tokens / max(progress.train_s, 1e-9)}
    run.log(cfg.epochs, {f"final/{k}": v for k, v in final.items()})
    return final, ts.describe()


def on_any_process(ts: torch_common.TorchSetup, flag: bool) -> bool:
    """True when ``flag`` is true on any process of a torchrun job (``flag`` when alone)."""
    if ts.world == 1:
        return flag
    value = torch.tensor([float(flag)], device=ts.device)
    torch.distributed.all_reduce(value, op=torch.distributed.ReduceOp.MAX)
    return bool(value.item())


def mean_over_processes(ts: torch_common.TorchSetup, value: float) -> float:
    """The mean of ``value`` over the processes of a torchrun job (``value`` when alone): each
    process saw its share of the streams, the run reports them all."""
    if ts.world == 1:
        return value
    total = torch.tensor([value], dtype=torch.float64, device=ts.device)
    torch.distributed.all_reduce(total)
    return total.item() / ts.world


def load_network(trained: runs.Trained) -> tuple[LSTMLanguageModel, Vocabulary]:
    """The best-validation network of a run, on the CPU, and its vocabulary."""
    vocab = Vocabulary(trained.artifacts["vocabulary"],
                       unknown_token=trained.artifacts["unknown_token"])
    network = make_model(trained.config, len(vocab))
    network.load_state_dict(trained.weights("model"))
    return network.eval(), vocab


def sample(model: LSTMLanguageModel, prime: list[int], length: int, temperature: float,
           top_k: int | None, seed: int, banned: int | None = None) -> list[int]:
    """``length`` token ids following ``prime``, each drawn from softmax(logits / temperature),
    restricted to the ``top_k`` likeliest when given (top_k=1 is greedy). ``banned`` (the unknown
    token) is never drawn. The same seed gives the same ids."""
    return list(sample_stream(model, prime, length, temperature, top_k, seed, banned))


def sample_stream(model: LSTMLanguageModel, prime: list[int], length: int, temperature: float,
                  top_k: int | None, seed: int, banned: int | None = None) -> Iterator[int]:
    """The ids of :func:`sample`, each as soon as it is drawn (the prime is checked now)."""
    if not prime:
        raise ValueError("sampling needs a non-empty prime")
    return _sampled(model, prime, length, temperature, top_k, seed, banned)


@torch.no_grad()  # on a generator, torch turns gradients off around each step only
def _sampled(model: LSTMLanguageModel, prime: list[int], length: int, temperature: float,
             top_k: int | None, seed: int, banned: int | None) -> Iterator[int]:
    model.eval()
    generator = torch.Generator().manual_seed(seed)
    features, state = model(torch.tensor([prime]))
    for _ in range(length):
        scores = model.log_probs(features[0, -1:])[0] / temperature
        if banned is not None:
            scores[banned] = -math.inf
        if top_k is not None and top_k < len(scores):
            kth = torch.topk(scores, top_k).values[-1]
            scores[scores < kth] = -math.inf
        token = int(torch.multinomial(F.softmax(scores, dim=0), 1, generator=generator))
        yield token
        features, state = model(torch.tensor([[token]]), state)


def warn_unknown(unknown: list[str], what: str) -> None:
    """An :class:`InputNote` (a UserWarning; ``dlnd generate`` shows it as one ``dlnd: note:``
    line) naming the prime's tokens the model never saw."""
    if unknown:
        warnings.warn(f"prime {what} not in the vocabulary: {', '.join(map(repr, unknown))}",
                      InputNote, stacklevel=3)
