"""A trained letter sorter: words in, their letters sorted out (the network is
``dlnd.shared.seq2seq.Seq2Seq``)."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

from dlnd.core.errors import InputNote
from dlnd.core.project import Prediction
from dlnd.projects.seq2seq_letters.config import LettersConfig
from dlnd.shared import seq2seq

MAX_LETTERS = 100  # a longer "word" is not one; it is cut here, with a note


def make_network(cfg: LettersConfig, vocab_size: int) -> seq2seq.Seq2Seq:
    return seq2seq.Seq2Seq(vocab_size, vocab_size, cfg.embedding_dim, cfg.hidden_size,
                           cfg.dropout)


class LettersModel:
    project = "seq2seq-letters"

    def __init__(self, network: seq2seq.Seq2Seq, vocab: seq2seq.Vocab, config: LettersConfig):
        self.network, self.vocab, self.config = network, vocab, config

    def sort(self, words: list[str]) -> list[seq2seq.Decoded]:
        sources = [self.vocab.encode(w) or [seq2seq.UNK] for w in words]
        return seq2seq.greedy(self.network, sources, max_len=max(map(len, sources)) + 2)

    def predict(self, inputs: list[str], out: Path | None = None) -> list[Prediction]:
        """Each word's letters sorted by the network, with the probability it gives its own
        answer. Letters it never saw (capitals, digits) are dropped, with a note; ``out``: an
        attention heat map of the first word."""
        words = []
        for text in inputs:
            word = "".join(text.split())[:MAX_LETTERS]
            unknown = sorted({c for c in word if c not in self.vocab})
            if unknown:
                warnings.warn(f"{text!r}: letters not in the vocabulary, dropped: "
                              f"{', '.join(map(repr, unknown))}", InputNote, stacklevel=2)
            words.append("".join(c for c in word if c in self.vocab))
        answers = []
        decoded = self.sort([w or "?" for w in words])
        for text, word, d in zip(inputs, words, decoded, strict=True):
            if not word:
                answers.append(Prediction(text, "", 0.0, note="no letter the model knows"))
            else:
                answers.append(Prediction(text, "".join(self.vocab.decode(d.ids)),
                                          math.exp(d.log_prob)))
        if out is not None and words and words[0]:
            fig = seq2seq.attention_figure(list(words[0]), self.vocab.decode(decoded[0].ids),
                                           decoded[0].attention, f"Attention sorting "
                                           f"{words[0]!r}")
            fig.savefig(out, dpi=100)
        return answers

