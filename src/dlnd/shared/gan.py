"""What the three GAN projects share: the two networks of each kind, one training step, image
data in [-1, 1], sample grids (PNG, TensorBoard, an animated GIF across epochs), interpolation
between noise vectors, the epoch loop on the run lifecycle, and the model ``load()`` returns.

A GAN is two models and two optimizers; the run tracks all four and the noise generator
(``run.track(generator=G, discriminator=D, opt_g=..., opt_d=..., rng=...)``), so a resumed run
continues with both networks and both optimizers as they were, with no code of its own.
"""

from __future__ import annotations

import io
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from dlnd.core import datasets, runs
from dlnd.core.errors import ConfigError, DataError
from dlnd.shared import gen_metrics, plots
from dlnd.shared.gan_config import LABELLED, NAMED, GanConfig  # noqa: F401 - used here and re-exported
from dlnd.shared.vision import data as vision_data

GRID = 64  # fixed-noise samples drawn after every epoch (an 8x8 grid)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")
CELEBA_CROP = 108  # the course cropped CelebA's aligned 178x218 faces to the central 108x108


# ----- networks -----

def upsamplings(side: int) -> int:
    """How many times a DCGAN doubles its base grid to reach ``side`` (the base is >= 4 pixels):
    28 = 7 * 2 * 2, 32 = 4 * 2 * 2 * 2, 64 = 4 * 2**4."""
    n = 0
    while side % 2 ** (n + 1) == 0 and side // 2 ** (n + 1) >= 4:
        n += 1
    if n == 0:
        raise ConfigError(f"images of {side} pixels cannot be built by doubling a grid of at "
                          f"least 4: choose an even side such as 28, 32 or 64")
    return n


class FCGenerator(nn.Module):
    """The course's generator: z -> hidden (leaky ReLU) -> pixels (tanh)."""

    def __init__(self, z_dim: int, shape: tuple[int, int, int], hidden: int = 128,
                 alpha: float = 0.01):
        super().__init__()
        self.shape = tuple(shape)
        self.net = nn.Sequential(nn.Linear(z_dim, hidden), nn.LeakyReLU(alpha),
                                 nn.Linear(hidden, math.prod(shape)), nn.Tanh())

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z).view(-1, *self.shape)


