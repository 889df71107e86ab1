"""anna.txt as character ids: the head for training, the tail held out for validation."""

from __future__ import annotations

from dlnd.core.errors import DataError
from dlnd.shared.lm import Corpus
from dlnd.shared.text import Vocabulary, read_text


def read_anna(max_chars: int = 0) -> str:
    """The novel with universal newlines (the file's ``\\r\\n`` read as ``\\n``, as the course's
    text-mode ``open`` did: 83 distinct characters)."""
    text = read_text("anna", "anna.txt")
    return text[:max_chars] if max_chars else text


def split(text: str, val_fraction: float) -> Corpus:
    """Every character of the text is in the vocabulary (in code-point order, as the course's
    ``sorted(set(text))``); the last ``val_fraction`` of the text is validation (a contiguous
    tail: later chapters, unseen in training)."""
    if len(text) < 100:
        raise DataError(f"the text has only {len(text)} characters; char-rnn needs more")
    vocab = Vocabulary(sorted(set(text)))
    ids = vocab.encode(text)
    cut = int(len(ids) * (1 - val_fraction))
    return Corpus(train=ids[:cut], val=ids[cut:], vocab=vocab)


def load(val_fraction: float, max_chars: int = 0) -> Corpus:
    return split(read_anna(max_chars), val_fraction)
