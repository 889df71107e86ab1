"""Andrew Trask's sentiment network, forward and backward written out in NumPy.

Inputs are word presence (1 if the review contains the feature), one linear hidden layer, one
sigmoid output, squared error on the probability, as in the lesson:

    h = x @ W1                   (batch, hidden)   no activation: the hidden layer is linear
    p = sigmoid(h @ W2)          (batch, 1)
    loss = (p - label)^2 / 2

Speed-up 1 (``sparse=True``): ``x`` is 0/1, so ``x @ W1`` is the sum of the rows of ``W1`` of the
features present, and the gradient of ``W1`` touches only those rows. A batch is kept as a
:class:`Presence`: the distinct features its reviews contain and a sparse 0/1 matrix (reviews x
those features), so the forward pass is one sparse product with the rows present and the update
one sparse product written back to them (a word in several reviews of the batch gets their
summed gradient). The dense path multiplies the full one-hot vectors and gives the same numbers,
only slower.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse

from dlnd.shared.text import Encoded


@dataclass
class Presence:
    """A batch of reviews as ``matrix`` (reviews x ``features``, CSR, 1 where the review contains
    the feature) over only the distinct ``features`` they contain, and ``matrix_t``, its
    transpose for the backward pass. Building it costs a sort; the training batches are the same
    every epoch, so they are built once, before the loop."""

    features: np.ndarray  # the distinct feature ids, sorted
    matrix: scipy.sparse.csr_matrix
    matrix_t: scipy.sparse.csr_matrix

    @classmethod
    def of(cls, batch: Encoded | Presence) -> Presence:
        """``batch`` as a Presence (one already built is returned as it is)."""
        if isinstance(batch, Presence):
            return batch
        features, column = np.unique(batch.ids, return_inverse=True)
        matrix = scipy.sparse.csr_matrix(
            (np.ones(len(column), dtype=np.float32), column, batch.offsets),
            shape=(len(batch), len(features)))
        return cls(features, matrix, matrix.T.tocsr())


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

    def hidden(self, batch: Encoded | Presence, sparse: bool = True) -> np.ndarray:
        """The hidden layer; the dense path (``sparse=False``) takes an Encoded batch."""
        if not sparse:
            return self.one_hot(batch) @ self.w_input_hidden
        presence = Presence.of(batch)
        return presence.matrix @ self.w_input_hidden[presence.features]

    def one_hot(self, batch: Encoded) -> np.ndarray:
        x = np.zeros((len(batch), len(self.w_input_hidden)), dtype=np.float32)
        x[np.repeat(np.arange(len(batch)), np.diff(batch.offsets)), batch.ids] = 1.0
        return x

    def run(self, batch: Encoded | Presence, sparse: bool = True) -> np.ndarray:
        """P(positive) for each review of the batch."""
        with np.errstate(over="ignore"):  # exp(-z) of a very negative z: inf, and p = 0 is right
            return sigmoid(self.hidden(batch, sparse) @ self.w_hidden_output)[:, 0]

    def train_step(self, batch: Encoded | Presence, labels: np.ndarray, lr: float,
                   sparse: bool = True) -> float:
        """One step: each review's gradient at the current weights, scaled by ``lr``, summed
        (with one review per batch this is the lesson's per-review SGD; the dense path takes an
        Encoded batch). Returns the loss."""
        if sparse:
            presence = Presence.of(batch)
            rows = self.w_input_hidden[presence.features]  # the rows of the features present
            hidden = presence.matrix @ rows
        else:
            hidden = self.hidden(batch, sparse=False)
        p = sigmoid(hidden @ self.w_hidden_output)[:, 0]
        error = p - labels.astype(np.float32)
        grad_out = (error * p * (1.0 - p))[:, None]  # through the sigmoid
        grad_hidden = grad_out @ self.w_hidden_output.T  # the hidden layer is linear
        self.w_hidden_output -= np.float32(lr) * hidden.T @ grad_out
        if sparse:
            self.w_input_hidden[presence.features] = (
                rows - presence.matrix_t @ (np.float32(lr) * grad_hidden))
        else:
            self.w_input_hidden -= np.float32(lr) * self.one_hot(batch).T @ grad_hidden
        return float(np.mean(error ** 2) / 2)

    def state_dict(self) -> dict[str, np.ndarray]:
        return {"w_input_hidden": self.w_input_hidden.copy(),
                "w_hidden_output": self.w_hidden_output.copy()}

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        self.w_input_hidden = state["w_input_hidden"].copy()
        self.w_hidden_output = state["w_hidden_output"].copy()
