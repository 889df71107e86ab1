"""Word vectors: the two embedding tables, one training step for a batch of many (context,
centre, negatives) rows as a few tensor operations, and the trained vectors (neighbours,
analogies, the analogy test)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from dlnd.core.project import Prediction

ANALOGY_VOCAB = 30_000  # the analogy test looks among the most frequent words only (as gensim)
ANALOGY_CHUNK = 2048  # questions scored at once (2048 x 30,000 floats: 245 MB at most)


class WordVectors(nn.Module):
    """word2vec's two tables: ``inp`` (syn0, the vectors kept) starts uniform in
    +-0.5/dim as in word2vec.c, ``out`` (syn1neg) at zero."""

    def __init__(self, vocab: int, dim: int, sparse: bool = False):
        super().__init__()
        self.inp = nn.Embedding(vocab, dim, sparse=sparse)
        self.out = nn.Embedding(vocab, dim, sparse=sparse)
        with torch.no_grad():
            self.inp.weight.uniform_(-0.5 / dim, 0.5 / dim)
            self.out.weight.zero_()


def targets(centre: torch.Tensor, negatives: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Rows ``[centre, negative_1 .. negative_k]`` and their weights: a negative that happens
    to be the centre word is skipped (weight 0), as word2vec.c skips it."""
    rows = torch.cat([centre[:, None], negatives], dim=1)
    weight = torch.ones(rows.shape, dtype=torch.float32, device=rows.device)
    weight[:, 1:] = (negatives != centre[:, None]).float()
    return rows, weight


def _scores(vectors: WordVectors, ctx: torch.Tensor, mask: torch.Tensor, rows: torch.Tensor,
            cbow: bool, lookup) -> tuple[torch.Tensor, ...]:
    """Hidden vectors and their scores against the centre and negative rows, for ``T`` centre
    words at once. Skip-gram: each of the (up to 2 window) context words of a centre is a
    hidden vector of its own, all of them scored against the same centre + k negatives (one
    small matrix product per centre: word2vec.c draws k negatives per context word, sharing
    them per centre is Ji et al.'s HogBatch, 2016). CBOW: one hidden vector per centre, the
    mean of its context words' (exactly word2vec.c's CBOW)."""
    ctx_vectors = lookup(vectors.inp, ctx)  # T, 2w, dim
    out_vectors = lookup(vectors.out, rows)  # T, k+1, dim
    if cbow:
        hidden = (mask.unsqueeze(1) @ ctx_vectors) / mask.sum(1)[:, None, None]  # T, 1, dim
    else:
        hidden = ctx_vectors
    score = hidden @ out_vectors.transpose(1, 2)  # T, 2w (or 1), k+1
    return ctx_vectors, out_vectors, hidden, score


def _labels_weights(score: torch.Tensor, mask: torch.Tensor, weight: torch.Tensor, cbow: bool):
    label = torch.zeros_like(score)
    label[:, :, 0] = 1
    w = weight.unsqueeze(1) if cbow else mask.unsqueeze(2) * weight.unsqueeze(1)
    return label, w


def _gather(table: nn.Embedding, idx: torch.Tensor) -> torch.Tensor:
    return table.weight.index_select(0, idx.reshape(-1)).view(*idx.shape, -1)


