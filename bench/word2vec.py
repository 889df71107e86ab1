"""word2vec side by side with gensim: the same corpus file, the same hyperparameters (dim 100,
window 5, negative 5, min_count 5, sample 1e-3, 5 epochs, skip-gram, 2 threads), one JSON line
per model: {"model", "corpus", "words", "analogy_acc", "words_per_s", "wall_s"}.

The corpus is tokenised once, by dlnd's tokeniser, into a plain-text file (one document per
line); gensim reads it with ``LineSentence`` and dlnd with ``corpus=<that file>``, so both see
exactly the same tokens. ``wall_s`` covers the same work for both: reading the file, building
the vocabulary and training (gensim's ``Word2Vec(...)`` call; dlnd's ``vocab_s + train_s``,
i.e. without its per-epoch analogy test, checkpoints and exports, which the full run's wall time
also holds and which are printed to stderr). ``words_per_s`` = words x epochs / wall_s.
Both are scored by the same analogy test (gensim's ``evaluate_word_analogies``, 30,000 most
frequent words); dlnd's own evaluation of its vectors is printed to stderr as a cross-check.
``--rounds 2`` runs gensim, dlnd, dlnd, gensim so that neither always runs first.

    DLND_DATA_DIR=../shared/data flock /tmp/dlnd-bench.lock nice -n 5 \\
        .venv/bin/python bench/word2vec.py [--corpus imdb+enwiki] [--rounds 1]
"""

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

import dlnd
from dlnd.core import datasets
from dlnd.projects.word2vec import data as w2v_data

SETTINGS = {"dim": 100, "window": 5, "negative": 5, "min_count": 5, "sample": 1e-3,
            "epochs": 5}
THREADS = 2
ANALOGY_VOCAB = 30_000


def corpus_file(corpus: str, folder: Path) -> tuple[Path, int]:
    """``corpus`` tokenised by dlnd into ``folder``, one document per line; and its words."""
    path = folder / (corpus.replace("+", "_").replace("/", "_") + ".txt")
    words = 0
    with open(path, "w") as fh:
        for tokens in w2v_data.documents(corpus):
            if tokens:
                fh.write(" ".join(tokens) + "\n")
                words += len(tokens)
    return path, words


def run_gensim(path: Path, questions: Path) -> dict:
    from gensim.models import Word2Vec
    from gensim.models.word2vec import LineSentence

    tick = time.perf_counter()
    model = Word2Vec(LineSentence(str(path)), vector_size=SETTINGS["dim"],
                     window=SETTINGS["window"], negative=SETTINGS["negative"],
                     min_count=SETTINGS["min_count"], sample=SETTINGS["sample"],
                     epochs=SETTINGS["epochs"], sg=1, hs=0, workers=THREADS, seed=0)
    wall = time.perf_counter() - tick
    score, _ = model.wv.evaluate_word_analogies(str(questions), restrict_vocab=ANALOGY_VOCAB)
    return {"analogy_acc": score, "wall_s": wall}


def run_dlnd(path: Path, questions: Path, out: Path) -> dict:
    from gensim.models import KeyedVectors

    summary = dlnd.run("word2vec", out=out, verbose=False, corpus=str(path), model="skipgram",
                       threads=THREADS, **SETTINGS)
    m = summary["metrics"]
    wv = KeyedVectors.load_word2vec_format(str(Path(summary["run_dir"]) / "vectors.txt"))
    score, _ = wv.evaluate_word_analogies(str(questions), restrict_vocab=ANALOGY_VOCAB)
    print(f"dlnd: own analogy test {m['analogy_acc']:.4f} (gensim's on our vectors {score:.4f});"
          f" vocab {m['vocab_s']:.1f} s + training {m['train_s']:.1f} s; whole run with "
          f"evaluations and exports {summary['wall_s']:.1f} s ({summary['run_dir']})",
          file=sys.stderr, flush=True)
    return {"analogy_acc": score, "wall_s": m["vocab_s"] + m["train_s"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="imdb+enwiki",
                        help="a word2vec corpus setting (imdb, enwiki, text8, joined by '+')")
    parser.add_argument("--rounds", type=int, default=1, help="gensim/dlnd pairs, alternating "
                        "which goes first")
    parser.add_argument("--only", choices=("gensim", "dlnd"), help="run one model only")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    questions = datasets.path(*w2v_data.QUESTIONS)
    with tempfile.TemporaryDirectory(prefix="dlnd-w2v-bench-") as tmp:
        folder = Path(tmp)
        path, words = corpus_file(args.corpus, folder)
        order = []
        for r in range(args.rounds):
            pair = ["gensim", "dlnd"] if r % 2 == 0 else ["dlnd", "gensim"]
            order += [m for m in pair if args.only in (None, m)]
        for name in order:
            result = run_gensim(path, questions) if name == "gensim" else \
                run_dlnd(path, questions, folder / "runs")
            print(json.dumps({"model": name, "corpus": args.corpus, "words": words,
                              "analogy_acc": round(result["analogy_acc"], 4),
                              "words_per_s": round(words * SETTINGS["epochs"]
                                                   / result["wall_s"]),
                              "wall_s": round(result["wall_s"], 1)}), flush=True)


if __name__ == "__main__":
    main()