class FCDiscriminator(nn.Module):
    """The course's discriminator: pixels -> hidden (leaky ReLU) -> one logit."""

    def __init__(self, shape: tuple[int, int, int], hidden: int = 128, alpha: float = 0.01):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(math.prod(shape), hidden),
                                 nn.LeakyReLU(alpha), nn.Linear(hidden, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(1)


class DCGenerator(nn.Module):
    """DCGAN's generator: z -> a small grid of many channels, then transposed convolutions that
    double the side and halve the channels, batch norm and ReLU between, tanh at the end."""

    def __init__(self, z_dim: int, shape: tuple[int, int, int], width: int = 32):
        super().__init__()
        channels, side, _ = shape
        n = upsamplings(side)
        base, widths = side // 2 ** n, [width * 2 ** (n - 1 - i) for i in range(n)]
        layers: list[nn.Module] = [nn.Linear(z_dim, widths[0] * base * base, bias=False),
                                   nn.Unflatten(1, (widths[0], base, base)),
                                   nn.BatchNorm2d(widths[0]), nn.ReLU()]
        for cin, cout in zip(widths, widths[1:], strict=False):
            layers += [nn.ConvTranspose2d(cin, cout, 4, 2, 1, bias=False), nn.BatchNorm2d(cout),
                       nn.ReLU()]
        layers += [nn.ConvTranspose2d(widths[-1], channels, 4, 2, 1), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        dcgan_init(self)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


class DCDiscriminator(nn.Module):
    """DCGAN's discriminator: strided convolutions that halve the side and double the channels,
    batch norm (not on the first layer) and leaky ReLU 0.2, then one logit."""

    def __init__(self, shape: tuple[int, int, int], width: int = 32):
        super().__init__()
        channels, side, _ = shape
        n = upsamplings(side)
        base, widths = side // 2 ** n, [width * 2 ** i for i in range(n)]
        layers: list[nn.Module] = [nn.Conv2d(channels, widths[0], 4, 2, 1), nn.LeakyReLU(0.2)]
        for cin, cout in zip(widths, widths[1:], strict=False):
            layers += [nn.Conv2d(cin, cout, 4, 2, 1, bias=False), nn.BatchNorm2d(cout),
                       nn.LeakyReLU(0.2)]
        layers += [nn.Flatten(), nn.Linear(widths[-1] * base * base, 1)]
        self.net = nn.Sequential(*layers)
        dcgan_init(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(1)


def dcgan_init(net: nn.Module) -> None:
    """The DCGAN paper's initialisation: weights from N(0, 0.02), batch-norm scales N(1, 0.02)."""
    for m in net.modules():
        if isinstance(m, nn.Conv2d | nn.ConvTranspose2d | nn.Linear):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


def adam(net: nn.Module, cfg: GanConfig) -> torch.optim.Adam:
    return torch.optim.Adam(net.parameters(), lr=cfg.lr, betas=(cfg.beta1, 0.999))


# ----- one step of the game -----

def train_step(generator: nn.Module, discriminator: nn.Module, opt_g, opt_d,
               real: torch.Tensor, z: torch.Tensor, smooth: float = 0.0) -> torch.Tensor:
    """One discriminator step, then one generator step (non-saturating loss). ``real`` images
    in [-1, 1]; ``z`` one noise row per real image. Returns (d_loss, g_loss, mean D(real),
    mean D(fake)) as one detached tensor."""
    fake = generator(z)
    d_real = discriminator(real)
    d_fake = discriminator(fake.detach())
    d_loss = F.binary_cross_entropy_with_logits(d_real, torch.full_like(d_real, 1 - smooth)) + \
        F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake))
    opt_d.zero_grad(set_to_none=True)
    d_loss.backward()
    opt_d.step()
    g_logits = discriminator(fake)  # the updated discriminator judges the same fakes
    g_loss = F.binary_cross_entropy_with_logits(g_logits, torch.ones_like(g_logits))
    opt_g.zero_grad(set_to_none=True)
    g_loss.backward()
    opt_g.step()
    return torch.stack([d_loss.detach(), g_loss.detach(), torch.sigmoid(d_real).mean().detach(),
                        torch.sigmoid(d_fake).mean().detach()])


# ----- images -----

def to_unit(images: torch.Tensor) -> torch.Tensor:
    """uint8 pixels -> floats in [-1, 1] (the range of the generator's tanh)."""
    return images.float() / 127.5 - 1.0


def to_uint8(x: torch.Tensor) -> torch.Tensor:
    return ((x.float() + 1) * 127.5).round().clamp(0, 255).to(torch.uint8)


@torch.no_grad()
def sample(generator: nn.Module, z: torch.Tensor, batch_size: int = 500,
           device: str | torch.device = "cpu") -> torch.Tensor:
    """uint8 images from noise ``z``, the generator in eval mode (batch norm with its running
    statistics, so an image does not depend on the others drawn with it); its mode is put back."""
    was_training = generator.training
    generator.eval()
    try:
        out = [to_uint8(generator(z[i:i + batch_size].to(device))).cpu()
               for i in range(0, len(z), batch_size)]
    finally:
        generator.train(was_training)
    return torch.cat(out)


def noise(n: int, z_dim: int, seed: int) -> torch.Tensor:
    return torch.randn(n, z_dim, generator=torch.Generator().manual_seed(seed))


def slerp(z0: torch.Tensor, z1: torch.Tensor, steps: int) -> torch.Tensor:
    """``steps`` points on the great circle from ``z0`` to ``z1`` (spherical interpolation:
    Gaussian noise lives near a sphere, and a straight line would cut through its inside)."""
    t = torch.linspace(0, 1, steps)[:, None]
    omega = torch.arccos(torch.clamp(F.cosine_similarity(z0, z1, dim=0), -1, 1))
    if float(omega) < 1e-6:
        path = z0 + t * (z1 - z0)
    else:
        path = (torch.sin((1 - t) * omega) * z0 + torch.sin(t * omega) * z1) / torch.sin(omega)
    path[0], path[-1] = z0, z1  # exactly the two ends (the formula rounds)
    return path


def grid(images: torch.Tensor, cols: int | None = None, pad: int = 2) -> np.ndarray:
    """uint8 images ``(N, C, H, W)`` tiled into one ``(H', W', C)`` picture."""
    n, c, h, w = images.shape
    cols = cols or max(int(math.ceil(math.sqrt(n))), 1)
    rows = int(math.ceil(n / cols))
    out = np.zeros((rows * (h + pad) + pad, cols * (w + pad) + pad, c), dtype=np.uint8)
    for i, image in enumerate(images.numpy()):
        r, k = divmod(i, cols)
        out[pad + r * (h + pad):pad + r * (h + pad) + h,
            pad + k * (w + pad):pad + k * (w + pad) + w] = image.transpose(1, 2, 0)
    return out


def png_bytes(picture: np.ndarray, scale: int = 1) -> bytes:
    from PIL import Image

    image = Image.fromarray(picture[:, :, 0] if picture.shape[2] == 1 else picture)
    if scale > 1:
        image = image.resize((image.width * scale, image.height * scale), Image.NEAREST)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def save_gif(frames: list[Path], out: Path, ms_per_frame: int = 400) -> Path:
    """An animated GIF of PNG ``frames`` (the last one held longer), written atomically."""
    from PIL import Image

    images = [Image.open(f).convert("RGB") for f in frames]
    durations = [ms_per_frame] * (len(images) - 1) + [ms_per_frame * 4]
    buf = io.BytesIO()
    images[0].save(buf, format="GIF", save_all=True, append_images=images[1:], loop=0,
                   duration=durations)
    runs.write_atomic(out, buf.getvalue())
    return out


# ----- data -----

@dataclass
class GanData:
    train: vision_data.ImageSet  # uint8 images; labels only for the measured datasets
    test: vision_data.ImageSet | None  # real images to measure samples against (None: none)
    name: str  # what the images are, for titles

    @property
    def shape(self) -> tuple[int, int, int]:
        return tuple(self.train.images.shape[1:])


def load_data(cfg: GanConfig) -> GanData:
    """The training images of ``cfg.data`` (and the test images when the set has classes)."""
    if cfg.data in ("mnist", "fashion-mnist"):
        train, test = vision_data.load(cfg.data, "train"), vision_data.load(cfg.data, "test")
    elif cfg.data == "svhn":
        train, test = read_svhn("train"), read_svhn("test")
    elif cfg.data == "celeba":
        train, test = read_celeba(cfg.image_size, cfg.channels, cfg.train_limit), None
    else:
        train, test = read_folder(Path(cfg.data), cfg.image_size, cfg.channels,
                                  cfg.train_limit), None
    if cfg.train_limit is not None:
        train = train.subset(slice(0, cfg.train_limit))
    if test is not None and cfg.test_limit is not None:
        test = test.subset(slice(0, cfg.test_limit))
    if len(train) < cfg.batch_size:
        raise DataError(f"{cfg.data} gives {len(train)} training images, fewer than one batch "
                        f"of {cfg.batch_size}: lower batch_size")
    return GanData(train, test, cfg.data)


def read_svhn(split: str) -> vision_data.ImageSet:
    """SVHN's cropped digits from its MATLAB file (label 10 is the digit 0)."""
    from scipy.io import loadmat

    path = datasets.path("svhn", f"{split}_32x32.mat")
    try:
        mat = loadmat(str(path))
    except Exception as exc:
        raise DataError(f"{path} is not SVHN's MATLAB file: {exc}") from None
    images = torch.from_numpy(np.ascontiguousarray(mat["X"].transpose(3, 2, 0, 1)))
    labels = torch.from_numpy(mat["y"].astype(np.int64).ravel() % 10)
    return vision_data.ImageSet(images, labels, vision_data.MNIST_CLASSES)


def _prepare(image, size: int, channels: int, crop: int | None = None) -> np.ndarray:
    """A PIL image cropped (the central ``crop`` square, else the largest central square),
    resized to ``size`` with bilinear filtering as the course did, as (C, H, W) uint8."""
    from PIL import Image

    w, h = image.size
    side = min(crop or min(w, h), w, h)
    left, top = (w - side) // 2, (h - side) // 2
    image = image.crop((left, top, left + side, top + side)).resize((size, size),
                                                                    Image.BILINEAR)
    pixels = np.asarray(image.convert("L" if channels == 1 else "RGB"), dtype=np.uint8)
    return pixels.reshape(size, size, channels).transpose(2, 0, 1)


def _image_set(images: list[np.ndarray], where: str) -> vision_data.ImageSet:
    if not images:
        raise DataError(f"{where} holds no images ({', '.join(IMAGE_SUFFIXES)})")
    stacked = torch.from_numpy(np.stack(images))
    return vision_data.ImageSet(stacked, torch.zeros(len(images), dtype=torch.int64), ("image",))


def read_folder(folder: Path, size: int, channels: int,
                limit: int | None = None) -> vision_data.ImageSet:
    """Every image file under ``folder`` (sorted by path), centre-cropped square and resized."""
    from PIL import Image, UnidentifiedImageError

    if not folder.is_dir():
        raise DataError(f"data folder {folder} does not exist (or is not a folder)")
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    images = []
    for file in files[:limit]:
        try:
            with Image.open(file) as image:
                images.append(_prepare(image, size, channels))
        except (UnidentifiedImageError, OSError) as exc:
            raise DataError(f"{file} cannot be read as an image: {exc}") from None
    return _image_set(images, f"data folder {folder}")


def read_celeba(size: int, channels: int, limit: int | None = None) -> vision_data.ImageSet:
    """CelebA's aligned faces straight from the course's zip, cropped to the central 108x108
    and resized, as the course's helper did."""
    from PIL import Image

    path = datasets.path("celeba", "celeba.zip")
    images = []
    with zipfile.ZipFile(path) as archive:
        names = sorted(n for n in archive.namelist() if n.lower().endswith(".jpg"))
        for name in names[:limit]:
            with archive.open(name) as fh, Image.open(fh) as image:
                images.append(_prepare(image, size, channels, CELEBA_CROP))
    return _image_set(images, str(path))


# ----- the epoch loop on the run lifecycle -----

def fit(cfg: GanConfig, run: runs.Run, ts, data: GanData, generator: nn.Module,
        discriminator: nn.Module, *, title: str) -> dict[str, float]:
    """Train ``generator`` against ``discriminator`` on ``data`` for ``cfg.resolved_epochs()``:
    losses and the discriminator's mean outputs every epoch, a fixed-noise grid (PNG,
    TensorBoard, GIF), the FID (domain classifier) of ``cfg.eval_samples`` samples; at the end
    every measure of ``cfg.fid_samples`` samples. Returns the final metrics."""
    device, epochs = ts.device, cfg.resolved_epochs()
    generator.to(device)
    discriminator.to(device)
    opt_g, opt_d = adam(generator, cfg), adam(discriminator, cfg)
    rng = torch.Generator().manual_seed(cfg.seed)  # batch order and training noise
    run.track(generator=generator, discriminator=discriminator, opt_g=opt_g, opt_d=opt_d,
              rng=rng)
    run.keep(image_shape=list(data.shape), data=cfg.data)
    classifier = measure = None
    if data.test is not None:
        classifier = gen_metrics.domain_classifier(
            cfg.data, data.train, data.test, classifier_settings(cfg), say=run.say)
        real_features, _ = classifier.features_and_probabilities(data.test.images)
        real_stats = gen_metrics.gaussian(real_features)

        def measure(images: torch.Tensor) -> float:
            features, _ = classifier.features_and_probabilities(images)
            return gen_metrics.frechet_distance(*gen_metrics.gaussian(features), *real_stats)

    fixed = noise(GRID, cfg.z_dim, cfg.seed + 1)
    eval_z = noise(cfg.eval_samples, cfg.z_dim, cfg.seed + 2)
    images = data.train.images
    steps = len(images) // cfg.batch_size
    run.say(f"{data.name}: {len(images):,} training images {data.shape}, {steps} steps of "
            f"{cfg.batch_size} per epoch; generator {count(generator):,} and discriminator "
            f"{count(discriminator):,} parameters; {ts.describe()}")
    (run.path / "samples").mkdir(exist_ok=True)
    final: dict[str, float] = {}
    for epoch in run.epochs(epochs):
        generator.train()
        discriminator.train()
        order = torch.randperm(len(images), generator=rng)
        sums = torch.zeros(4)
        for b in range(steps):
            idx = order[b * cfg.batch_size:(b + 1) * cfg.batch_size]
            real = to_unit(images[idx]).to(device)
            z = torch.randn(len(idx), cfg.z_dim, generator=rng).to(device)
            sums += train_step(generator, discriminator, opt_g, opt_d, real, z,
                               cfg.smooth).cpu()
        d_loss, g_loss, d_real, d_fake = (float(v) for v in sums / steps)
        final = {"d_loss": d_loss, "g_loss": g_loss}  # the last epoch's
        metrics = {"train/d_loss": d_loss, "train/g_loss": g_loss, "train/d_real": d_real,
                   "train/d_fake": d_fake}
        if measure is not None:
            metrics["val/fid_domain"] = measure(sample(generator, eval_z, device=device))
        epoch_pictures(run, generator, fixed, epoch, device, title)
        run.log(epoch, metrics)
        run.report(epoch, epochs, metrics)

    if classifier is not None:
        samples = sample(generator, noise(cfg.fid_samples, cfg.z_dim, cfg.seed + 3),
                         device=device)
        final |= gen_metrics.evaluate(classifier, samples, data.test)
        if cfg.inception_fid:
            standard = gen_metrics.inception_fid(samples, data.test.images)
            if standard is None:
                run.say("Inception FID skipped: torchmetrics or its weights are not available")
            else:
                final["fid_inception"] = standard
        _, probabilities = classifier.features_and_probabilities(samples)
        counts = gen_metrics.histogram(probabilities)
        plots.bars(run, "class_histogram", dict(zip(data.test.classes, counts, strict=True)),
                   title=f"Confident class (p >= {gen_metrics.CONFIDENT}) of "
                         f"{len(samples):,} samples: {final['classes_covered']:.0f} of "
                         f"{len(counts)} classes covered", xlabel="samples")
        run.say(f"{gen_metrics.NAME} {final['fid_domain']:.3f} (floor, test halves: "
                f"{final['fid_floor']:.3f}); classes covered {final['classes_covered']:.0f}, "
                f"precision {final['precision']:.3f}, recall {final['recall']:.3f}")
    run.log(epochs, {f"final/{k}": v for k, v in final.items()})
    plots.learning_curves(run, title=f"{title}: losses, D's mean outputs, "
                          f"{gen_metrics.NAME}")
    return final


def classifier_settings(cfg: GanConfig) -> gen_metrics.ClassifierSettings:
    return gen_metrics.ClassifierSettings(width=cfg.classifier_width,
                                          epochs=cfg.classifier_epochs,
                                          train_limit=cfg.classifier_limit)


def count(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


def epoch_pictures(run: runs.Run, generator: nn.Module, fixed: torch.Tensor, epoch: int,
                   device, title: str) -> None:
    """The fixed-noise grid of this epoch: ``samples/epoch_NNN.png``, ``samples.png`` (the
    latest), a TensorBoard image and ``samples.gif`` of every epoch's grid so far."""
    picture = grid(sample(generator, fixed, device=device), cols=8)
    scale = max(1, 256 // picture.shape[0])
    png = png_bytes(picture, scale)
    frame = run.path / "samples" / f"epoch_{epoch + 1:03d}.png"
    runs.write_atomic(frame, png)
    runs.write_atomic(run.path / "samples.png", png)
    run.tb.image("samples", png, picture.shape[1] * scale, picture.shape[0] * scale, epoch)
    frames = sorted((run.path / "samples").glob("epoch_*.png"))
    frames = [f for f in frames if int(f.stem.split("_")[1]) <= epoch + 1]
    save_gif(frames, run.path / "samples.gif")


# ----- the trained model -----

class GanSampler:
    """What ``load()`` returns: the trained generator, drawing images (``dlnd generate``)."""

    draws_images = True

    def __init__(self, project: str, config: Any, generator: nn.Module, run_dir: Path):
        self.project, self.config = project, config
        self.generator = generator.eval()
        self.run_dir = Path(run_dir)

    def images(self, n: int = 64, seed: int = 0, interpolate: bool = False) -> torch.Tensor:
        """uint8 images ``(n, C, H, W)``: from ``n`` noise vectors drawn with ``seed``, or with
        ``interpolate`` along the way between two of them."""
        if interpolate:  # between the first two images that n=2 with this seed draws
            ends = noise(2, self.config.z_dim, seed)
            z = slerp(ends[0], ends[1], n)
        else:
            z = noise(n, self.config.z_dim, seed)
        return sample(self.generator, z)

    def generate(self, n: int = 64, out: Path | None = None, seed: int = 0,
                 interpolate: bool = False) -> Path:
        """Write a grid of ``n`` samples (or, with ``interpolate``, one row from one noise
        vector to another) as a PNG; returns its path (default: in the run directory)."""
        images = self.images(n, seed, interpolate)
        picture = grid(images, cols=n if interpolate else None)
        if out is None:
            kind = "interpolation" if interpolate else "samples"
            out = self.run_dir / "generated" / f"{kind}-n{n}-seed{seed}.png"
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        runs.write_atomic(out, png_bytes(picture, max(1, 128 // picture.shape[0])))
        return out


def load_sampler(project: str, config_cls: type, run_dir: Path, build) -> GanSampler:
    """A run's trained generator: ``build(config, image_shape)`` makes the network."""
    trained = runs.Trained(run_dir, config_cls)
    shape = tuple(int(v) for v in trained.artifacts["image_shape"])
    generator = build(trained.config, shape)
    generator.load_state_dict(trained.weights("generator"))
    return GanSampler(project, trained.config, generator, run_dir)
