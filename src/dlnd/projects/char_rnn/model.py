"""A trained character model: text in, text out (the network itself is ``dlnd.shared.lm``)."""

from __future__ import annotations

from collections.abc import Iterator

from dlnd.projects.char_rnn.config import CharRnnConfig
from dlnd.shared import lm
from dlnd.shared.text import Vocabulary

DEFAULT_PRIME = "The "


class CharRnnModel:
    project = "char-rnn"

    def __init__(self, network: lm.LSTMLanguageModel, vocab: Vocabulary, config: CharRnnConfig):
        self.network, self.vocab, self.config = network, vocab, config

    def generate(self, prime: str = "", length: int = 200, temperature: float = 0.8,
                 top_k: int | None = None, seed: int = 0) -> str:
        """``prime`` followed by ``length`` sampled characters. Characters the model never saw
        are dropped from the prime, with a warning (an ``InputNote``)."""
        return "".join(self.stream(prime, length, temperature, top_k, seed))

    def stream(self, prime: str = "", length: int = 200, temperature: float = 0.8,
               top_k: int | None = None, seed: int = 0) -> Iterator[str]:
        """The text of :meth:`generate` in pieces as it is sampled: the prime, then one
        character at a time. The prime is checked (and warned about) at the call."""
        unknown = sorted({c for c in prime if c not in self.vocab})
        lm.warn_unknown(unknown, "characters (dropped)")
        known = "".join(c for c in prime if c in self.vocab) or DEFAULT_PRIME
        ids = lm.sample_stream(self.network, list(self.vocab.encode(known)), length,
                               temperature, top_k, seed)
        return self._pieces(known, ids)

    def _pieces(self, known: str, ids: Iterator[int]) -> Iterator[str]:
        yield known
        for token in ids:
            yield self.vocab.decode([token])[0]
