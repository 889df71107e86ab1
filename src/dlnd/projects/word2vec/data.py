"""Corpora for word2vec: tokens, the vocabulary, Mikolov's subsampling, dynamic windows and the
unigram^0.75 table negatives are drawn from. Everything per word is a NumPy array operation."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dlnd.core import datasets
from dlnd.core.errors import ConfigError, DataError
from dlnd.shared import text

# Words are runs of letters or digits in any script, lower-cased ("don't" -> "don", "t"), which
# is what text8's normalisation leaves too; text8-style files come out of it unchanged.
TOKEN = re.compile(r"[^\W_]+")
MAX_DOC_WORDS = 10_000  # longer lines are cut into pieces of this size (as gensim's LineSentence)
READ_CHARS = 1 << 18  # a plain-text file is read 256 KiB at a time (text8 is one 100 MB line)
NEGATIVE_POWER = 0.75  # the unigram distribution raised to 3/4 (Mikolov et al. 2013)

# The corpora a config can name (several joined with "+"); anything else is a path.
WIKI = ("word2vec", "enwiki-shortened.text8-style.txt.gz")
TEXT8 = ("text8", "text8")
QUESTIONS = ("word2vec", "questions-words.txt")
NAMED = ("imdb", "enwiki", "text8")


def tokenize(line: str) -> list[str]:
    return TOKEN.findall(line.lower())


def _cut(tokens: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(tokens), MAX_DOC_WORDS):
        yield tokens[start:start + MAX_DOC_WORDS]


def plain_documents(path: Path) -> Iterator[list[str]]:
    """The lines of a plain-text file (.gz read transparently) as token lists, each cut into
    pieces of at most ``MAX_DOC_WORDS``; a very long line is read a few MiB at a time."""
    try:
        with datasets.open_bytes(path) as fh:
            carry = b""
            while True:
                block = fh.read(READ_CHARS)
                if not block:
                    break
                block = carry + block
                cut = max(block.rfind(b"\n"), block.rfind(b" "))
                if cut < 0:  # no whitespace at all in 4 MiB: keep reading
                    carry = block
                    continue
                carry = block[cut + 1:]
                for line in block[:cut + 1].decode("utf-8", "replace").split("\n"):
                    yield from _cut(tokenize(line))
            if carry:
                yield from _cut(tokenize(carry.decode("utf-8", "replace")))
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from None


def imdb_documents() -> Iterator[list[str]]:
    """The 50,000 IMDB reviews (train, then test), HTML removed, one document each."""
    for split in ("train", "test"):
        texts, _ = text.read_imdb(split)
        for review in texts:
            yield from _cut(TOKEN.findall(text.clean(review)))


def sources(corpus: str) -> list[str]:
    """The parts of a ``corpus`` setting: named corpora joined by "+", or one file path."""
    parts = corpus.split("+")
    if all(p in NAMED for p in parts):
        return parts
    path = Path(corpus).expanduser()
    if not path.is_file():
        raise ConfigError(f"corpus must be one of {', '.join(NAMED)} (several joined with "
                          f"'+') or a plain-text file; {corpus!r} is neither")
    return [str(path)]


def documents(corpus: str) -> Iterator[list[str]]:
    for part in sources(corpus):
        if part == "imdb":
            yield from imdb_documents()
        elif part == "enwiki":
            yield from plain_documents(datasets.path(*WIKI))
        elif part == "text8":
            yield from plain_documents(datasets.path(*TEXT8))
        else:
            yield from plain_documents(Path(part))


@dataclass
class Corpus:
    """A tokenised corpus over its vocabulary (most frequent word first, id 0)."""

    name: str
    words: list[str]
    counts: np.ndarray  # int64, occurrences of each vocabulary word
    ids: np.ndarray  # int32, the in-vocabulary tokens in reading order
    doc: np.ndarray  # int32, the document of each token (windows never cross documents)
    raw_words: int  # tokens read, words under min_count included

    @property
    def total(self) -> int:
        """In-vocabulary tokens: what one epoch trains on (before subsampling)."""
        return len(self.ids)


def build(docs: Iterable[list[str]], min_count: int, max_words: int = 0,
          name: str = "") -> Corpus:
    """Number the words of ``docs`` (the first ``max_words`` tokens when > 0), keep those seen
    at least ``min_count`` times, sorted by falling count (ties: first seen first)."""
    index: dict[str, int] = {}
    chunks, doc_of, read = [], [], 0
    for d, tokens in enumerate(docs):
        if max_words and read + len(tokens) > max_words:
            tokens = tokens[:max_words - read]
        if tokens:
            chunks.append(np.fromiter((index.setdefault(t, len(index)) for t in tokens),
                                      dtype=np.int32, count=len(tokens)))
            doc_of.append(np.full(len(tokens), d, dtype=np.int32))
            read += len(tokens)
        if max_words and read >= max_words:
            break
    if not read:
        raise DataError(f"the corpus {name!r} holds no words")
    first = np.concatenate(chunks)
    doc = np.concatenate(doc_of)
    counts = np.bincount(first, minlength=len(index))
    order = np.argsort(-counts, kind="stable")
    order = order[counts[order] >= min_count]
    if not len(order):
        raise DataError(f"no word of the corpus {name!r} occurs {min_count} times (min_count)")
    new_id = np.full(len(index), -1, dtype=np.int32)
    new_id[order] = np.arange(len(order), dtype=np.int32)
    ids = new_id[first]
    kept = ids >= 0
    words = list(index)
    return Corpus(name, [words[i] for i in order], counts[order].astype(np.int64), ids[kept],
                  doc[kept], read)


def load(corpus: str, min_count: int, max_words: int = 0) -> Corpus:
    return build(documents(corpus), min_count, max_words, corpus)


def keep_probabilities(counts: np.ndarray, sample: float) -> np.ndarray:
    """Mikolov's subsampling as in word2vec.c and gensim: a word of count ``c`` among ``T``
    in-vocabulary tokens is kept with probability ``(sqrt(c / (s T)) + 1) (s T) / c``, at most
    1 (``sample`` = s; 0 keeps every word)."""
    counts = np.asarray(counts, dtype=np.float64)
    if sample <= 0:
        return np.ones_like(counts)
    threshold = sample * counts.sum()
    return np.minimum((np.sqrt(counts / threshold) + 1) * threshold / counts, 1.0)


def negative_table(counts: np.ndarray, size: int, power: float = NEGATIVE_POWER) -> np.ndarray:
    """word2vec.c's unigram table: ``size`` word ids in which word ``w`` fills a share
    ``c_w^0.75 / sum_v c_v^0.75`` (to within 1/size); a uniform draw from it is a negative."""
    p = np.asarray(counts, dtype=np.float64) ** power
    cum = np.cumsum(p / p.sum())
    table = np.searchsorted(cum, (np.arange(size) + 0.5) / size, side="right")
    return np.minimum(table, len(counts) - 1).astype(np.int32)


def windows(doc: np.ndarray, reach: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """The context positions of every token: ``(pos, mask)``, both ``(n, 2 window)``, where
    ``pos[i, j]`` is token ``i``'s ``j``-th neighbour (offsets -window..-1, 1..window) and
    ``mask`` says whether it is inside token ``i``'s dynamic window (``reach[i]`` words each
    side, word2vec.c's ``window - b``) and in the same document."""
    n = len(doc)
    offsets = np.concatenate([np.arange(-window, 0), np.arange(1, window + 1)])
    pos = np.arange(n)[:, None] + offsets[None, :]
    inside = (pos >= 0) & (pos < n)
    pos = np.clip(pos, 0, n - 1)
    mask = inside & (np.abs(offsets)[None, :] <= reach[:, None]) & (doc[pos] == doc[:, None])
    return pos, mask


def subsample(corpus: Corpus, keep: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Positions (into ``corpus.ids``) of the tokens one epoch keeps."""
    return np.flatnonzero(rng.random(corpus.total) < keep[corpus.ids])


def read_questions(path: Path) -> list[tuple[str, list[tuple[str, str, str, str]]]]:
    """``questions-words.txt``: sections (": capital-common-countries" ...) of 4-word lines,
    lower-cased (gensim compares case-insensitively)."""
    sections: list[tuple[str, list]] = []
    for number, line in enumerate(datasets.read_text(path).splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        if line.startswith(":"):
            sections.append((line[1:].strip(), []))
            continue
        words = line.lower().split()
        if len(words) != 4 or not sections:
            raise DataError(f"{path}:{number}: an analogy line holds 4 words after a ': "
                            f"section' line, not {line!r}")
        sections[-1][1].append(tuple(words))
    return sections
