"""The multilayer perceptron of the mnist-mlp and overfitting lessons, on dlnd.engine: MNIST-style
images as flat standardised rows, the network, one training pass, evaluation, and a trained
classifier that names the classes of raw images or image files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dlnd.core import idx
from dlnd.core.errors import UsageError
from dlnd.core.project import Prediction
from dlnd.engine import F, Tensor, nn, no_grad, optim
from dlnd.shared.images import read_image

CLASSES = {
    "mnist": tuple(str(d) for d in range(10)),
    "fashion-mnist": ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                      "Sneaker", "Bag", "Ankle boot"),
}
IMAGE_SIZE = 28  # pixels per side of every MNIST-style image
EVAL_BATCH = 2000  # rows per forward pass when only measuring (no graph is kept)


# ----- data -----

@dataclass
class Split:
    x: np.ndarray  # (n, 784) float32, standardised with the training mean and std
    y: np.ndarray  # (n,) int64 class indices


@dataclass
class ImageData:
    train: Split
    val: Split
    test: Split
    classes: tuple[str, ...]
    mean: float  # pixel statistics of the training images (0-255 scale), to prepare new images
    std: float


def load(dataset: str, val_size: int, seed: int, train_limit: int | None = None) -> ImageData:
    """Train/validation/test splits; the validation images are a seeded random draw from train."""
    train_images, train_labels = idx.load(dataset, "train")
    test_images, test_labels = idx.load(dataset, "test")
    order = np.random.default_rng(seed).permutation(len(train_images))
    val_idx, train_idx = order[:val_size], order[val_size:]
    if train_limit is not None:
        train_idx = train_idx[:train_limit]
    pixels = train_images[train_idx].astype(np.float32)
    mean, std = float(pixels.mean()), float(pixels.std())

    def split(images: np.ndarray, labels: np.ndarray) -> Split:
        return Split(standardise(images, mean, std), labels.astype(np.int64))

    return ImageData(split(train_images[train_idx], train_labels[train_idx]),
                     split(train_images[val_idx], train_labels[val_idx]),
                     split(test_images, test_labels), CLASSES[dataset], mean, std)


def standardise(images: np.ndarray, mean: float, std: float) -> np.ndarray:
    """uint8 images (n, 28, 28) as flat float32 rows with the training pixel statistics."""
    return (images.reshape(len(images), -1).astype(np.float32) - mean) / std


# ----- the network, training and evaluation -----

class MLP(nn.Module):
    """Linear -> ReLU -> Dropout per hidden layer, then Linear to the class logits (softmax lives
    in the cross-entropy loss)."""

    def __init__(self, n_inputs: int, hidden: tuple[int, ...], n_classes: int, dropout: float,
                 rng: np.random.Generator):
        sizes = (n_inputs, *hidden, n_classes)
        self.layers = [nn.Linear(a, b, rng=rng) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
        self.dropout = dropout
        self.rng = rng  # dropout masks come from the run's generator, so a run is reproducible

    def forward(self, x: Tensor) -> Tensor:
        for layer in self.layers[:-1]:
            x = F.dropout(layer(x).relu(), self.dropout, self.training, self.rng)
        return self.layers[-1](x)


def train_epoch(model: MLP, optimizer: optim.Optimizer, split: Split, batch_size: int,
                rng: np.random.Generator) -> float:
    """One pass over ``split`` in a random order; returns the mean batch loss."""
    model.train()
    order = rng.permutation(len(split.y))
    losses = []
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        loss = F.cross_entropy(model(Tensor(split.x[batch])), split.y[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return float(np.mean(losses))


@no_grad()
def logits_of(model: MLP, x: np.ndarray) -> np.ndarray:
    """The logits for rows ``x``, in evaluation mode (no dropout)."""
    model.eval()
    return np.concatenate([model(Tensor(x[i:i + EVAL_BATCH])).data
                           for i in range(0, len(x), EVAL_BATCH)])


def evaluate(model: MLP, split: Split) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) on ``split``."""
    logits = logits_of(model, split.x)
    loss = F.cross_entropy(Tensor(logits), split.y).item()
    return loss, float(np.mean(logits.argmax(axis=1) == split.y))


# ----- a trained network on new images -----

def read_images(paths: list[str]) -> np.ndarray:
    """Image files as uint8 grey images (n, 28, 28), light on dark as (Fashion-)MNIST's: scaled
    to fit and padded, inverted when on a light ground (:func:`dlnd.shared.images.read_image`)."""
    out = [read_image(path, 1, IMAGE_SIZE, IMAGE_SIZE, light_on_dark=True)[:, :, 0]
           for path in paths]
    return np.stack(out) if out else np.zeros((0, IMAGE_SIZE, IMAGE_SIZE), np.uint8)


def write_test_images(dataset: str, folder: Path, count: int) -> list[str]:
    """The first ``count`` test images of ``dataset`` as PNG files in ``folder``."""
    from PIL import Image

    images, _ = idx.load(dataset, "test")
    paths = []
    for i, image in enumerate(images[:count]):
        path = Path(folder) / f"{dataset}-test-{i}.png"
        Image.fromarray(image, mode="L").save(path)
        paths.append(str(path))
    return paths


class MlpClassifier:
    """A trained MLP with the class names and pixel statistics of its training images; the
    same ``predict(paths)`` and ``probabilities(images)`` as the torch projects'
    :class:`dlnd.shared.vision.classifier.ImageClassifier`, in NumPy."""

    def __init__(self, network: MLP, classes: tuple[str, ...], mean: float, std: float):
        self.network, self.classes, self.mean, self.std = network, tuple(classes), mean, std

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """Class probabilities (n, classes) for uint8 images of shape (n, 28, 28)."""
        images = np.asarray(images)
        if images.ndim != 3 or images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
            raise UsageError(f"expected images of shape (n, 28, 28), got {images.shape}")
        logits = logits_of(self.network, standardise(images, self.mean, self.std))
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        return exp / exp.sum(axis=1, keepdims=True)

    def classify(self, images: np.ndarray) -> list[str]:
        """Class names for uint8 images of shape (n, 28, 28)."""
        return [self.classes[c] for c in self.probabilities(images).argmax(axis=1)]

    def predict(self, inputs: list[str]) -> list[Prediction]:
        """The class of each image file, with the three likeliest classes' probabilities."""
        return [Prediction.top(path, probs, self.classes)
                for path, probs in zip(inputs, self.probabilities(read_images(inputs)),
                                       strict=True)]
