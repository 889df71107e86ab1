"""The same images as mnist-mlp, with a deliberately small training set."""

from dlnd.projects.mnist_mlp.data import ImageData, load

__all__ = ["ImageData", "load"]
