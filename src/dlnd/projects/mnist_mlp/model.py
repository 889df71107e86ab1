"""The lesson's multilayer perceptron (``dlnd.shared.mlp.MLP``: Linear -> ReLU -> Dropout per
hidden layer, then Linear to 10 logits) and the trained classifier ``load()`` returns."""

from __future__ import annotations

import numpy as np

from dlnd.core.project import Prediction
from dlnd.projects.mnist_mlp.config import MnistMlpConfig
from dlnd.shared.mlp import IMAGE_SIZE, MLP, MlpClassifier


def build(cfg: MnistMlpConfig, n_classes: int, rng: np.random.Generator) -> MLP:
    return MLP(IMAGE_SIZE * IMAGE_SIZE, cfg.hidden, n_classes, cfg.dropout, rng)


class MnistMlpModel:
    """A trained MLP: ``predict`` names the classes of image files (``dlnd predict``),
    ``classify`` those of uint8 arrays of shape (n, 28, 28)."""

    project = "mnist-mlp"

    def __init__(self, classifier: MlpClassifier, config: MnistMlpConfig):
        self.classifier, self.config = classifier, config

    def predict(self, inputs: list[str]) -> list[Prediction]:
        return self.classifier.predict(inputs)

    def classify(self, images: np.ndarray) -> list[str]:
        return self.classifier.classify(images)

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        return self.classifier.probabilities(images)
