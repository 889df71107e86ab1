"""A trained script model: prime words in, a script out (the network itself is
``dlnd.shared.lm``)."""

from __future__ import annotations

from collections.abc import Iterator

from dlnd.projects.tv_script.config import TvScriptConfig
from dlnd.projects.tv_script.data import CORPORA, UNKNOWN, Detokenizer, tokenize
from dlnd.shared import lm
from dlnd.shared.text import Vocabulary


class TvScriptModel:
    project = "tv-script"

    def __init__(self, network: lm.LSTMLanguageModel, vocab: Vocabulary, config: TvScriptConfig):
        self.network, self.vocab, self.config = network, vocab, config
        self.default_prime = CORPORA[config.corpus].default_prime

    def prime_tokens(self, prime: str) -> list[str]:
        """The prime as vocabulary tokens. A script starts with a speaker, so a leading name
        ("moe_szyslak") becomes its speaker token ("moe_szyslak:"), as in the course; unknown
        words become <unk>, with a warning (an ``InputNote``)."""
        tokens, unknown = [], []
        for position, token in enumerate(tokenize(prime or self.default_prime)):
            if position == 0 and token + ":" in self.vocab:
                token += ":"
            elif token not in self.vocab:
                unknown.append(token)
                token = UNKNOWN
            tokens.append(token)
        lm.warn_unknown(unknown, f"words (read as {UNKNOWN})")
        return tokens

    def generate(self, prime: str = "", length: int = 200, temperature: float = 0.8,
                 top_k: int | None = None, seed: int = 0) -> str:
        """The prime followed by ``length`` sampled tokens, as script text (never <unk>)."""
        return "".join(self.stream(prime, length, temperature, top_k, seed))

    def stream(self, prime: str = "", length: int = 200, temperature: float = 0.8,
               top_k: int | None = None, seed: int = 0) -> Iterator[str]:
        """The text of :meth:`generate` in pieces as it is sampled: the prime, then one token
        at a time (with the space before it). The prime is checked (and warned about) at the
        call."""
        tokens = self.prime_tokens(prime)
        ids = lm.sample_stream(self.network, list(self.vocab.encode(tokens)), length,
                               temperature, top_k, seed, banned=self.vocab.index[UNKNOWN])
        return self._pieces(tokens, ids)

    def _pieces(self, prime: list[str], ids: Iterator[int]) -> Iterator[str]:
        text = Detokenizer()
        yield "".join(text.add(token) for token in prime)
        for token in ids:
            yield text.add(self.vocab.decode([token])[0])
