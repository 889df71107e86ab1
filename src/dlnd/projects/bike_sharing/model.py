"""The course's first neural network, forward and backward written out by hand in NumPy.

One hidden layer of sigmoid units, one linear output unit, squared-error loss:

    h = sigmoid(x @ W1)          (batch, hidden)
    y = h @ W2                   (batch, 1)
    loss = mean((y - target)^2)

Backward (the lesson): the output error ``e = y - target`` flows back through ``W2`` and the sigmoid
derivative ``h (1 - h)``; each weight's gradient is its input times the error it caused.
"""

from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


class NeuralNetwork:
    def __init__(self, n_inputs: int, n_hidden: int, rng: np.random.Generator,
                 dtype: type = np.float64):
        # Weights drawn with std 1/sqrt(fan-in), as in the course, so pre-activations start O(1).
        # ``dtype`` float64 as the course; training passes float32 (see train.py).
        self.w_input_hidden = rng.normal(0.0, n_inputs ** -0.5, (n_inputs, n_hidden)).astype(dtype)
        self.w_hidden_output = rng.normal(0.0, n_hidden ** -0.5, (n_hidden, 1)).astype(dtype)

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        hidden = sigmoid(x @ self.w_input_hidden)
        return hidden, hidden @ self.w_hidden_output

    def run(self, x: np.ndarray) -> np.ndarray:
        """Predictions (z-scored rides) for a batch of feature rows."""
        return self.forward(x)[1][:, 0]

    def train_step(self, x: np.ndarray, target: np.ndarray, lr: float) -> float:
        """One SGD step on the batch-mean squared error; returns the batch loss before the step.
        ``target`` is shaped ``(n,)`` or, as in the course's notebook, ``(n, 1)``."""
        target = np.asarray(target, dtype=self.w_input_hidden.dtype)
        if target.shape not in ((len(x),), (len(x), 1)):
            raise ValueError(f"targets must be shaped ({len(x)},) or ({len(x)}, 1) for "
                             f"{len(x)} input rows, not {target.shape}")
        target = target.reshape(len(x))
        hidden, out = self.forward(x)
        error = out[:, 0] - target  # dLoss/dout up to the factor 2 the course folds into lr
        grad_out = error[:, None] / len(x)
        grad_hidden = (grad_out @ self.w_hidden_output.T) * hidden * (1.0 - hidden)
        self.w_hidden_output -= lr * hidden.T @ grad_out
        self.w_input_hidden -= lr * x.T @ grad_hidden
        return float(error @ error) / len(x)  # the mean square, without np.mean's overhead

    def state_dict(self) -> dict[str, np.ndarray]:
        return {"w_input_hidden": self.w_input_hidden.copy(),
                "w_hidden_output": self.w_hidden_output.copy()}

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        self.w_input_hidden = state["w_input_hidden"].copy()
        self.w_hidden_output = state["w_hidden_output"].copy()


def mse(prediction: np.ndarray, target: np.ndarray) -> float:
    return float(np.mean(np.square(prediction - target), dtype=np.float64))
