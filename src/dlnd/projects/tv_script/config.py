"""Settings of tv-script (Project 3)."""

from dataclasses import dataclass

from dlnd.core.config import (
    MAX_BATCH,
    MAX_BUDGET_S,
    MAX_CHARS,
    MAX_EPOCHS,
    MAX_LAYERS,
    MAX_THREADS,
    MAX_UNITS,
    BaseConfig,
    check_memory,
    lstm_parameters,
    param,
)

# words in each corpus with min_count 1 (an upper bound of the vocabulary), for the memory check
VOCAB_ESTIMATE = {"simpsons": 6_779, "seinfeld": 22_554}


@dataclass
class TvScriptConfig(BaseConfig):
    corpus: str = param("simpsons", "simpsons: Moe's Tavern lines (the 2017 course, ~69k "
                        "tokens); seinfeld: the later course's scripts (~1M tokens)",
                        choices=("simpsons", "seinfeld"))
    lstm_size: int = param(256, "LSTM units per layer; the output layer over the vocabulary, "
                           "not the LSTM, dominates the CPU time", min=1, max=MAX_UNITS)
    num_layers: int = param(1, "stacked LSTM layers; a second one did not lower validation "
                            "loss on these small corpora", min=1, max=MAX_LAYERS)
    embedding_dim: int = param(128, "size of each learnt word vector", min=1, max=MAX_UNITS)
    softmax_cutoffs: tuple[int, ...] = param(
        (2000, 6000), "adaptive softmax: the 2000 commonest words get full output rows, rarer "
        "ones share two clusters (cutoffs beyond the vocabulary are ignored; empty = a full "
        "softmax, ~3x slower on Seinfeld's 11k words)", min=1,
        max=1_000_000)  # far beyond either corpus's vocabulary (22,554 words at most)
    dropout: float = param(0.1, "dropout between LSTM layers and before the output layer; "
                           "more slows the fall of the training loss the course judges by, "
                           "and the best-validation epoch is kept anyway", min=0, max=0.9)
    batch_size: int = param(16, "parallel token streams per Adam step: small batches give "
                            "the ~70k-token Simpsons corpus more steps per epoch", min=1,
                            max=MAX_BATCH)
    seq_len: int = param(32, "tokens per truncated-BPTT window (a script line is ~15 "
                         "tokens; at most 100,000: more is a typo)", min=1, max=100_000)
    lr: float = param(5e-3, "Adam step size; 2e-3 learns about half as fast per epoch here",
                      gt=0)
    clip: float = param(5.0, "gradient-norm clipping, against exploding recurrent gradients",
                        gt=0)
    epochs: int = param(40, "passes over the training scenes; the time budget may end "
                        "training first (Seinfeld: ~5 min per epoch on one CPU thread)", min=1,
                        max=MAX_EPOCHS)
    time_budget_s: float = param(
        1800.0, "stop training after this many seconds (wall time, resumed time included) and "
        "keep the best epoch; 0 = no budget", min=0, max=MAX_BUDGET_S)
    min_count: int = param(2, "words seen fewer times in training become <unk>, so the model "
                           "learns what an unseen word looks like (at most 1,000,000: "
                           "Seinfeld's commonest token occurs 109,232 times)", min=1,
                           max=1_000_000)
    val_fraction: float = param(0.1, "share of the scenes held out (seeded, fixed) for "
                                "validation perplexity and picking the best epoch", gt=0,
                                max=0.5)
    max_chars: int = param(0, "use only the first N characters of the script file (0 = all): "
                           "for quick runs and tests", min=0, max=MAX_CHARS)
    threads: int = param(0, "torch CPU threads (0 = torch's default); benchmarks pass 1 so "
                         "that two runs share a 2-core machine fairly", min=0,
                         max=MAX_THREADS)

    def check(self) -> None:
        super().check()
        h, layers, vocab = self.lstm_size, self.num_layers, VOCAB_ESTIMATE[self.corpus]
        tokens = self.batch_size * self.seq_len  # each keeps ~8 floats per unit and layer
        check_memory("lstm_size, num_layers, embedding_dim, batch_size or seq_len",
                     vocab * self.embedding_dim + lstm_parameters(self.embedding_dim, h, layers)
                     + (h + 1) * vocab,
                     activations=tokens * (8 * h * layers + self.embedding_dim + vocab))
