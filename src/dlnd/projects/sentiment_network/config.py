"""Settings of the sentiment-network lesson (Andrew Trask's network, NumPy)."""

from dataclasses import dataclass

from dlnd.core.config import MAX_EPOCHS, BaseConfig, param


@dataclass
class SentimentNetworkConfig(BaseConfig):
    hidden_nodes: int = param(
        10, "linear hidden units, as in the lesson; the model stays linear in the inputs, so "
        "more units add little (at most 1,000: the input weights are features x units)",
        min=1, max=1_000)
    epochs: int = param(
        3, "passes over the training reviews; the lesson made one (words only); with word "
        "pairs a second and third pass gain about 0.5 points", min=1, max=MAX_EPOCHS)
    batch_size: int = param(
        64, "reviews whose gradients are taken at the same weights, then applied together "
        "(fewer, larger NumPy calls); 1 is the lesson's per-review SGD (at most 25,000, all "
        "the reviews)", min=1, max=25_000)
    lr: float = param(
        0.03, "step size per review (gradients of a batch are summed, not averaged), decaying "
        "linearly to 0 over the epochs; the lesson's 0.1 suits a single pass", gt=0)
    sparse_inputs: bool = param(
        True, "speed-up 1: sum the weight rows of the words present instead of multiplying the "
        "full one-hot vector (identical results; off shows how slow the lesson started)")
    bigrams: bool = param(
        True, "add adjacent word pairs ('not good', 'worst film') to the inputs: +1.5-2 points "
        "over words alone; off reproduces the lesson's words-only network")
    min_count: int = param(
        2, "speed-up 2: keep words and pairs seen at least this often in training; the lesson "
        "used 20 (words only); pairs seen once cannot generalise (at most 1,000,000: more than "
        "the commonest word's count)", min=1, max=1_000_000)
    polarity_cutoff: float = param(
        0.0, "speed-up 2: drop features whose |log(pos/neg ratio)| is below this (neutral words "
        "like 'the'); the lesson tried 0.05 and 0.8", min=0)
    train_reviews: int = param(24000, "the first reviews of reviews.txt, used to train "
                               "(at most the 25,000 reviews of the set)", min=1, max=25_000)
    test_reviews: int = param(1000, "the last reviews of reviews.txt, held out to test "
                              "(at most the 25,000 reviews of the set)", min=1, max=25_000)
