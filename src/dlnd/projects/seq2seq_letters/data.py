"""The course's letters data: each line of letters_source.txt is a word, the same line of
letters_target.txt its letters sorted; one token per letter."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlnd.core import datasets
from dlnd.core.errors import DataError
from dlnd.shared.seq2seq import Vocab


@dataclass
class Split:
    source: list[list[int]]
    target: list[list[int]]


@dataclass
class LettersData:
    train: Split
    val: Split
    test: Split
    vocab: Vocab  # the letters; one vocabulary for both sides


def read_pairs(words: int = 0) -> list[tuple[str, str]]:
    source = datasets.read_text(datasets.path("letters", "letters_source.txt")).split("\n")
    target = datasets.read_text(datasets.path("letters", "letters_target.txt")).split("\n")
    pairs = [(s.strip(), t.strip()) for s, t in zip(source, target, strict=False) if s.strip()]
    if len(source) != len(target) or not pairs:
        raise DataError("letters_source.txt and letters_target.txt do not pair up line by line")
    return pairs[:words] if words else pairs


def load(words: int, test_fraction: float, val_words: int, seed: int) -> LettersData:
    """Test: a seeded ``test_fraction`` of the pairs; validation: ``val_words`` of the rest."""
    pairs = read_pairs(words)
    vocab = Vocab(sorted({c for s, t in pairs for c in s + t}))
    order = np.random.default_rng(seed).permutation(len(pairs))
    n_test = int(round(test_fraction * len(pairs)))
    test, val, train = order[:n_test], order[n_test:n_test + val_words], order[n_test + val_words:]

    def split(idx) -> Split:
        return Split([vocab.encode(pairs[i][0]) for i in idx],
                     [vocab.encode(pairs[i][1]) for i in idx])

    return LettersData(split(train), split(val), split(test), vocab)
