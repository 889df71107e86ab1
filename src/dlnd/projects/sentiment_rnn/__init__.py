"""Project: sentiment analysis with a recurrent network (embedding + GRU/LSTM, PyTorch)."""

from dlnd.core.project import Project
from dlnd.core.runs import Criterion
from dlnd.projects.sentiment_rnn.config import SentimentRnnConfig

PROJECT = Project(
    name="sentiment-rnn",
    teaches="Sentiment RNN: word embeddings, a GRU/LSTM over padded and packed sequences",
    engine="torch",
    config=SentimentRnnConfig,
    module="dlnd.projects.sentiment_rnn.train",
    data=(("imdb", "aclImdb_v1_train.jsonl.gz"), ("imdb", "aclImdb_v1_test.jsonl.gz")),
    target_text="test accuracy >= 89% on IMDB 25k/25k (course TensorFlow version: 83.0%)",
    target=(Criterion("test_acc", ">=", 0.89),),
    primary_metric="test_acc",
    epoch_metrics=("train/loss", "val/loss", "val/acc"),
    offers=("predict",),
    quick={"train_reviews": 600, "val_reviews": 100, "test_reviews": 300, "epochs": 2,
           "max_len": 100, "vocab_size": 2000},
    order=22,
)
