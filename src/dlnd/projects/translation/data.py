"""The course's small-vocabulary English/French corpus: line i of small_vocab_en is translated
by line i of small_vocab_fr; words and punctuation are already separated by spaces."""

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
    english: list[str]
    french: list[str]


@dataclass
class TranslationData:
    train: Split
    val: Split
    test: Split
    en: Vocab
    fr: Vocab
    test_seen: float  # share of the test pairs whose English sentence is also in training


def read_pairs(pairs: int = 0) -> list[tuple[str, str]]:
    english = datasets.read_text(datasets.path("translation", "small_vocab_en")).split("\n")
    french = datasets.read_text(datasets.path("translation", "small_vocab_fr")).split("\n")
    if len(english) != len(french):
        raise DataError(f"small_vocab_en has {len(english)} lines, small_vocab_fr "
                        f"{len(french)}: they do not pair up")
    out = [(e.strip(), f.strip()) for e, f in zip(english, french, strict=True)
           if e.strip() and f.strip()]
    return out[:pairs] if pairs else out


def load(pairs: int, test_fraction: float, val_pairs: int, seed: int) -> TranslationData:
    """Test: a seeded ``test_fraction`` of the pairs; validation: ``val_pairs`` of the rest;
    the vocabularies come from the training pairs only."""
    corpus = read_pairs(pairs)
    order = np.random.default_rng(seed).permutation(len(corpus))
    n_test = int(round(test_fraction * len(corpus)))
    test, val, train = order[:n_test], order[n_test:n_test + val_pairs], order[n_test + val_pairs:]
    en = Vocab.build([corpus[i][0].split() for i in train])
    fr = Vocab.build([corpus[i][1].split() for i in train])

    def split(idx) -> Split:
        return Split([en.encode(corpus[i][0].split()) for i in idx],
                     [fr.encode(corpus[i][1].split()) for i in idx],
                     [corpus[i][0] for i in idx], [corpus[i][1] for i in idx])

    seen = {corpus[i][0] for i in train}
    test_seen = float(np.mean([corpus[i][0] in seen for i in test])) if len(test) else 0.0
    return TranslationData(split(train), split(val), split(test), en, fr, test_seen)


def tokenize(sentence: str, vocab: Vocab) -> list[str]:
    """A user's sentence as the corpus writes them: lower case, words and punctuation separated
    by spaces ("autumn." becomes "autumn", "." unless the vocabulary knows "autumn.")."""
    tokens = []
    for word in sentence.lower().split():
        if word in vocab or word[-1:] not in {".", ",", "?", "!"} or len(word) == 1:
            tokens.append(word)
        else:
            tokens += [word[:-1], word[-1]]
    return tokens
