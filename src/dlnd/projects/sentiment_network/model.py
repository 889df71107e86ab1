"""Andrew Trask's sentiment network, forward and backward written out in NumPy.

Inputs are word presence (1 if the review contains the feature), one linear hidden layer, one
sigmoid output, squared error on the probability, as in the lesson:

    h = x @ W1                   (batch, hidden)   no activation: the hidden layer is linear
    p = sigmoid(h @ W2)          (batch, 1)
    loss = (p - label)^2 / 2

Speed-up 1 (``sparse=True``): ``x`` is 0/1, so ``x @ W1`` is the sum of the rows of ``W1`` of the
features present, and the gradient of ``W1`` touches only those rows. The dense path multiplies
the full one-hot vectors and gives the same numbers, only slower.
"""

from __future__ import annotations

import numpy as np

from dlnd.shared.text import Encoded


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


class SentimentNetwork:
    def __init__(self, n_inputs: int, n_hidden: int, rng: np.random.Generator):
        # As in the lesson: input weights start at zero (every review starts at p = 0.5), output
        # weights with std 1/sqrt(hidden) so the hidden units start out different.
        # float32: the input weights are the bulk of the work, and half the bytes is twice the
        # rows per cache line.
        self.w_input_hidden = np.zeros((n_inputs, n_hidden), dtype=np.float32)
        self.w_hidden_output = rng.normal(0.0, n_hidden ** -0.5, (n_hidden, 1)).astype(np.float32)

    def hidden(self, batch: Encoded, sparse: bool = True) -> np.ndarray:
        if not sparse:
            return self.one_hot(batch) @ self.w_input_hidden
        # Sum the rows of the present features, review by review; a review without known
        # features has an all-zero hidden layer (reduceat cannot express empty segments).
        hidden = np.zeros((len(batch), self.w_input_hidden.shape[1]), dtype=np.float32)
        nonempty = np.diff(batch.offsets) > 0
        if nonempty.any():
            hidden[nonempty] = np.add.reduceat(self.w_input_hidden[batch.ids],
                                               batch.offsets[:-1][nonempty])
        return hidden

    def one_hot(self, batch: Encoded) -> np.ndarray:
        x = np.zeros((len(batch), len(self.w_input_hidden)), dtype=np.float32)
        x[np.repeat(np.arange(len(batch)), np.diff(batch.offsets)), batch.ids] = 1.0
        return x

    def run(self, batch: Encoded, sparse: bool = True) -> np.ndarray:
        """P(positive) for each review of the batch."""
        with np.errstate(over="ignore"):  # exp(-z) of a very negative z: inf, and p = 0 is right
            return sigmoid(self.hidden(batch, sparse) @ self.w_hidden_output)[:, 0]

    def train_step(self, batch: Encoded, labels: np.ndarray, lr: float,
                   sparse: bool = True) -> float:
        """One step: each review's gradient at the current weights, scaled by ``lr``, summed
        (with one review per batch this is the lesson's per-review SGD). Returns the loss."""
        hidden = self.hidden(batch, sparse)
        p = sigmoid(hidden @ self.w_hidden_output)[:, 0]
        error = p - labels.astype(np.float32)
        grad_out = (error * p * (1.0 - p))[:, None]  # through the sigmoid
        grad_hidden = grad_out @ self.w_hidden_output.T  # the hidden layer is linear
        self.w_hidden_output -= np.float32(lr) * hidden.T @ grad_out
        if sparse:
            step = np.float32(lr) * grad_hidden
            for i in range(len(batch)):  # a review's features are distinct: no repeated rows
                self.w_input_hidden[batch.row(i)] -= step[i]
        else:
            self.w_input_hidden -= np.float32(lr) * self.one_hot(batch).T @ grad_hidden
        return float(np.mean(error ** 2) / 2)

    def state_dict(self) -> dict[str, np.ndarray]:
        return {"w_input_hidden": self.w_input_hidden.copy(),
                "w_hidden_output": self.w_hidden_output.copy()}

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        self.w_input_hidden = state["w_input_hidden"].copy()
        self.w_hidden_output = state["w_hidden_output"].copy()
