"""The course's review data as word (and word-pair) presence, with Trask's noise reduction.

A review becomes the sorted ids of the distinct features it contains: its words and, when
``bigrams`` is on, its adjacent word pairs. Features are kept when they occur at least
``min_count`` times in the training reviews and their positive/negative log ratio is at least
``polarity_cutoff`` away from zero (Trask's speed-up 2: drop rare and neutral words).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlnd.core.errors import DataError
from dlnd.shared import text


@dataclass
class Features:
    """The n-gram vocabulary learnt from training, then the noise filter."""

    vocabulary: text.NgramVocabulary
    keep: np.ndarray  # bool per vocabulary entry

    def __post_init__(self):
        self.raw_ids = np.flatnonzero(self.keep)

    @property
    def size(self) -> int:
        return len(self.raw_ids)

    def name(self, feature: int) -> str:
        return self.vocabulary.name(int(self.raw_ids[feature]))

    def encode(self, token_lists: list[list[str]]) -> text.Encoded:
        return self.vocabulary.encode(token_lists).select(self.keep)

    def state(self) -> dict:
        """The feature map as plain state (word list, n-gram codes, filter) for a run's
        artifacts."""
        return {"words": self.vocabulary.words.tokens,
                "ngram_codes": list(self.vocabulary.ngram_codes), "keep": self.keep}

    @classmethod
    def from_state(cls, state: dict) -> Features:
        vocabulary = text.NgramVocabulary(text.Vocabulary(state["words"]),
                                          tuple(state["ngram_codes"]))
        return cls(vocabulary, state["keep"])


def polarity(positive: np.ndarray, negative: np.ndarray) -> np.ndarray:
    """Trask's positive-to-negative ratio on a log scale: > 0 leans positive, 0 is neutral."""
    return np.log((positive + 1.0) / (negative + 1.0))


@dataclass
class Prepared:
    features: Features
    train_x: text.Encoded
    ratio: np.ndarray  # polarity of each kept feature
    reviews: np.ndarray  # number of training reviews holding each kept feature


def build_features(token_lists: list[list[str]], labels: np.ndarray, bigrams: bool,
                   min_count: int, polarity_cutoff: float) -> Prepared:
    """Features learnt from the training reviews, and those reviews encoded with them."""
    vocabulary = text.NgramVocabulary.build(token_lists, 2 if bigrams else 1, min_count)
    encoded = vocabulary.encode(token_lists)
    positive = np.bincount(encoded.ids, weights=np.repeat(labels, encoded.lengths()),
                           minlength=vocabulary.size)
    reviews = np.bincount(encoded.ids, minlength=vocabulary.size)
    ratio = polarity(positive, reviews - positive)
    keep = np.abs(ratio) >= polarity_cutoff
    if not keep.any():
        raise DataError(f"min_count={min_count} and polarity_cutoff={polarity_cutoff} leave no "
                        "words: lower them")
    return Prepared(Features(vocabulary, keep), encoded.select(keep), ratio[keep], reviews[keep])


def most_polarised(prepared: Prepared, min_reviews: int = 100, n: int = 20
                   ) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """The ``n`` most positive and most negative features by log ratio, among those in at least
    ``min_reviews`` reviews (as in the lesson: rarer words have extreme, noisy ratios)."""
    common = np.flatnonzero(prepared.reviews >= min_reviews)
    order = common[np.argsort(prepared.ratio[common], kind="stable")]
    name, ratio = prepared.features.name, prepared.ratio
    return ([(name(i), float(ratio[i])) for i in order[::-1][:n]],
            [(name(i), float(ratio[i])) for i in order[:n]])


@dataclass
class CourseSplit:
    train_tokens: list[list[str]]
    train_labels: np.ndarray
    test_tokens: list[list[str]]
    test_labels: np.ndarray


def load(train_reviews: int, test_reviews: int) -> CourseSplit:
    """The course split: train on the first reviews, test on the last ``test_reviews``."""
    reviews, labels = text.read_course_reviews()
    if train_reviews + test_reviews > len(reviews):
        raise DataError(f"train_reviews + test_reviews = {train_reviews + test_reviews} exceeds "
                        f"the {len(reviews)} course reviews")
    test = slice(len(reviews) - test_reviews, len(reviews))
    return CourseSplit([text.tokenize(r) for r in reviews[:train_reviews]],
                       labels[:train_reviews], [text.tokenize(r) for r in reviews[test]],
                       labels[test])
