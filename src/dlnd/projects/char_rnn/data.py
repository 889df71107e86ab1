"""anna.txt as character ids: the head for training, the tail held out for validation."""

from __future__ import annotations

from dlnd.core import datasets
from dlnd.core.errors import DataError
from dlnd.shared.lm import Corpus, Vocab


def read_text(max_chars: int = 0) -> str:
    text = datasets.read_text(datasets.path("anna", "anna.txt"))
    return text[:max_chars] if max_chars else text


def split(text: str, val_fraction: float) -> Corpus:
    """Every character of the text is in the vocabulary; the last ``val_fraction`` of the text
    is validation (a contiguous tail: later chapters, unseen in training)."""
    if len(text) < 100:
        raise DataError(f"the text has only {len(text)} characters; char-rnn needs more")
    vocab = Vocab(sorted(set(text)))
    ids = vocab.encode(text)
    cut = int(len(ids) * (1 - val_fraction))
    return Corpus(train=ids[:cut], val=ids[cut:], vocab=vocab)


def load(val_fraction: float, max_chars: int = 0) -> Corpus:
    return split(read_text(max_chars), val_fraction)
