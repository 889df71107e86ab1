"""Settings of char-rnn (Anna KaRNNa)."""

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

VOCAB_ESTIMATE = 128  # characters in the vocabulary, rounded up (anna.txt has 83)


@dataclass
class CharRnnConfig(BaseConfig):
    lstm_size: int = param(
        384, "LSTM units per layer; the course's 512 learns more per epoch but each step costs "
        "~1.7x as much on a CPU (2 threads: 12k characters/s at 384, 7.5k at 512), so 384 "
        "sees more text and reaches a lower loss within 30 CPU minutes", min=1, max=MAX_UNITS)
    num_layers: int = param(2, "stacked LSTM layers, as in the course", min=1, max=MAX_LAYERS)
    embedding_dim: int = param(
        64, "size of the learnt character vector (the course fed one-hot vectors; a learnt "
        "embedding is the same map, cheaper)", min=1, max=MAX_UNITS)
    dropout: float = param(0.2, "dropout between LSTM layers and before the output; the "
                           "course's 0.5 slows learning and this model is far from "
                           "overfitting within 30 minutes", min=0, max=0.9)
    batch_size: int = param(64, "parallel character streams per Adam step", min=1,
                            max=MAX_BATCH)
    seq_len: int = param(100, "characters per truncated-BPTT window, as in the course (at "
                         "most 100,000: more is a typo)", min=1, max=100_000)
    lr: float = param(3e-3, "Adam step size (the course used 1e-3; a short CPU budget "
                      "favours larger steps)", gt=0)
    lr_schedule: str = param(
        "cosine", "constant, or cosine: the step size falls from lr to 0 over the planned "
        "epochs; the last, small steps lower the validation loss by a few hundredths",
        choices=("constant", "cosine"))
    clip: float = param(5.0, "gradient-norm clipping, against exploding recurrent gradients "
                        "(the course's value)", gt=0)
    epochs: int = param(11, "passes over the training text (~1.8M characters); 11 epochs of "
                        "the default model take ~27 minutes on 2 fast CPU threads, inside the "
                        "30-minute budget; on slower ones the budget ends the run first (~7 "
                        "epochs: README's time table)", min=1, max=MAX_EPOCHS)
    time_budget_s: float = param(
        1800.0, "stop training after this many seconds (wall time, resumed time included) and "
        "keep the best epoch; 0 = no budget", min=0, max=MAX_BUDGET_S)
    val_fraction: float = param(0.1, "the tail of the text held out for validation", gt=0,
                                max=0.5)
    max_chars: int = param(0, "use only the first N characters of anna.txt (0 = all): for "
                           "quick runs and tests", min=0, max=MAX_CHARS)
    threads: int = param(0, "torch CPU threads (0 = torch's default); benchmarks pass 1 so "
                         "that two runs share a 2-core machine fairly", min=0,
                         max=MAX_THREADS)

    def check(self) -> None:
        super().check()
        h, layers = self.lstm_size, self.num_layers
        tokens = self.batch_size * self.seq_len  # each keeps ~8 floats per unit and layer
        check_memory("lstm_size, num_layers, embedding_dim, batch_size or seq_len",
                     VOCAB_ESTIMATE * self.embedding_dim
                     + lstm_parameters(self.embedding_dim, h, layers) + (h + 1) * VOCAB_ESTIMATE,
                     activations=tokens * (8 * h * layers + self.embedding_dim + VOCAB_ESTIMATE))
