"""A trained character model: text in, text out (the network itself is ``dlnd.lm``)."""

from __future__ import annotations

from dlnd.shared import lm

DEFAULT_PRIME = "The "


class CharRnnModel:
    def __init__(self, network: lm.LSTMLanguageModel, vocab: lm.Vocab):
        self.network, self.vocab = network, vocab

    def generate(self, prime: str = "", length: int = 200, temperature: float = 0.8,
                 top_k: int | None = None, seed: int = 0) -> str:
        """``prime`` followed by ``length`` sampled characters. Characters the model never saw
        are dropped from the prime, with a warning."""
        unknown = sorted({c for c in prime if c not in self.vocab})
        lm.warn_unknown(unknown, "characters (dropped)")
        known = "".join(c for c in prime if c in self.vocab) or DEFAULT_PRIME
        ids = lm.sample(self.network, list(self.vocab.encode(known)), length, temperature,
                        top_k, seed)
        return known + "".join(self.vocab.decode(ids))