@torch.no_grad()
def sgd_step(vectors: WordVectors, ctx: torch.Tensor, mask: torch.Tensor, rows: torch.Tensor,
             weight: torch.Tensor, lr: float, cbow: bool = False) -> torch.Tensor:
    """One plain-SGD step of negative sampling for ``T`` centre words, gradients by hand (no
    autograd), both tables updated in place with ``index_add_`` (a word repeated in the batch
    gets the sum of its updates). ``ctx``/``mask``: ``(T, 2 window)`` context word ids and which
    are inside the dynamic window; ``rows``/``weight``: ``(T, k+1)`` centre + negatives (see
    :func:`targets`). Returns the batch's summed loss."""
    dim = vectors.inp.weight.shape[1]
    ctx_vectors, out_vectors, hidden, score = _scores(vectors, ctx, mask, rows, cbow, _gather)
    label, w = _labels_weights(score, mask, weight, cbow)
    loss = -(F.logsigmoid(torch.where(label > 0, score, -score)) * w).sum()
    # d log sigmoid(+-score) / d score = label - sigmoid(score): word2vec.c's g, times alpha
    g = (label - torch.sigmoid(score)) * w * lr
    grad_hidden = g @ out_vectors  # T, 2w (or 1), dim
    grad_out = g.transpose(1, 2) @ hidden  # T, k+1, dim
    add_rows(vectors.out.weight, rows.reshape(-1), grad_out.reshape(-1, dim))
    if cbow:  # every context word gets the whole error, as in word2vec.c
        grad_hidden = grad_hidden * mask.unsqueeze(2)
    add_rows(vectors.inp.weight, ctx.reshape(-1), grad_hidden.reshape(-1, dim))
    return loss


def add_rows(table: torch.Tensor, idx: torch.Tensor, grads: torch.Tensor) -> None:
    """Add each row of ``grads`` to row ``idx`` of ``table``; a word repeated in the batch gets
    the sum of its updates, as word2vec.c's sequential updates add up (but all computed from
    the same, slightly stale, vectors). Averaging a word's updates instead was tried: it kept
    1024-word batches stable but starved frequent words (vectors collapsed to one direction,
    1.2% analogies on the Wikipedia text against 1.6% summed at 128 and gensim's 1.8%)."""
    table.index_add_(0, idx, grads)


def autograd_loss(vectors: WordVectors, ctx: torch.Tensor, mask: torch.Tensor,
                  rows: torch.Tensor, weight: torch.Tensor, cbow: bool = False) -> torch.Tensor:
    """The same loss through autograd, for SparseAdam (sparse embedding gradients)."""
    _, _, _, score = _scores(vectors, ctx, mask, rows, cbow, lambda table, idx: table(idx))
    label, w = _labels_weights(score, mask, weight, cbow)
    return -(F.logsigmoid(torch.where(label > 0, score, -score)) * w).sum()


# ----- the trained vectors -----


def normalised(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


@dataclass
class AnalogyResult:
    accuracy: float  # correct / asked (0 when none could be asked)
    correct: int
    asked: int  # questions whose four words are all among the restricted vocabulary
    total: int  # questions in the file
    sections: dict[str, tuple[int, int]]  # section -> (correct, asked)


class Vectors:
    """Unit-length word vectors, most frequent word first, with cosine neighbours and
    3CosAdd analogies."""

    def __init__(self, words: list[str], vectors: np.ndarray):
        self.words = list(words)
        self.raw = np.asarray(vectors, dtype=np.float32)
        self.unit = normalised(self.raw)
        self.index = {w: i for i, w in enumerate(self.words)}

    def __contains__(self, word: str) -> bool:
        return word in self.index

    def nearest(self, query: np.ndarray, k: int, exclude: set[int] = frozenset(),
                limit: int | None = None) -> list[tuple[str, float]]:
        """The ``k`` words of highest cosine similarity to ``query`` (among the ``limit`` most
        frequent), leaving out the ids in ``exclude``."""
        table = self.unit[:limit] if limit else self.unit
        q = query / max(float(np.linalg.norm(query)), 1e-12)
        sims = table @ q.astype(np.float32)
        for i in exclude:
            if i < len(sims):
                sims[i] = -np.inf
        k = min(k, len(sims) - len([i for i in exclude if i < len(sims)]))
        if k <= 0:
            return []
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top], kind="stable")]
        return [(self.words[i], float(sims[i])) for i in top]

    def neighbours(self, word: str, k: int = 10) -> list[tuple[str, float]]:
        i = self.index[word]
        return self.nearest(self.unit[i], k, {i})

    def analogy(self, a: str, b: str, c: str, k: int = 5) -> list[tuple[str, float]]:
        """``a : b :: c : ?`` by 3CosAdd: the words nearest ``b - a + c`` (unit vectors), the
        three question words left out."""
        ia, ib, ic = self.index[a], self.index[b], self.index[c]
        query = self.unit[ib] - self.unit[ia] + self.unit[ic]
        return self.nearest(query, k, {ia, ib, ic})

    def evaluate_analogies(self, sections, restrict: int = ANALOGY_VOCAB) -> AnalogyResult:
        """gensim's ``evaluate_word_analogies``: questions with a word outside the ``restrict``
        most frequent words are skipped; the answer is the 3CosAdd argmax over those words,
        the three question words excluded; accuracy = correct / asked."""
        vocab = {w: i for w, i in self.index.items() if i < restrict}
        table = self.unit[:restrict]
        out: dict[str, tuple[int, int]] = {}
        correct = asked = total = 0
        for name, questions in sections:
            total += len(questions)
            ok = [[vocab[w] for w in q] for q in questions if all(w in vocab for w in q)]
            right = 0
            for start in range(0, len(ok), ANALOGY_CHUNK):
                q = np.array(ok[start:start + ANALOGY_CHUNK])
                query = table[q[:, 1]] - table[q[:, 0]] + table[q[:, 2]]
                sims = query @ table.T
                rows = np.arange(len(q))[:, None]
                sims[rows, q[:, :3]] = -np.inf
                right += int((sims.argmax(1) == q[:, 3]).sum())
            out[name] = (right, len(ok))
            correct, asked = correct + right, asked + len(ok)
        return AnalogyResult(correct / asked if asked else 0.0, correct, asked, total, out)


