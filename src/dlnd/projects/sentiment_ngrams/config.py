"""Settings of sentiment-ngrams: NBSVM-style logistic regression on word 1-3-grams."""

from dataclasses import dataclass

from dlnd.core.config import MAX_EPOCHS, BaseConfig, param


@dataclass
class SentimentNgramsConfig(BaseConfig):
    max_n: int = param(
        3, "longest word n-gram used as a feature: 1 words, 2 adds pairs, 3 adds triples "
        "(IMDB test: 88.9, 91.5, 91.8 percent)", min=1, max=4)
    min_count: int = param(
        2, "keep words and n-grams seen at least this often in training: singletons cannot "
        "generalise and would double the features (at most 1,000,000: more than the commonest "
        "word's count)", min=1, max=1_000_000)
    nb_alpha: float = param(
        1.0, "smoothing added to the positive and negative feature counts of the Naive Bayes "
        "log-count ratio that scales each feature (Wang & Manning 2012 used 1)", gt=0)
    l2: float = param(
        3e-4, "L2 penalty 0.5*l2*|w|^2 added to the mean log-loss; 1e-5..3e-4 all gave "
        "91.7-91.8 percent on IMDB test", min=0)
    epochs: int = param(
        2, "rounds of L-BFGS on the full training set (a checkpoint after each); the fit "
        "converges in about 50 iterations", min=1, max=MAX_EPOCHS)
    iterations: int = param(25, "L-BFGS iterations per round (at most 100,000: the fit "
                            "converges in about 50)", min=1, max=100_000)
    train_reviews: int | None = param(
        None, "use only this many training reviews (a seeded random subset); None = all 25,000",
        min=1, max=25_000)
    test_reviews: int | None = param(
        None, "use only this many test reviews (a seeded random subset); None = all 25,000", min=1,
        max=25_000)
