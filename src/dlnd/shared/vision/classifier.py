"""The trained image classifier that ``load()`` returns for image-classification and
transfer-learning: a network that takes uint8 images, with its class names."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from dlnd.core.project import Prediction
from dlnd.shared.vision.data import read_images
from dlnd.shared.vision.evaluate import predict_logits

TOP = 3  # classes shown per prediction


class ImageClassifier:
    """``predict(paths)`` names the image files (top-3 classes); ``probabilities(images)``
    gives all class probabilities of uint8 images shaped ``image_shape``, for notebooks.
    The network is on the CPU, in eval mode. (mnist-mlp's NumPy network has the same two
    methods: :class:`dlnd.shared.mlp.MlpClassifier`.)"""

    def __init__(self, project: str, config: Any, net: nn.Module, classes: list[str],
                 image_shape: tuple[int, int, int], flip_tta: bool = False,
                 light_on_dark: bool = False):
        self.project, self.config = project, config
        self.net, self.classes = net.eval(), list(classes)
        self.image_shape = tuple(image_shape)  # (channels, height, width)
        self.flip_tta = flip_tta  # average each image's logits with its mirror's
        self.light_on_dark = light_on_dark  # trained on MNIST-style images: invert light grounds

    def probabilities(self, images: torch.Tensor) -> torch.Tensor:
        """``(N, classes)`` probabilities of uint8 images ``(N, *image_shape)``."""
        return predict_logits(self.net, images, flip_tta=self.flip_tta).softmax(1)

    def predict(self, inputs: list[str]) -> list[Prediction]:
        """The likeliest classes of each image file (converted, scaled and padded to the
        training images' shape; inverted when on a light ground and the training images were
        light on dark)."""
        probabilities = self.probabilities(read_images(inputs, self.image_shape,
                                                       self.light_on_dark))
        return [Prediction.top(path, row.tolist(), self.classes, TOP)
                for path, row in zip(inputs, probabilities, strict=True)]
