"""NBSVM with a logistic loss (Wang & Manning 2012): a linear model on binary n-gram features,
each feature scaled by its Naive Bayes log-count ratio

    r_j = log( (alpha + #positive reviews with j) / |.|_1  /  (alpha + #negative with j) / |.|_1 )

so that the regulariser starts from Naive Bayes's view of which n-grams matter. Then

    p(positive | review) = sigmoid( sum_{j in review} r_j w_j + b )

fitted by L-BFGS on the full training set (mean log-loss + 0.5 * l2 * |w|^2).
"""

from __future__ import annotations

import numpy as np
import scipy.optimize
import scipy.sparse

from dlnd.shared.text import Encoded


def nb_ratio(x: Encoded, labels: np.ndarray, n_features: int, alpha: float) -> np.ndarray:
    labels = np.repeat(labels.astype(np.float64), x.lengths())
    positive = np.bincount(x.ids, weights=labels, minlength=n_features) + alpha
    negative = np.bincount(x.ids, weights=1.0 - labels, minlength=n_features) + alpha
    return np.log(positive / positive.sum()) - np.log(negative / negative.sum())


def most_polarised(ratio: np.ndarray, x: Encoded, name, n: int = 20, min_reviews: int = 5
                   ) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """The ``n`` features with the highest and the lowest NB log-count ratio among those in at
    least ``min_reviews`` of the reviews ``x`` (rarer ones have extreme, noisy ratios), named
    by ``name(feature id)``."""
    reviews = np.bincount(x.ids, minlength=len(ratio))
    common = np.flatnonzero(reviews >= min_reviews)
    order = common[np.argsort(ratio[common], kind="stable")]
    return ([(name(i), float(ratio[i])) for i in order[::-1][:n]],
            [(name(i), float(ratio[i])) for i in order[:n]])


class NBLogisticRegression:
    def __init__(self, ratio: np.ndarray):
        self.ratio = ratio
        self.weights = np.zeros(len(ratio))
        self.bias = 0.0

    def design(self, x: Encoded) -> scipy.sparse.csr_matrix:
        """Binary presence times the NB ratio, one row per review."""
        return scipy.sparse.csr_matrix((self.ratio[x.ids], x.ids, x.offsets),
                                       shape=(len(x), len(self.ratio)))

    def logits(self, design: scipy.sparse.csr_matrix) -> np.ndarray:
        return design @ self.weights + self.bias

    def predict_proba(self, x: Encoded) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.logits(self.design(x))))

    def fit(self, design: scipy.sparse.csr_matrix, labels: np.ndarray, l2: float,
            iterations: int) -> float:
        """Up to ``iterations`` L-BFGS steps from the current weights; returns the loss."""
        labels = labels.astype(np.float64)

        def loss_and_grad(params: np.ndarray) -> tuple[float, np.ndarray]:
            w, b = params[:-1], params[-1]
            z = design @ w + b
            loss = np.mean(np.logaddexp(0.0, z) - labels * z) + 0.5 * l2 * w @ w
            error = 1.0 / (1.0 + np.exp(-z)) - labels  # d(log-loss)/dz
            grad = np.append(design.T @ error / len(z) + l2 * w, error.mean())
            return float(loss), grad

        result = scipy.optimize.minimize(loss_and_grad, np.append(self.weights, self.bias),
                                         jac=True, method="L-BFGS-B",
                                         options={"maxiter": iterations})
        self.weights, self.bias = result.x[:-1].copy(), float(result.x[-1])
        return float(result.fun)

    def state_dict(self) -> dict:
        return {"ratio": self.ratio, "weights": self.weights.copy(), "bias": self.bias}

    def load_state_dict(self, state: dict) -> None:
        self.ratio, self.weights, self.bias = state["ratio"], state["weights"].copy(), state["bias"]
