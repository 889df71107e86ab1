"""A trained translator: English sentences in, French out (the networks are in
``dlnd.shared.seq2seq``)."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

from dlnd.core.errors import InputNote
from dlnd.core.project import Prediction
from dlnd.projects.translation import data as translation_data
from dlnd.projects.translation.config import TranslationConfig
from dlnd.shared import seq2seq

MAX_WORDS = 60  # a longer input is cut here, with a note (the corpus' longest has 17 words)
MAX_POSITIONS = 128  # the transformer's position table


def make_network(cfg: TranslationConfig, en_size: int, fr_size: int):
    if cfg.arch == "transformer":
        return seq2seq.TransformerSeq2Seq(en_size, fr_size, cfg.hidden_size, cfg.heads,
                                          cfg.layers, 4 * cfg.hidden_size, cfg.dropout,
                                          MAX_POSITIONS)
    return seq2seq.Seq2Seq(en_size, fr_size, cfg.embedding_dim, cfg.hidden_size, cfg.dropout,
                           cfg.attended_rnn, cfg.cell)


class TranslationModel:
    project = "translation"

    def __init__(self, network, en: seq2seq.Vocab, fr: seq2seq.Vocab, config: TranslationConfig):
        self.network, self.en, self.fr, self.config = network, en, fr, config

    def translate(self, sentence: str, beam_width: int | None = None
                  ) -> tuple[list[str], seq2seq.Decoded]:
        """The source tokens as read and the decoded French (beam search of the config's
        width; 1 = greedy)."""
        tokens = translation_data.tokenize(sentence, self.en)[:MAX_WORDS] or ["<unk>"]
        ids = self.en.encode(tokens)
        width = beam_width or self.config.beam_width
        max_len = len(ids) * 2 + 10
        if width == 1:
            return tokens, seq2seq.greedy(self.network, [ids], max_len)[0]
        return tokens, seq2seq.beam_search(self.network, ids, width, max_len)

    def predict(self, inputs: list[str], out: Path | None = None) -> list[Prediction]:
        """The French of each English sentence, with the probability the network gives its
        translation. Words outside the English vocabulary are named in a note (an
        ``InputNote``) and read as unknown; ``out``: the attention heat map of the first."""
        answers = []
        for i, sentence in enumerate(inputs):
            tokens = translation_data.tokenize(sentence, self.en)
            if len(tokens) > MAX_WORDS:
                warnings.warn(f"{sentence[:40]!r}...: only the first {MAX_WORDS} words are "
                              f"translated", InputNote, stacklevel=2)
            unknown = sorted({t for t in tokens[:MAX_WORDS] if t not in self.en})
            if unknown:
                warnings.warn(f"{sentence!r}: words not in the English vocabulary (read as "
                              f"unknown): {', '.join(map(repr, unknown))}", InputNote,
                              stacklevel=2)
            if not tokens:
                answers.append(Prediction(sentence, "", 0.0, note="no words to translate"))
                continue
            tokens, decoded = self.translate(sentence)
            french = " ".join(self.fr.decode(decoded.ids))
            answers.append(Prediction(sentence, french, math.exp(decoded.log_prob)))
            if i == 0 and out is not None:
                fig = seq2seq.attention_figure(tokens, self.fr.decode(decoded.ids),
                                               decoded.attention, "Attention: which English "
                                               "words each French word looked at")
                fig.savefig(out, dpi=100)
        return answers
