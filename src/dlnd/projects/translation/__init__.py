"""Project 4: English -> French translation with an LSTM (or GRU) encoder-decoder and
attention (or ``torch.nn.Transformer``), PyTorch, on the course's small-vocabulary corpus."""

from dlnd.core.project import Project
from dlnd.core.runs import Criterion
from dlnd.projects.translation.config import TranslationConfig

PROJECT = Project(
    name="translation",
    teaches="Translation: encoder-decoder with attention, teacher forcing, greedy and beam "
            "search, BLEU",
    engine="torch",
    config=TranslationConfig,
    module="dlnd.projects.translation.train",
    data=(("translation", "small_vocab_en"), ("translation", "small_vocab_fr")),
    target_text="on a held-out 10% of the pairs: token accuracy >= 98% (padding not counted), "
                ">= 90% exact sentences, BLEU >= 90, in <= 10 minutes on a 2-core CPU (course: "
                "90% accuracy with padding counted)",
    target=(Criterion("test_token_acc", ">=", 0.98), Criterion("test_exact_acc", ">=", 0.90),
            Criterion("test_bleu", ">=", 90.0)),
    primary_metric="test_bleu",
    epoch_metrics=("train/loss", "val/loss", "val/token_acc", "val/exact_acc"),
    sweep_metric="val/token_acc",
    direction="maximize",
    offers=("predict",),
    # 3,000 pairs, a 64-unit model, 2 epochs: a few seconds; it learns the frequent words and
    # the sentence frame, not whole sentences
    quick={"pairs": 2000, "epochs": 2, "hidden_size": 64, "embedding_dim": 32,
           "batch_size": 64, "val_pairs": 100, "beam_test_pairs": 10, "lr": 1e-2,
           "threads": 1},
    order=33,
)
