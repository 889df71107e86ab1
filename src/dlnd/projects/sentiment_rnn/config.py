"""Settings of the sentiment RNN (embedding + recurrent layer + sigmoid output, PyTorch)."""

from dataclasses import dataclass

from dlnd.config import BaseConfig, param


@dataclass
class SentimentRnnConfig(BaseConfig):
    cell: str = param("lstm", "recurrent cell, as in the course; gru is the lighter "
                      "alternative (similar speed on CPU here)", choices=("gru", "lstm"))
    vocab_size: int = param(
        30000, "most frequent training words kept, counting the ids 0 = padding and "
        "1 = unknown word", min=10)
    embedding_dim: int = param(64, "size of each learnt word vector", min=1)
    hidden_size: int = param(128, "recurrent units per direction", min=1)
    bidirectional: bool = param(False, "also read each review backwards: about 2.5x the time "
                                "per epoch on CPU, so off within the 15-minute budget")
    max_len: int = param(
        400, "keep the last this many tokens of a review (verdicts come at the end); the "
        "time per epoch grows with it", min=1)
    dropout: float = param(0.3, "dropout on the pooled review vector", min=0, max=0.9)
    epochs: int = param(3, "passes over the 24,000 training reviews (1-3 min each on 2 shared "
                        "cores); in a 6-epoch run validation accuracy peaked at epoch 3, then "
                        "the LSTM overfits; the best epoch is kept", min=1)
    batch_size: int = param(64, "reviews per Adam step, batched by similar length", min=1)
    lr: float = param(2e-3, "Adam step size", gt=0)
    clip: float = param(5.0, "gradient norm clipping, against exploding recurrent gradients",
                        gt=0)
    val_reviews: int = param(1000, "training reviews held out (seeded) to pick the best epoch",
                             min=1)
    train_reviews: int | None = param(
        None, "use only this many training reviews (seeded subset); None = all", min=2)
    test_reviews: int | None = param(
        None, "use only this many test reviews (seeded subset); None = all 25,000", min=1)

    def check(self) -> None:
        super().check()
        from dlnd.errors import ConfigError

        if self.train_reviews is not None and self.val_reviews >= self.train_reviews:
            raise ConfigError(f"val_reviews ({self.val_reviews}) must be smaller than "
                              f"train_reviews ({self.train_reviews})")
