"""The course's fully connected GAN: one hidden layer each (see dlnd.shared.gan)."""

from dlnd.projects.gan_mnist.config import GanMnistConfig
from dlnd.shared.gan import FCDiscriminator, FCGenerator


def generator(cfg: GanMnistConfig, shape: tuple[int, int, int]) -> FCGenerator:
    return FCGenerator(cfg.z_dim, shape, cfg.g_hidden, cfg.alpha)


def discriminator(cfg: GanMnistConfig, shape: tuple[int, int, int]) -> FCDiscriminator:
    return FCDiscriminator(shape, cfg.d_hidden, cfg.alpha)
