"""Sentiment: our models against the scikit-learn peer, on the same splits, in one process.

    DLND_DATA_DIR=../shared/data python bench/sentiment.py

One JSON line per (model, split). ``train_s`` is everything from raw review text to a fitted
model (tokenising, vocabulary, fitting; the files are already read for scikit-learn, read inside
the timing for ours) and ``train_per_s`` is training reviews / ``train_s``; ``predict_per_s``
goes from raw text (or tokens, for ours) to predictions. The network also reports
``loop_per_s``: reviews per second of its training loop alone (the lesson's speed measure).
"""

import json
import tempfile
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

import dlnd
from dlnd.shared import text


def sklearn_peer(split, train_texts, train_labels, test_texts, test_labels):
    """The first thing a practitioner would try: tf-idf of words and word pairs + LR."""
    start = time.perf_counter()
    vectorizer = TfidfVectorizer(ngram_range=(1, 2))
    classifier = LogisticRegression(max_iter=1000)
    classifier.fit(vectorizer.fit_transform(train_texts), train_labels)
    train_s = time.perf_counter() - start
    start = time.perf_counter()
    predicted = classifier.predict(vectorizer.transform(test_texts))
    predict_s = time.perf_counter() - start
    return {"model": "sklearn-tfidf-lr", "split": split,
            "accuracy": round(float(np.mean(predicted == test_labels)), 4),
            "train_s": round(train_s, 2), "train_per_s": round(len(train_texts) / train_s),
            "predict_per_s": round(len(test_texts) / predict_s)}


def ours(project, split, out):
    metrics = dlnd.run(project, out=out, verbose=False)["metrics"]
    row = {"model": project, "split": split, "accuracy": round(metrics["test_acc"], 4),
           "train_s": round(metrics["train_s"], 2),
           "train_per_s": round(metrics["train_reviews"] / metrics["train_s"]),
           "predict_per_s": round(metrics["predict_per_s"])}
    if project == "sentiment-network":
        row["loop_per_s"] = round(metrics["train_per_s"])
    return row


imdb_train, imdb_train_labels = text.read_imdb("train")
imdb_test, imdb_test_labels = text.read_imdb("test")
course_reviews, course_labels = text.read_course_reviews()
course = (course_reviews[:24000], course_labels[:24000], course_reviews[-1000:],
          course_labels[-1000:])

with tempfile.TemporaryDirectory() as out:
    for row in (sklearn_peer("25k/25k", imdb_train, imdb_train_labels, imdb_test,
                             imdb_test_labels),
                ours("sentiment-ngrams", "25k/25k", out),
                sklearn_peer("course", *course),
                ours("sentiment-network", "course", out)):
        print(json.dumps(row), flush=True)
