"""The TV scripts as word ids, prepared as the course did: punctuation becomes tokens
(``||period||`` ...), everything is lower-cased, text splits on white space. A tenth of the
scenes is held out for validation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlnd.core.errors import ConfigError, DataError
from dlnd.shared.lm import Corpus
from dlnd.shared.text import Vocabulary, read_text

UNKNOWN = "<unk>"
MIN_WORDS = 2  # a vocabulary of fewer known words (besides <unk>) leaves nothing to learn
SPLIT_SEED = 0  # the held-out scenes do not change with cfg.seed, so runs compare fairly

# The (2017, Simpsons) course's token_lookup(), lower-cased as its vocabulary was. The dash is
# "--": a single hyphen is part of its word ("uh-huh", "twenty-five", "barney-shaped_form:").
PUNCTUATION = {".": "||period||", ",": "||comma||", '"': "||quotation_mark||",
               ";": "||semicolon||", "!": "||exclamation_mark||", "?": "||question_mark||",
               "(": "||left_parentheses||", ")": "||right_parentheses||", "--": "||dash||",
               "\n": "||return||"}
SYMBOL = {token: symbol for symbol, token in PUNCTUATION.items()}
NO_SPACE_BEFORE = {".", ",", ";", "!", "?", ")", "\n"}
NO_SPACE_AFTER = {"(", "\n"}


@dataclass(frozen=True)
class Source:
    dataset: str
    filename: str
    scene_lines: int  # lines per scene when the file has no scene breaks; 0: blank-line scenes
    default_prime: str


CORPORA = {
    # Moe's Tavern scenes are separated by blank lines; the first line is a copyright notice
    # (the course dropped it too: text[81:]).
    "simpsons": Source("simpsons", "moes_tavern_lines.txt", 0, "moe_szyslak"),
    # Seinfeld has a blank line after every line and no scene marks: 20 lines make a "scene".
    "seinfeld": Source("seinfeld", "Seinfeld_Scripts.txt", 20, "jerry"),
}


def tokenize(text: str) -> list[str]:
    """The course's preprocessing: each symbol of PUNCTUATION becomes its token, the text is
    lower-cased and split on white space."""
    for symbol, token in PUNCTUATION.items():
        text = text.replace(symbol, f" {token} ")
    return text.lower().split()


def detokenize(tokens: list[str]) -> str:
    """Words joined by spaces, punctuation tokens turned back into symbols and spaced as text."""
    text = Detokenizer()
    return "".join(text.add(token) for token in tokens)


class Detokenizer:
    """:func:`detokenize` one token at a time, for text shown as it is generated."""

    def __init__(self):
        self.glue, self.quotes = "", 0  # what goes before the next word; quotes seen so far

    def add(self, token: str) -> str:
        """The text of the next token, with the space before it when one belongs there."""
        symbol = SYMBOL.get(token, token)
        if symbol == '"':  # opening quotes hug the next word, closing ones the previous
            opening, self.quotes = self.quotes % 2 == 0, self.quotes + 1
            piece = (self.glue if opening else "") + symbol
            self.glue = "" if opening else " "
            return piece
        piece = ("" if symbol in NO_SPACE_BEFORE else self.glue) + symbol
        self.glue = "" if symbol in NO_SPACE_AFTER else " "
        return piece


def scenes(text: str, scene_lines: int) -> list[str]:
    blocks = [b.strip() for b in text.split("\n\n") if b.strip()]
    if scene_lines == 0:
        return blocks
    return ["\n\n".join(blocks[i:i + scene_lines]) for i in range(0, len(blocks), scene_lines)]


def read_script(corpus: str) -> str:
    """The script file with universal newlines and without the Simpsons copyright notice and the
    blank line after it (the course's ``text[81:]``)."""
    source = CORPORA[corpus]
    text = read_text(source.dataset, source.filename)
    if text.startswith("[YEAR DATE"):
        text = text.split("\n", 1)[1].lstrip("\n")
    return text


def read_scenes(corpus: str, max_chars: int = 0) -> list[str]:
    text = read_script(corpus)
    return scenes(text[:max_chars] if max_chars else text, CORPORA[corpus].scene_lines)


def split(all_scenes: list[str], val_fraction: float, min_count: int) -> Corpus:
    """A seeded ``val_fraction`` of the scenes for validation; the vocabulary (with <unk>) comes
    from the training scenes only. Scenes keep their order, separated by a blank line."""
    n_val = round(len(all_scenes) * val_fraction)
    if n_val < 1 or n_val >= len(all_scenes):
        raise DataError(f"{len(all_scenes)} scenes cannot be split {1 - val_fraction:.0%} / "
                        f"{val_fraction:.0%}; use more text or another val_fraction")
    is_val = np.zeros(len(all_scenes), dtype=bool)
    is_val[np.random.default_rng(SPLIT_SEED).permutation(len(all_scenes))[:n_val]] = True

    def tokens(chosen: bool) -> list[str]:
        kept = [s for s, v in zip(all_scenes, is_val, strict=True) if v == chosen]
        return tokenize("\n\n".join(kept) + "\n\n")

    train_tokens = tokens(False)
    vocab = Vocabulary.build([train_tokens], min_count, unknown_token=UNKNOWN)
    known = len(vocab) - 1
    if known < MIN_WORDS:
        raise ConfigError(f"min_count={min_count} leaves {known} word(s) of the training text in "
                          f"the vocabulary, besides {UNKNOWN}: nothing to learn; lower min_count "
                          f"or use more text (at least {MIN_WORDS} words must occur "
                          f"{min_count} times)")
    return Corpus(train=vocab.encode(train_tokens), val=vocab.encode(tokens(True)), vocab=vocab)


def load(corpus: str, val_fraction: float, min_count: int, max_chars: int = 0) -> Corpus:
    return split(read_scenes(corpus, max_chars), val_fraction, min_count)
