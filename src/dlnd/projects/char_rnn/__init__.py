"""Anna KaRNNa: a character-level LSTM language model on Tolstoy's Anna Karenina (PyTorch)."""

from dlnd.core.project import Project
from dlnd.core.runs import Criterion
from dlnd.projects.char_rnn.config import CharRnnConfig

PROJECT = Project(
    name="char-rnn",
    teaches="Character RNN: an LSTM language model, truncated BPTT, sampling with temperature",
    engine="torch",
    config=CharRnnConfig,
    module="dlnd.projects.char_rnn.train",
    data=(("anna", "anna.txt"),),
    target_text="validation loss <= 1.30 nats/char on the held-out tail of anna.txt (course: "
                "2x512 LSTM, 20 epochs, 1.295)",
    target=(Criterion("val_loss", "<=", 1.30),),
    primary_metric="val_loss",
    epoch_metrics=("train/loss", "train/lr", "val/loss", "val/ppl"),
    sweep_metric="val/loss",
    offers=("generate",),
    # 2 epochs of a 64-unit LSTM ended at 2.68 nats/char (letter soup); 4 epochs of 128 units
    # at a larger step reach ~1.87 in ~9 s, and the samples start to spell words
    quick={"max_chars": 150_000, "lstm_size": 128, "num_layers": 1, "embedding_dim": 16,
           "batch_size": 32, "seq_len": 50, "epochs": 4, "lr": 1e-2, "threads": 1},
    order=30,
)
