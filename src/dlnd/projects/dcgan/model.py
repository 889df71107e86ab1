"""DCGAN's two networks (see dlnd.shared.gan.DCGenerator and DCDiscriminator)."""

from dlnd.projects.dcgan.config import DcganConfig
from dlnd.shared.gan import DCDiscriminator, DCGenerator


def generator(cfg: DcganConfig, shape: tuple[int, int, int]) -> DCGenerator:
    return DCGenerator(cfg.z_dim, shape, cfg.width)


def discriminator(cfg: DcganConfig, shape: tuple[int, int, int]) -> DCDiscriminator:
    return DCDiscriminator(shape, cfg.width)
