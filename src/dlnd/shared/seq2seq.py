"""Sequence to sequence with attention, shared by ``seq2seq-letters`` and ``translation``.

The pieces, each in plain sight:

- :class:`Vocab`: tokens <-> ids with the four special ids (padding, start, end, unknown);
- :class:`Encoder`: embeddings and a bidirectional GRU or LSTM over the source (the backward
  direction over each sentence mirrored in place, so that padding never enters the recurrence);
- :class:`LuongAttention`: Luong's "general" score ``h_t . W h_s``, padding masked out, a
  softmax over the source positions, the context as the weighted sum of the encoder states;
- :class:`Decoder`: a GRU or LSTM over the target tokens (teacher forcing: the true previous
  token is the input at training time), attention, ``tanh(W_c [context; h_t])``, optionally a
  second recurrent layer over those attentional states, and the output layer;
- :class:`Seq2Seq` (GRU or LSTM) and :class:`TransformerSeq2Seq` (``torch.nn.Transformer``),
  both with ``encode`` / ``start`` / ``step`` / ``select`` so that :func:`greedy` and
  :func:`beam_search` decode either one token at a time;
- :func:`loss` (cross-entropy with padding ignored), :func:`token_scores` (token accuracy over
  the reference's tokens, padding never counted, and exact-sequence accuracy), :func:`bleu`
  (sacrebleu's corpus BLEU), length-bucketed batches and the attention heat map.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

PAD, START, END, UNK = 0, 1, 2, 3
SPECIALS = ("<pad>", "<s>", "</s>", "<unk>")
CPU = torch.device("cpu")


class Vocab:
    """Tokens numbered after the four special ones (ids 0-3)."""

    def __init__(self, tokens: Sequence[str]):
        self.tokens = list(SPECIALS) + [t for t in tokens if t not in SPECIALS]
        self.index = {t: i for i, t in enumerate(self.tokens)}

    @classmethod
    def build(cls, sequences: Sequence[Sequence[str]]) -> Vocab:
        """Every token seen, most frequent first (ties in order of first appearance)."""
        counts: dict[str, int] = {}
        for seq in sequences:
            for t in seq:
                counts[t] = counts.get(t, 0) + 1
        return cls(sorted(counts, key=lambda t: -counts[t]))

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, token: str) -> bool:
        return token in self.index and self.index[token] >= len(SPECIALS)

    def encode(self, tokens: Sequence[str]) -> list[int]:
        return [self.index.get(t, UNK) for t in tokens]

    def decode(self, ids: Sequence[int]) -> list[str]:
        """The tokens of ``ids`` up to the first end id, special ids left out."""
        out = []
        for i in ids:
            if i == END:
                break
            if i >= len(SPECIALS):
                out.append(self.tokens[i])
        return out


def pad(sequences: Sequence[Sequence[int]], start: bool = False, end: bool = False
        ) -> tuple[torch.Tensor, torch.Tensor]:
    """A (batch, longest) tensor of ids, padded with ``PAD``, and the lengths (with the start
    and end ids when asked)."""
    rows = [([START] if start else []) + list(s) + ([END] if end else []) for s in sequences]
    # filled in NumPy: a torch tensor per row took ~5% of a translation training step
    lengths = np.array([len(r) for r in rows])
    out = np.full((len(rows), lengths.max()), PAD, dtype=np.int64)
    for i, r in enumerate(rows):
        out[i, :len(r)] = r
    return torch.from_numpy(out), torch.from_numpy(lengths)


def sorted_batches(lengths: np.ndarray, batch_size: int) -> list[np.ndarray]:
    """Indices sorted by length, in batches (for evaluation: little padding, fixed order)."""
    order = np.argsort(lengths, kind="stable")
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


# ------------------------------------------------------------ the recurrent model with attention

CELLS = {"gru": nn.GRU, "lstm": nn.LSTM}


def recur(rnn: nn.GRU | nn.LSTM, inputs: torch.Tensor, state: torch.Tensor
          ) -> tuple[torch.Tensor, torch.Tensor]:
    """Run a one-layer GRU or LSTM over ``inputs`` from ``state``: (1, batch, hidden) for a
    GRU, the LSTM's h and c stacked (2, batch, hidden); returns the outputs and the new state
    in the same form."""
    if isinstance(rnn, nn.LSTM):
        outputs, (h, c) = rnn(inputs, (state[:1], state[1:]))
        return outputs, torch.cat([h, c])
    return rnn(inputs, state)


class Encoder(nn.Module):
    """Embeddings, then a bidirectional GRU or LSTM (``cell``); both directions' states are
    joined and projected to ``hidden`` units per source position; the decoder starts from the
    two final states."""

    def __init__(self, vocab: int, embedding_dim: int, hidden: int, dropout: float = 0.0,
                 cell: str = "gru"):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embedding_dim, padding_idx=PAD)
        self.dropout = nn.Dropout(dropout)
        self.rnn = CELLS[cell](embedding_dim, hidden, batch_first=True, bidirectional=True)
        self.project = nn.Linear(2 * hidden, hidden)
        self.bridge = nn.Linear(2 * hidden, hidden)

    def forward(self, src: torch.Tensor, lengths: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.dropout(self.embedding(src))
        # The padding must never enter the recurrence (the backward direction would start on
        # it). A batch of one length (80% of translation's) runs both directions in one call;
        # in a batch of several, each direction runs on its own over the whole batch, the
        # backward one over each sentence mirrored in place (t <-> length-1-t, the padding left
        # at the end). Packed sequences cost ~17% of a GRU step, and the LSTM's fast bf16
        # kernel takes none; running each length on its own cost a mixed translation step
        # 70 ms where this takes 51 ms (one-length steps: 58 ms).
        if bool((lengths == src.shape[1]).all()):  # no padding at all
            out, last = self.rnn(x)
            last = last[0] if isinstance(last, tuple) else last  # an LSTM's (h, c): h
            last = torch.cat([last[0], last[1]], dim=1)
        else:
            batch = torch.arange(len(src), device=src.device)[:, None]
            ends = (lengths.to(src.device) - 1)[:, None]  # each sentence's last position
            steps = torch.arange(src.shape[1], device=src.device)[None, :]
            mirrored = torch.where(steps <= ends, ends - steps, steps)
            forward = self._direction(x, reverse=False)
            backward = self._direction(x[batch, mirrored], reverse=True)[batch, mirrored]
            out = torch.cat([forward, backward], dim=-1)  # padding rows: attention masks them
            # the final states: forward at each sentence's end, backward at its start
            last = torch.cat([forward[batch[:, 0], ends[:, 0]], backward[:, 0]], dim=1)
        states = self.project(out)  # (batch, source length, hidden)
        first_hidden = torch.tanh(self.bridge(last))
        return states, first_hidden.unsqueeze(0)  # (1, batch, hidden) for the decoder

    def _direction(self, x: torch.Tensor, reverse: bool) -> torch.Tensor:
        """One direction of the bidirectional GRU or LSTM, left to right over ``x`` from a zero
        state, with that direction's weights; the outputs (batch, length, hidden)."""
        rnn, suffix = self.rnn, "_reverse" if reverse else ""
        weights = [getattr(rnn, f"{name}_l0{suffix}")
                   for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
        zeros = x.new_zeros(1, len(x), rnn.hidden_size)
        if isinstance(rnn, nn.LSTM):
            return torch.lstm(x, (zeros, zeros), weights, True, 1, 0.0, self.training, False,
                              True)[0]
        return torch.gru(x, zeros, weights, True, 1, 0.0, self.training, False, True)[0]


class LuongAttention(nn.Module):
    """Luong et al. (2015), "general" score: how well decoder state h_t matches source state h_s
    is ``h_t . (W h_s)``; a softmax over the source positions turns scores into weights."""

    def __init__(self, hidden: int):
        super().__init__()
        self.W = nn.Linear(hidden, hidden, bias=False)

    def forward(self, queries: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
        """queries (batch, T, hidden): decoder states; keys (batch, S, hidden): encoder states;
        mask (batch, S): True at real source tokens. Returns the contexts (batch, T, hidden)
        and the weights (batch, T, S), which sum to 1 over each row's real source tokens."""
        scores = queries @ self.W(keys).transpose(1, 2)  # (batch, T, S)
        scores = scores.masked_fill(~mask[:, None, :], -math.inf)  # padding gets weight 0
        weights = torch.softmax(scores, dim=-1)
        contexts = weights @ keys  # the weighted sum of the source states
        return contexts, weights


class Decoder(nn.Module):
    """A GRU or LSTM (``cell``) over the previous target tokens, attention over the source, and
    the output layer on ``tanh(W_c [context; h_t])`` (Luong's attentional hidden state).

    With ``attended_rnn``, a second GRU or LSTM runs over the attentional states and its output
    is added to them before the output layer: each prediction then also sees what was attended
    at the earlier steps, as Luong's input feeding gives, but computed for all steps at once."""

    def __init__(self, vocab: int, embedding_dim: int, hidden: int, dropout: float = 0.0,
                 attended_rnn: bool = False, cell: str = "gru"):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embedding_dim, padding_idx=PAD)
        self.dropout = nn.Dropout(dropout)
        self.rnn = CELLS[cell](embedding_dim, hidden, batch_first=True)
        self.rows = 2 if cell == "lstm" else 1  # rows of state per recurrent layer: h (and c)
        self.attention = LuongAttention(hidden)
        self.combine = nn.Linear(2 * hidden, hidden)
        self.attended_rnn = (CELLS[cell](hidden, hidden, batch_first=True) if attended_rnn
                             else None)
        self.out = nn.Linear(hidden, vocab)

    def start(self, encoder_hidden: torch.Tensor) -> torch.Tensor:
        """The decoder's first state from the encoder's (1, batch, hidden): each recurrent
        layer starts from it (an LSTM's memory cell from 0), stacked as (rows, batch, hidden)."""
        if self.rows == 2:
            encoder_hidden = torch.cat([encoder_hidden, torch.zeros_like(encoder_hidden)])
        return encoder_hidden if self.attended_rnn is None else encoder_hidden.repeat(2, 1, 1)

    def forward(self, inputs: torch.Tensor, hidden: torch.Tensor, keys: torch.Tensor,
                mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """inputs (batch, T): the tokens before each position to predict (start id first);
        hidden: the recurrent layers' states (rows, batch, hidden). Returns logits (batch, T,
        vocab), the new states and the attention weights."""
        states, first = recur(self.rnn, self.dropout(self.embedding(inputs)),
                              hidden[:self.rows])
        contexts, weights = self.attention(states, keys, mask)
        attentional = torch.tanh(self.combine(torch.cat([contexts, states], dim=-1)))
        if self.attended_rnn is None:
            return self.out(self.dropout(attentional)), first, weights
        carried, second = recur(self.attended_rnn, attentional, hidden[self.rows:])
        return (self.out(self.dropout(attentional + carried)), torch.cat([first, second]),
                weights)


@dataclass
class Memory:
    """What the encoder gives the decoder: the source states and where they are real."""

    keys: torch.Tensor  # (batch, S, hidden)
    mask: torch.Tensor  # (batch, S) bool

    def select(self, index: torch.Tensor) -> Memory:
        return Memory(self.keys[index], self.mask[index])


class Seq2Seq(nn.Module):
    """The recurrent (GRU or LSTM) encoder-decoder with Luong attention."""

    def __init__(self, src_vocab: int, tgt_vocab: int, embedding_dim: int, hidden: int,
                 dropout: float = 0.0, attended_rnn: bool = False, cell: str = "gru"):
        super().__init__()
        self.encoder = Encoder(src_vocab, embedding_dim, hidden, dropout, cell)
        self.decoder = Decoder(tgt_vocab, embedding_dim, hidden, dropout, attended_rnn, cell)

    def forward(self, src: torch.Tensor, src_lengths: torch.Tensor, tgt_in: torch.Tensor
                ) -> torch.Tensor:
        """Teacher forcing: the logits for every target position at once."""
        keys, hidden = self.encoder(src, src_lengths)
        logits, _, _ = self.decoder(tgt_in, self.decoder.start(hidden), keys, src != PAD)
        return logits

    # one token at a time, for greedy and beam-search decoding
    def encode(self, src: torch.Tensor, src_lengths: torch.Tensor) -> tuple[Memory, Any]:
        keys, hidden = self.encoder(src, src_lengths)
        return Memory(keys, src != PAD), self.decoder.start(hidden)

    def step(self, tokens: torch.Tensor, state: Any, memory: Memory
             ) -> tuple[torch.Tensor, Any, torch.Tensor]:
        """Log-probabilities of the next token (batch, vocab) after ``tokens`` (batch,), the new
        state and the attention weights (batch, S)."""
        logits, hidden, weights = self.decoder(tokens[:, None], state, memory.keys, memory.mask)
        return F.log_softmax(logits[:, 0], dim=-1), hidden, weights[:, 0]

    @staticmethod
    def select_state(state: Any, index: torch.Tensor) -> Any:
        return state[:, index]


# ------------------------------------------------------------------ the transformer alternative

class TransformerSeq2Seq(nn.Module):
    """``torch.nn.Transformer`` with learnt position embeddings, for comparison with the
    recurrent model (``arch = "transformer"``). Its attention weights for the heat map are
    those of the last decoder layer's cross-attention, averaged over heads."""

    def __init__(self, src_vocab: int, tgt_vocab: int, d_model: int, heads: int, layers: int,
                 ff: int, dropout: float = 0.0, max_len: int = 64):
        super().__init__()
        self.src_embedding = nn.Embedding(src_vocab, d_model, padding_idx=PAD)
        self.tgt_embedding = nn.Embedding(tgt_vocab, d_model, padding_idx=PAD)
        for table in (self.src_embedding, self.tgt_embedding):
            # std d^-0.5, so that times sqrt(d) (below) a word is on the positions' unit scale;
            # torch's N(0, 1) times sqrt(d) drowned the positions (2 epochs on 30k pairs:
            # 19.3% test token accuracy at lr 5e-3 and 56.4% at 1e-3, against 17.8% and 40.8%)
            nn.init.normal_(table.weight, 0.0, d_model ** -0.5)
            with torch.no_grad():
                table.weight[PAD].zero_()
        self.positions = nn.Embedding(max_len, d_model)
        encoder = nn.TransformerEncoder(
            nn.TransformerEncoderLayer(d_model, heads, ff, dropout, batch_first=True), layers,
            enable_nested_tensor=False)
        self.transformer = nn.Transformer(d_model, heads, layers, layers, ff, dropout,
                                          custom_encoder=encoder, batch_first=True)
        self.out = nn.Linear(d_model, tgt_vocab)
        self.scale = math.sqrt(d_model)

    def _embed(self, embedding: nn.Embedding, ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(ids.shape[1], device=ids.device)
        return embedding(ids) * self.scale + self.positions(positions)

    def _encode(self, src: torch.Tensor) -> torch.Tensor:
        return self.transformer.encoder(self._embed(self.src_embedding, src),
                                        src_key_padding_mask=src == PAD)

    def _decode(self, tgt_in: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor
                ) -> torch.Tensor:
        size = tgt_in.shape[1]  # True above the diagonal: no looking ahead
        causal = torch.ones(size, size, dtype=torch.bool, device=tgt_in.device).triu(1)
        return self.transformer.decoder(self._embed(self.tgt_embedding, tgt_in), keys,
                                        tgt_mask=causal, tgt_is_causal=True,
                                        tgt_key_padding_mask=tgt_in == PAD,
                                        memory_key_padding_mask=~mask)

    def forward(self, src, src_lengths, tgt_in):
        return self.out(self._decode(tgt_in, self._encode(src), src != PAD))

    def encode(self, src, src_lengths):
        return Memory(self._encode(src), src != PAD), src.new_zeros((src.shape[0], 0))

    def step(self, tokens, state, memory):
        prefix = torch.cat([state, tokens[:, None]], dim=1)  # the state: the tokens so far
        hidden = self._decode(prefix, memory.keys, memory.mask)
        last = self.transformer.decoder.layers[-1]
        _, weights = last.multihead_attn(hidden[:, -1:], memory.keys, memory.keys,
                                         key_padding_mask=~memory.mask, need_weights=True)
        return F.log_softmax(self.out(hidden[:, -1]), dim=-1), prefix, weights[:, 0]

    @staticmethod
    def select_state(state, index):
        return state[index]


# ------------------------------------------------------------------ training and scoring

def loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over the real target tokens: padding positions are ignored."""
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                           ignore_index=PAD)


def teacher_forcing_batch(src_ids: Sequence[Sequence[int]], tgt_ids: Sequence[Sequence[int]],
                          device: torch.device):
    """Tensors for one training batch: source and its lengths, the decoder's inputs (start id,
    then the target) and what it must predict (the target, then the end id)."""
    src, src_lengths = pad(src_ids)
    tgt_in, _ = pad(tgt_ids, start=True)
    tgt_out, _ = pad(tgt_ids, end=True)
    return src.to(device), src_lengths, tgt_in.to(device), tgt_out.to(device)


@torch.no_grad()
def validation_loss(model: nn.Module, src_ids, tgt_ids, batch_size: int,
                    device: torch.device) -> float:
    """Teacher-forced loss per target token over the given pairs."""
    model.eval()
    total, count = 0.0, 0
    for idx in sorted_batches(np.array([len(s) for s in src_ids]), batch_size):
        src, lens, tgt_in, tgt_out = teacher_forcing_batch([src_ids[i] for i in idx],
                                                           [tgt_ids[i] for i in idx], device)
        n = int((tgt_out != PAD).sum())
        total += loss(model(src, lens, tgt_in), tgt_out).item() * n
        count += n
    return total / max(count, 1)


@dataclass
class Decoded:
    ids: list[int]  # the output tokens, without the end id
    log_prob: float  # the sum of the chosen tokens' log-probabilities (end id included)
    attention: np.ndarray  # (output tokens + 1, source length): one row per decoding step


@torch.no_grad()
def greedy(model: nn.Module, sources: Sequence[Sequence[int]], max_len: int,
           device: torch.device = CPU) -> list[Decoded]:
    """The likeliest token at every step, for a batch of sources at once, until the end id (or
    ``max_len`` tokens)."""
    model.eval()
    src, lengths = pad(sources)
    src = src.to(device)
    memory, state = model.encode(src, lengths)
    batch = len(sources)
    tokens = torch.full((batch,), START, dtype=torch.long, device=device)
    done = torch.zeros(batch, dtype=torch.bool, device=device)
    chosen, log_probs, weights = [], torch.zeros(batch, device=device), []
    for _ in range(max_len + 1):
        step_logp, state, attention = model.step(tokens, state, memory)
        tokens = step_logp.argmax(dim=-1)
        log_probs += torch.where(done, 0.0, step_logp.gather(1, tokens[:, None])[:, 0])
        chosen.append(tokens)
        weights.append(attention)
        done |= tokens == END
        if bool(done.all()):
            break
    ids = torch.stack(chosen, 1).cpu().tolist()
    attn = torch.stack(weights, 1).cpu().numpy()
    out = []
    for i, row in enumerate(ids):
        n = row.index(END) if END in row else len(row)
        out.append(Decoded(row[:n], float(log_probs[i]),
                           attn[i, :n + 1, :int(lengths[i])]))
    return out


@torch.no_grad()
def beam_search(model: nn.Module, source: Sequence[int], width: int, max_len: int,
                device: torch.device = CPU) -> Decoded:
    """The likeliest output by beam search: keep the ``width`` likeliest partial outputs at each
    step, extend each by every token, keep the ``width`` likeliest again; an output that ends
    is set aside. Returns the finished output with the best log-probability per token (no
    length bonus beyond that). With ``width`` 1 this is :func:`greedy`."""
    model.eval()
    src, lengths = pad([source])
    memory, state = model.encode(src.to(device), lengths)
    tokens = torch.tensor([START], device=device)
    scores = torch.zeros(1, device=device)  # summed log-probabilities of each live beam
    history: list[list[int]] = [[]]
    attention: list[list[np.ndarray]] = [[]]
    finished: list[Decoded] = []
    for _ in range(max_len + 1):
        step_logp, state, weights = model.step(tokens, state, memory)
        vocab = step_logp.shape[1]
        total = (scores[:, None] + step_logp).reshape(-1)
        top = torch.topk(total, min(width, total.numel()))
        beams, next_tokens = top.indices // vocab, top.indices % vocab
        keep, new_scores = [], []
        for value, b, t in zip(top.values.tolist(), beams.tolist(), next_tokens.tolist(),
                               strict=True):
            rows = attention[b] + [weights[b].cpu().numpy()]
            if t == END:
                finished.append(Decoded(history[b], value, np.stack(rows)))
            else:
                keep.append((b, t, rows))
                new_scores.append(value)
        if len(finished) >= width or not keep:
            break
        index = torch.tensor([b for b, _, _ in keep], device=device)
        history = [history[b] + [t] for b, t, _ in keep]
        attention = [rows for _, _, rows in keep]
        tokens = torch.tensor([t for _, t, _ in keep], device=device)
        scores = torch.tensor(new_scores, device=device)
        state = model.select_state(state, index)
        memory = memory.select(index)  # the same source for every beam
    if not finished:  # max_len reached: the best unfinished one
        finished = [Decoded(history[0], float(scores[0]), np.stack(attention[0]))]
    return max(finished, key=lambda d: d.log_prob / (len(d.ids) + 1))


def token_scores(predicted: Sequence[Sequence[int]], references: Sequence[Sequence[int]]
                 ) -> tuple[float, float]:
    """(token accuracy, exact-sequence accuracy). Token accuracy counts, at each position of
    each reference (its tokens, never padding), whether the output has the same token there;
    an output too short misses the rest. Exact: the whole output equals the reference."""
    right = total = exact = 0
    for p, r in zip(predicted, references, strict=True):
        right += sum(a == b for a, b in zip(p, r, strict=False))
        total += len(r)
        exact += list(p) == list(r)
    return right / max(total, 1), exact / max(len(references), 1)


def bleu(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """sacrebleu's corpus BLEU (0-100), one reference per sentence."""
    import sacrebleu

    # the corpus is tokenised already ("automne ." not "automne."); sacrebleu's standard 13a
    # tokeniser leaves such text as it is, so its warning about it does not apply
    return float(sacrebleu.corpus_bleu(list(hypotheses), [list(references)], force=True).score)


def decode_all(model: nn.Module, sources: Sequence[Sequence[int]], max_len: int,
               batch_size: int, device: torch.device) -> list[Decoded]:
    """Greedy outputs for many sources, batched by length, in the given order."""
    out: list[Decoded | None] = [None] * len(sources)
    for idx in sorted_batches(np.array([len(s) for s in sources]), batch_size):
        for i, d in zip(idx, greedy(model, [sources[i] for i in idx], max_len, device),
                        strict=True):
            out[i] = d
    return out  # type: ignore[return-value]


def attention_figure(source: Sequence[str], output: Sequence[str], weights: np.ndarray,
                     title: str):
    """A heat map: one row per output token (and the end), one column per source token."""
    from dlnd.shared import plots

    rows = list(output) + ["</s>"]
    fig = plots.figure(max(4.0, 0.45 * len(source) + 2), max(3.0, 0.4 * len(rows) + 1.5))
    ax = fig.add_subplot()
    image = ax.imshow(weights[:len(rows), :len(source)], cmap="viridis", vmin=0, vmax=1,
                      aspect="auto")
    ax.set_xticks(range(len(source)), source, rotation=60, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel("source")
    ax.set_ylabel("output")
    ax.set_title(title, fontsize=9)
    fig.colorbar(image, ax=ax, label="attention weight")
    return fig
