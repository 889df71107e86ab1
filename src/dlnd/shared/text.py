"""Text helpers shared by the text projects: reading corpora, vocabularies (the sentiment projects
and the language models of :mod:`dlnd.shared.lm`), tokenising reviews, the review readers.

Reviews come in two forms: the course's ``reviews.txt``/``labels.txt`` (already lower-cased,
punctuation mostly stripped) and the Stanford IMDB set as JSON Lines (raw text with HTML line
breaks). :func:`tokenize` treats both alike, so a model trained on one can read the other.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from dlnd.core import datasets
from dlnd.core.errors import DataError

# IMDB reviews carry "<br /><br />" between paragraphs; any tag is markup, not words.
_TAG = re.compile(r"<[^>]*>")
# Words are runs of letters or digits in any script ("10/10" keeps its digits, "café" stays
# whole); "!" and "?" carry sentiment, so they are tokens of their own. Apostrophes split words
# ("don't" -> "don", "t"), as in the course's reviews.txt.
_TOKEN = re.compile(r"[^\W_]+|[!?]")

IMDB_SPLITS = {"train": "aclImdb_v1_train.jsonl.gz", "test": "aclImdb_v1_test.jsonl.gz"}


def read_text(dataset: str, name: str) -> str:
    """A text file of a dataset, with universal newlines (see ``datasets.read_text``)."""
    return datasets.read_text(datasets.path(dataset, name))


def clean(text: str) -> str:
    """Lower-cased text with HTML tags removed and entities (``&amp;``) decoded."""
    return html.unescape(_TAG.sub(" ", text)).lower()


def tokenize(text: str) -> list[str]:
    """The tokens of a review; empty or symbol-only text gives ``[]``."""
    return _TOKEN.findall(clean(text))


@dataclass
class Vocabulary:
    """Tokens numbered from ``first_id`` in the order given (ids below it are reserved, e.g. for
    padding and unknown words). With an ``unknown_token`` (one of ``tokens``), tokens outside
    the vocabulary are read as it."""

    tokens: list[str]
    first_id: int = 0
    unknown_token: str | None = None

    def __post_init__(self):
        self.tokens = list(self.tokens)
        self.index = {t: i + self.first_id for i, t in enumerate(self.tokens)}
        if self.unknown_token is not None and self.unknown_token not in self.index:
            raise ValueError(f"the unknown token {self.unknown_token!r} is not in the vocabulary")

    def __len__(self) -> int:
        return len(self.tokens) + self.first_id

    def __contains__(self, token: str) -> bool:
        return token in self.index

    @classmethod
    def build(cls, token_lists: Iterable[list[str]], min_count: int = 1,
              max_size: int | None = None, first_id: int = 0,
              unknown_token: str | None = None) -> Vocabulary:
        """The tokens seen at least ``min_count`` times, most frequent first, ties in order of
        first appearance (as the course's ``Counter``-based lookup tables), at most ``max_size``
        of them; ``unknown_token``, when given, comes first (besides the ``max_size``)."""
        counts = Counter(t for tokens in token_lists for t in tokens)
        kept = [t for t, c in counts.most_common(max_size) if c >= min_count]
        if unknown_token is not None:
            kept = [unknown_token] + [t for t in kept if t != unknown_token]
        return cls(kept, first_id, unknown_token)

    def encode(self, tokens: Iterable[str], unknown: int | None = None) -> np.ndarray:
        """Token ids (int64). Tokens outside the vocabulary become ``unknown``, else the unknown
        token's id when the vocabulary has one; otherwise they are dropped."""
        if unknown is None and self.unknown_token is not None:
            unknown = self.index[self.unknown_token]
        if unknown is None:
            ids = [self.index[t] for t in tokens if t in self.index]
        else:
            ids = [self.index.get(t, unknown) for t in tokens]
        return np.asarray(ids, dtype=np.int64)

    def decode(self, ids: Iterable[int]) -> list[str]:
        return [self.tokens[i - self.first_id] for i in ids if i >= self.first_id]


@dataclass
class Encoded:
    """Reviews as CSR-style rows of feature ids: review ``i`` has
    ``ids[offsets[i]:offsets[i + 1]]``, distinct and sorted (presence, not counts)."""

    ids: np.ndarray  # int64
    offsets: np.ndarray  # int64, len(reviews) + 1

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def row(self, i: int) -> np.ndarray:
        return self.ids[self.offsets[i]:self.offsets[i + 1]]

    def rows(self, start: int, stop: int) -> Encoded:
        a, b = self.offsets[start], self.offsets[stop]
        return Encoded(self.ids[a:b], self.offsets[start:stop + 1] - a)

    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def select(self, keep: np.ndarray) -> Encoded:
        """Only the features where the boolean ``keep`` is true, renumbered 0.. in order."""
        new_id = np.cumsum(keep) - 1
        kept = keep[self.ids]
        kept_before = np.concatenate([[0], np.cumsum(kept)]).astype(np.int64)
        return Encoded(new_id[self.ids[kept]], kept_before[self.offsets])


def sorted_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values, sorted, and how often each occurs (a plain sort: faster than
    np.unique's hashing on tens of millions of int64)."""
    values = np.sort(values)
    if len(values) == 0:
        return values, np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate([[True], values[1:] != values[:-1]]))
    return values[starts], np.diff(np.append(starts, len(values)))


@dataclass
class NgramVocabulary:
    """Words and the word n-grams (n = 2..max_n) seen at least ``min_count`` times in training.

    Feature ids: the words first (``words`` order), then the kept bigrams, trigrams... An n-gram
    is identified by the code ``sum(word_id[k] * len(words) ** (n - 1 - k))`` (exact, no hashing
    collisions: 3-grams of a 200k-word vocabulary stay below 2**63)."""

    words: Vocabulary
    ngram_codes: tuple[np.ndarray, ...]  # sorted codes of the kept n-grams, for n = 2, 3...

    @property
    def size(self) -> int:
        return len(self.words) + sum(len(c) for c in self.ngram_codes)

    @classmethod
    def build(cls, token_lists: list[list[str]], max_n: int = 1,
              min_count: int = 1) -> NgramVocabulary:
        words = Vocabulary.build(token_lists, min_count)
        flat, review_of = _word_ids(words, token_lists)
        kept = []
        for n in range(2, max_n + 1):
            codes, counts = sorted_counts(_ngram_codes(flat, review_of, n, len(words)))
            kept.append(codes[(counts >= min_count) & (codes >= 0)])
        return cls(words, tuple(kept))

    def encode(self, token_lists: list[list[str]]) -> Encoded:
        """Each review's distinct feature ids; unknown words and n-grams are left out."""
        flat, review_of = _word_ids(self.words, token_lists)
        ids, owners, base = [flat], [review_of], len(self.words)
        for n, codes in enumerate(self.ngram_codes, start=2):
            grams = _ngram_codes(flat, review_of, n, len(self.words))
            where = np.minimum(np.searchsorted(codes, grams), max(len(codes) - 1, 0))
            found = (grams >= 0) & (codes[where] == grams) if len(codes) else grams < -1
            ids.append(np.where(found, base + where, UNKNOWN))
            owners.append(review_of[:len(grams)])
            base += len(codes)
        ids, owners = np.concatenate(ids), np.concatenate(owners)
        known = ids >= 0
        keys, _ = sorted_counts(owners[known] * self.size + ids[known])
        offsets = np.searchsorted(keys // self.size, np.arange(len(token_lists) + 1))
        return Encoded(keys % self.size, offsets.astype(np.int64))

    def name(self, feature: int) -> str:
        """The words of a feature id, space-separated."""
        if feature < len(self.words):
            return self.words.tokens[feature]
        rest = feature - len(self.words)
        for n, codes in enumerate(self.ngram_codes, start=2):
            if rest < len(codes):
                code, parts = int(codes[rest]), []
                for _ in range(n):
                    code, word = divmod(code, len(self.words))
                    parts.append(self.words.tokens[word])
                return " ".join(reversed(parts))
            rest -= len(codes)
        raise IndexError(f"feature {feature} is not in this vocabulary of {self.size}")


UNKNOWN = -1


def _word_ids(words: Vocabulary, token_lists: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """All reviews' word ids in one array (unknown words: UNKNOWN), and each one's review."""
    per_review = [words.encode(tokens, unknown=UNKNOWN) for tokens in token_lists]
    lengths = np.array([len(w) for w in per_review], dtype=np.int64)
    flat = np.concatenate(per_review) if per_review else np.zeros(0, np.int64)
    return flat, np.repeat(np.arange(len(token_lists)), lengths)


def _ngram_codes(flat: np.ndarray, review_of: np.ndarray, n: int, n_words: int) -> np.ndarray:
    """The code of the n-gram starting at each position (UNKNOWN where it would cross a review
    boundary or hold an unknown word); ``len(flat) - n + 1`` of them."""
    count = max(len(flat) - n + 1, 0)
    codes = np.zeros(count, dtype=np.int64)
    valid = review_of[:count] == review_of[n - 1:n - 1 + count]
    for k in range(n):
        part = flat[k:k + count]
        valid &= part >= 0
        codes = codes * n_words + part
    return np.where(valid, codes, UNKNOWN)


def describe_prediction(p_positive: float) -> str:
    """A prediction as one line: the label, then P(positive)."""
    label = "positive" if p_positive >= 0.5 else "negative"
    return f"{label}\tP(positive)={p_positive:.3f}"


def read_course_reviews() -> tuple[list[str], np.ndarray]:
    """The course's 25,000 reviews and their labels (1 = positive), in file order."""
    reviews = read_text("sentiment", "reviews.txt").split("\n")
    labels = read_text("sentiment", "labels.txt").split("\n")
    reviews, labels = reviews[:len(labels)], [x.strip() for x in labels if x.strip()]
    if len(reviews) < len(labels) or set(labels) - {"positive", "negative"}:
        raise DataError("reviews.txt and labels.txt do not match: expected one review per label "
                        "and labels 'positive'/'negative'")
    return reviews[:len(labels)], np.array([x == "positive" for x in labels], dtype=np.int64)


def read_imdb(split: str) -> tuple[list[str], np.ndarray]:
    """The Stanford IMDB ``split`` ("train" or "test"): raw review texts and labels (1 = pos)."""
    path = datasets.path("imdb", IMDB_SPLITS[split])
    texts, labels = [], []
    with datasets.open_bytes(path) as fh:
        for line in fh:
            record = json.loads(line)
            texts.append(record["text"])
            labels.append(record["label"] == "pos")
    if not texts:
        raise DataError(f"{path} holds no reviews")
    return texts, np.asarray(labels, dtype=np.int64)


def bucketed_batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator
                     ) -> list[np.ndarray]:
    """Shuffled indices in batches of similar length (little padding, for RNNs over texts of
    any length): shuffle, sort within pools of 50 batches, cut, shuffle the batches. Depends
    only on ``rng``'s state, so a resumed run draws the same batches."""
    order = rng.permutation(len(lengths))
    pool = batch_size * 50
    order = np.concatenate([chunk[np.argsort(lengths[chunk], kind="stable")]
                            for chunk in np.split(order, range(pool, len(order), pool))])
    groups = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    return [groups[i] for i in rng.permutation(len(groups))]
