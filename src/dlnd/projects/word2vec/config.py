"""Settings of word2vec (skip-gram / CBOW with negative sampling)."""

from dataclasses import dataclass
from pathlib import Path

from dlnd.core.config import MAX_EPOCHS, MAX_THREADS, MAX_UNITS, BaseConfig, check_memory, param
from dlnd.core.errors import ConfigError

NAMED_CORPORA = ("imdb", "enwiki", "text8")  # data.NAMED (not imported: configs stay light)
MAX_WORDS = 2_000_000_000  # tokens to read: text8 has 17M, the largest corpus here ~12M


@dataclass
class Word2VecConfig(BaseConfig):
    corpus: str = param(
        "imdb+enwiki", "imdb (the 50,000 IMDB reviews, ~11.6M words), enwiki (the shortened "
        "English Wikipedia in text8 style, 0.5M words), text8 (downloaded when online), several "
        "joined with '+', or the path of any plain-text file (one document per line)")
    max_words: int = param(0, "read only the first N tokens of the corpus (0 = all): for quick "
                           "runs and tests", min=0, max=MAX_WORDS)
    model: str = param("skipgram", "skipgram (a word predicts its neighbours; better analogies) "
                       "or cbow (the mean of the neighbours predicts the word; faster)",
                       choices=("skipgram", "cbow"))
    dim: int = param(100, "vector size, as in the gensim comparison", min=1, max=MAX_UNITS)
    window: int = param(5, "context words each side at most; each centre word draws its own "
                        "reach 1..window (word2vec.c's dynamic window)", min=1, max=100)
    negative: int = param(5, "negative words drawn from the unigram^0.75 table per positive",
                          min=1, max=100)
    min_count: int = param(5, "words seen fewer times are dropped before training (at most "
                           "1,000,000: above, even text8's commonest words would go)", min=1,
                           max=1_000_000)
    sample: float = param(1e-3, "subsampling threshold t: a word of frequency f is kept with "
                          "probability (sqrt(f/t) + 1) t/f (0 = keep all)", min=0, max=1)
    epochs: int = param(5, "passes over the corpus", min=1, max=MAX_EPOCHS)
    lr: float = param(0.0, "starting step size, falling linearly to lr/10,000 over all epochs "
                      "as in word2vec.c; 0 = word2vec.c's default (0.025 skip-gram, 0.05 "
                      "CBOW; sparse_adam: 0.001)", min=0)
    optimizer: str = param(
        "sgd", "sgd (word2vec.c's update by hand, sparse rows only, linear decay) or "
        "sparse_adam (autograd on sparse embeddings + torch.optim.SparseAdam; measured slower "
        "here, see README)", choices=("sgd", "sparse_adam"))
    batch_size: int = param(256, "centre words per step (each with up to 2 window contexts "
                            "and its negatives): large batches amortise the per-step overhead, "
                            "small ones are closer to word2vec.c's word-by-word updates (1024 "
                            "diverged on the Wikipedia text: a frequent word's hundreds of "
                            "summed updates overshoot)", min=1, max=1_000_000)
    table_size: int = param(10_000_000, "entries of the negative-sampling table (word2vec.c: "
                            "1e8; 1e7 gives every word of count >= 5 its share to within 1e-7)",
                            min=1_000, max=1_000_000_000)
    threads: int = param(
        2, "CPU worker threads (Hogwild, as word2vec.c and gensim), one torch thread each; 1 "
        "trains reproducibly (same seed, same vectors), 2+ do not; 0 = one worker on torch's "
        "own threads (10x slower than 1 on a busy 2-core machine). The gensim comparison uses "
        "2 for both", min=0, max=MAX_THREADS)
    probes: str = param("king,queen,man,film,good,bad,paris,france,three,computer,music,war",
                        "words whose nearest neighbours are printed and logged each epoch "
                        "(those in the vocabulary)")
    projector_words: int = param(10_000, "most frequent words exported for TensorBoard's "
                                 "projector (tensor + metadata.tsv)", min=1, max=1_000_000)
    pca_words: int = param(500, "most frequent words drawn, labelled, on the first two "
                           "principal components (pca.png)", min=2, max=5_000)

    def check(self) -> None:
        super().check()
        parts = self.corpus.split("+")
        if not all(p in NAMED_CORPORA for p in parts) and \
                not Path(self.corpus).expanduser().is_file():
            raise ConfigError(f"corpus must be one of {', '.join(NAMED_CORPORA)} (several "
                              f"joined with '+') or a plain-text file; {self.corpus!r} is "
                              f"neither")
        # two tables of vocab x dim; the vocabulary is not known yet: 2M words bounds it
        check_memory("dim", 2 * 2_000_000 * self.dim, copies=1 if self.optimizer == "sgd" else 3)
