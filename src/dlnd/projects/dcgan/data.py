"""Training images in [-1, 1] and the real test images the samples are measured against (see
dlnd.shared.gan.load_data: MNIST and Fashion-MNIST through dlnd.shared.vision.data)."""

from dlnd.shared.gan import GanData, load_data

__all__ = ["GanData", "load_data"]
