"""IMDB reviews as word-id sequences for the RNN, and length-bucketed batches."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlnd.shared import text

PAD, UNKNOWN = 0, 1
FIRST_WORD = 2  # the id of the most frequent word


@dataclass
class Sequences:
    ids: list[np.ndarray]  # per review, int64 word ids, at most max_len, never empty
    labels: np.ndarray  # 1 = positive


@dataclass
class ImdbData:
    train: Sequences
    val: Sequences
    test: Sequences
    vocabulary: text.Vocabulary


def encode(vocabulary: text.Vocabulary, texts: list[str], max_len: int) -> list[np.ndarray]:
    """The last ``max_len`` word ids of each text; an empty text becomes one unknown word so
    that every sequence has a length for packing."""
    out = []
    for t in texts:
        ids = vocabulary.encode(text.tokenize(t), unknown=UNKNOWN)[-max_len:]
        out.append(ids if len(ids) else np.array([UNKNOWN], dtype=np.int64))
    return out


def subset(n_total: int, limit: int | None, rng: np.random.Generator) -> np.ndarray:
    if limit is None or limit >= n_total:
        return rng.permutation(n_total)
    return rng.choice(n_total, limit, replace=False)


def load(vocab_size: int, max_len: int, val_reviews: int, train_reviews: int | None,
         test_reviews: int | None, seed: int) -> ImdbData:
    """Train/validation from IMDB train (a seeded split), test from IMDB test; the vocabulary
    is built from the training part only."""
    rng = np.random.default_rng(seed)
    texts, labels = text.read_imdb("train")
    chosen = subset(len(texts), train_reviews, rng)
    val_idx, train_idx = chosen[:val_reviews], chosen[val_reviews:]
    vocabulary = text.Vocabulary.build((text.tokenize(texts[i]) for i in train_idx),
                                       max_size=vocab_size - FIRST_WORD,
                                       first_id=FIRST_WORD)

    def sequences(source: list[str], source_labels: np.ndarray, idx: np.ndarray) -> Sequences:
        return Sequences(encode(vocabulary, [source[i] for i in idx], max_len),
                         source_labels[idx])

    test_texts, test_labels = text.read_imdb("test")
    test_idx = np.sort(subset(len(test_texts), test_reviews, rng))
    return ImdbData(sequences(texts, labels, train_idx), sequences(texts, labels, val_idx),
                    sequences(test_texts, test_labels, test_idx), vocabulary)


def equal_length_batches(lengths: np.ndarray, batch_size: int) -> list[np.ndarray]:
    """Review indices in batches of exactly equal length: no padding, so a review's prediction
    does not depend on which others share its batch."""
    order = np.argsort(lengths, kind="stable")
    cuts = np.flatnonzero(np.diff(lengths[order])) + 1
    return [chunk[i:i + batch_size] for chunk in np.split(order, cuts)
            for i in range(0, len(chunk), batch_size)]
