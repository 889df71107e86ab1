"""The course's first seq2seq example: a GRU encoder-decoder with attention learns to sort the
letters of a word (``letters_source.txt`` -> ``letters_target.txt``), PyTorch."""

from dlnd.core.project import Project
from dlnd.core.runs import Criterion
from dlnd.projects.seq2seq_letters.config import LettersConfig

PROJECT = Project(
    name="seq2seq-letters",
    teaches="Sequence to sequence: a GRU encoder-decoder with attention sorts a word's letters",
    engine="torch",
    config=LettersConfig,
    module="dlnd.projects.seq2seq_letters.train",
    data=(("letters", "letters_source.txt"), ("letters", "letters_target.txt")),
    target_text="exact-sequence accuracy >= 99.5% on a held-out 10% of the 10,000 words, in "
                "<= 2 minutes on a 2-core CPU",
    target=(Criterion("test_exact_acc", ">=", 0.995),),
    primary_metric="test_exact_acc",
    epoch_metrics=("train/loss", "val/loss", "val/exact_acc"),
    sweep_metric="val/exact_acc",
    direction="maximize",
    offers=("predict",),
    # 2,000 words, a 32-unit model, 3 epochs: a few seconds; it learns to copy letters (no
    # whole word right yet), which is all a quick run has to show
    quick={"words": 2000, "epochs": 3, "hidden_size": 32, "embedding_dim": 16, "threads": 1},
    order=32,
)
