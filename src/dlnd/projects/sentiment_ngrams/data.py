"""IMDB reviews as the distinct word n-grams each contains."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlnd.shared import text


@dataclass
class Reviews:
    tokens: list[list[str]]
    labels: np.ndarray  # 1 = positive


def load(split: str, limit: int | None, seed: int) -> Reviews:
    """The IMDB ``split``; with ``limit``, a seeded random subset (the files are sorted by
    label, so the first reviews would all be positive)."""
    texts, labels = text.read_imdb(split)
    chosen = np.arange(len(texts))
    if limit is not None and limit < len(texts):
        chosen = np.sort(np.random.default_rng(seed).choice(len(texts), limit, replace=False))
    return Reviews([text.tokenize(texts[i]) for i in chosen], labels[chosen])


def vocabulary_state(vocabulary: text.NgramVocabulary) -> dict:
    """The n-gram vocabulary as plain state (word list, n-gram codes) for a run's artifacts."""
    return {"words": vocabulary.words.tokens, "ngram_codes": list(vocabulary.ngram_codes)}


def vocabulary_from_state(state: dict) -> text.NgramVocabulary:
    return text.NgramVocabulary(text.Vocabulary(state["words"]), tuple(state["ngram_codes"]))
