"""DCGAN's two networks (see dlnd.shared.gan.DCGenerator and DCDiscriminator)."""

from dlnd.projects.face_generation.config import FaceGenerationConfig
from dlnd.shared.gan import DCDiscriminator, DCGenerator


def generator(cfg: FaceGenerationConfig, shape: tuple[int, int, int]) -> DCGenerator:
    return DCGenerator(cfg.z_dim, shape, cfg.width)


def discriminator(cfg: FaceGenerationConfig, shape: tuple[int, int, int]) -> DCDiscriminator:
    return DCDiscriminator(shape, cfg.width)