# "man : king :: woman : ?" asks an analogy; any other input asks for neighbours
ANALOGY = re.compile(r"^\s*(\S+)\s*:\s*(\S+)\s*::\s*(\S+)\s*:\s*\?\s*$")
TOP = 5  # neighbours reported in a Prediction's scores


def similarity_to_probability(cosine: float) -> float:
    """A cosine similarity in [-1, 1] shown as a number in [0, 1]: ``(1 + cos) / 2`` (0.5 =
    orthogonal, 1 = same direction). It is not a probability of anything; the Prediction
    contract wants a value in [0, 1] and this mapping keeps the order of the similarities."""
    return min(max((1.0 + cosine) / 2.0, 0.0), 1.0)


class Word2VecModel:
    """A trained run's vectors: ``predict(["king"])`` answers the nearest words,
    ``predict(["man : king :: woman : ?"])`` the analogy, several words the words nearest
    their mean."""

    project = "word2vec"

    def __init__(self, vectors: Vectors, config):
        self.vectors = vectors
        self.config = config

    def _answer(self, query: str, found: list[tuple[str, float]]) -> Prediction:
        if not found:
            return Prediction(query, "", 0.0, note="no other word in the vocabulary to answer with")
        scores = {w: similarity_to_probability(s) for w, s in found}
        label = found[0][0]
        return Prediction(query, label, scores[label], scores)

    def _one(self, query: str) -> Prediction:
        v = self.vectors
        match = ANALOGY.match(query.lower())
        if match:
            a, b, c = match.groups()
            missing = [w for w in (a, b, c) if w not in v]
            if missing:
                return Prediction(query, "", 0.0, note=f"not in the vocabulary: "
                                  f"{', '.join(missing)}")
            return self._answer(query, v.analogy(a, b, c, TOP))
        words = TOKEN_RE.findall(query.lower())
        if not words:
            return Prediction(query, "", 0.0, note="no word in the input")
        known = [w for w in words if w in v]
        if not known:
            return Prediction(query, "", 0.0, note=f"not in the vocabulary: {', '.join(words)}")
        ids = {v.index[w] for w in known}
        found = v.nearest(v.unit[list(ids)].mean(0), TOP, ids)
        return self._answer(query, found)  # words outside the vocabulary are left out

    def predict(self, inputs: list[str]) -> list[Prediction]:
        return [self._one(q) for q in inputs]


TOKEN_RE = re.compile(r"[^\W_]+")
