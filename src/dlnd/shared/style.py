"""Neural style transfer's shared parts: Gram matrices, the content / style / total-variation
losses, the feature networks they are measured with, and public-domain images drawn here.

Feature networks take float RGB images in [0, 1], ``(N, 3, H, W)``, and return a dict of named
feature maps; ``style_layers`` and ``content_layers`` say which names the losses use.

- :class:`VGGFeatures`: VGG-16/19 as torchvision lays it out (``features.0.weight`` ...), for
  ImageNet weights loaded from a torchvision state-dict file (:meth:`VGGFeatures.load_file`).
  The method as published; dlnd ships no ImageNet weights.
- :class:`RandomFeatures`: one layer of random filters at several scales, no training at all
  (after Ustyuzhaninov et al., ICLR 2017, "What does it take to generate natural textures?").
- :class:`TrainedFeatures`: a small VGG (:class:`dlnd.shared.vision.models.VGG`) that dlnd
  trains itself on the CIFAR-10 sample (:func:`train_small_vgg`).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from dlnd.core import datasets
from dlnd.core.errors import DataError, UsageError

VGG_LAYOUTS = {
    "vgg16": (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
              512, 512, 512, "M"),
    "vgg19": (64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
              512, 512, 512, 512, "M"),
}
VGG_URLS = {"vgg16": "https://download.pytorch.org/models/vgg16-397923af.pth",
            "vgg19": "https://download.pytorch.org/models/vgg19-dcbb9e9d.pth"}
# Gatys et al. 2016: style from the first ReLU of each block, content from relu4_2
VGG_STYLE = ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1")
VGG_CONTENT = ("relu4_2",)
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
FEATURE_NETWORKS = ("random", "trained", "vgg16", "vgg19")


# ----- the losses -----

def gram(features: torch.Tensor) -> torch.Tensor:
    """Gram matrices ``(N, C, C)`` of feature maps ``(N, C, H, W)``: the channels' products
    averaged over the H*W positions, so images of any size compare."""
    n, c, h, w = features.shape
    flat = features.reshape(n, c, h * w)
    return flat @ flat.transpose(1, 2) / (h * w)


def relative_error(got: torch.Tensor, want: torch.Tensor) -> torch.Tensor:
    """``||got - want||^2 / ||want||^2`` (per batch, averaged): a distance that does not depend
    on how large a network's features happen to be, so one set of loss weights suits every
    feature network."""
    dims = tuple(range(1, want.ndim))
    return ((got - want).pow(2).sum(dims) / want.pow(2).sum(dims).clamp_min(1e-12)).mean()


def content_loss(features: dict[str, torch.Tensor], target: dict[str, torch.Tensor],
                 layers) -> torch.Tensor:
    """Relative squared distance of the content layers' feature maps, averaged over layers."""
    return sum(relative_error(features[k], target[k]) for k in layers) / len(layers)


def style_loss(features: dict[str, torch.Tensor], target_grams: dict[str, torch.Tensor],
               layers) -> torch.Tensor:
    """Relative squared distance of the style layers' Gram matrices, averaged over layers.
    ``target_grams`` (``(1, C, C)`` each) broadcast over a batch."""
    return sum(relative_error(gram(features[k]), target_grams[k].expand(len(features[k]), -1, -1))
               for k in layers) / len(layers)


def tv_loss(images: torch.Tensor) -> torch.Tensor:
    """Total variation: the mean absolute difference between vertical and between horizontal
    neighbours (summed), which penalises pixel noise."""
    return (images[..., 1:, :] - images[..., :-1, :]).abs().mean() + \
        (images[..., :, 1:] - images[..., :, :-1]).abs().mean()


class StyleTargets:
    """A feature network with the content and style it is asked to match."""

    def __init__(self, net: nn.Module, style_image: torch.Tensor):
        self.net = net
        with torch.no_grad():
            feats = net(style_image)
            self.grams = {k: gram(feats[k]) for k in net.style_layers}

    def losses(self, images: torch.Tensor, content_feats: dict[str, torch.Tensor]):
        """(content loss, style loss, tv loss) of ``images`` against their content features."""
        feats = self.net(images)
        return (content_loss(feats, content_feats, self.net.content_layers),
                style_loss(feats, self.grams, self.net.style_layers), tv_loss(images))

    def content_features(self, images: torch.Tensor) -> dict[str, torch.Tensor]:
        with torch.no_grad():
            feats = self.net(images)
        return {k: feats[k] for k in self.net.content_layers}


# ----- feature networks -----

class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).reshape(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).reshape(1, -1, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std


def vgg_layers(layout, width: float = 1.0, in_channels: int = 3) -> tuple[list[nn.Module],
                                                                            list[str]]:
    """torchvision's ``features`` modules for ``layout`` and their names (conv1_1, relu1_1,
    pool1 ...), index for index."""
    layers, names, channels, block, conv = [], [], in_channels, 1, 1
    for item in layout:
        if item == "M":
            layers.append(nn.MaxPool2d(2))
            names.append(f"pool{block}")
            block, conv = block + 1, 1
        else:
            out = max(int(item * width), 1)
            layers += [nn.Conv2d(channels, out, 3, padding=1), nn.ReLU()]
            names += [f"conv{block}_{conv}", f"relu{block}_{conv}"]
            channels, conv = out, conv + 1
    return layers, names


class LayerFeatures(nn.Module):
    """A sequential ``features`` stack, cut after the deepest layer the losses use, returning
    the named outputs the losses read."""

    def __init__(self, features: nn.Sequential, names: list[str], prep: nn.Module,
                 style_layers, content_layers):
        super().__init__()
        wanted = set(style_layers) | set(content_layers)
        unknown = wanted - set(names)
        if unknown:
            raise UsageError(f"unknown feature layers {sorted(unknown)}; this network has "
                             f"{', '.join(n for n in names if n.startswith('relu'))}")
        last = max(names.index(k) for k in wanted)
        self.prep = prep
        self.features = nn.Sequential(*list(features)[:last + 1])
        self.names = names[:last + 1]
        self.style_layers, self.content_layers = tuple(style_layers), tuple(content_layers)
        self._wanted = wanted
        for p in self.parameters():
            p.requires_grad_(False)
        self.eval()

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        out, x = {}, self.prep(x)
        for name, layer in zip(self.names, self.features, strict=True):
            x = layer(x)
            if name in self._wanted:
                out[name] = x
        return out


class VGGFeatures(LayerFeatures):
    """VGG-16 or VGG-19's convolutional part, with torchvision's parameter names
    (``features.N.weight``), fed ImageNet-standardised pixels. Without :meth:`load_file` its
    weights are random: only good for timing and tests, never for style."""

    def __init__(self, architecture: str = "vgg19", style_layers=VGG_STYLE,
                 content_layers=VGG_CONTENT):
        if architecture not in VGG_LAYOUTS:
            raise UsageError(f"unknown VGG {architecture!r}; choose {', '.join(VGG_LAYOUTS)}")
        layers, names = vgg_layers(VGG_LAYOUTS[architecture])
        self.architecture = architecture
        self.full_names = names
        super().__init__(nn.Sequential(*layers), names, Standardize(IMAGENET_MEAN, IMAGENET_STD),
                         style_layers, content_layers)

    def expected_shapes(self) -> dict[str, tuple[int, ...]]:
        """Every ``features.*`` parameter of the whole torchvision network, with its shape."""
        layers, _ = vgg_layers(VGG_LAYOUTS[self.architecture])
        return {f"features.{k}": tuple(v.shape)
                for k, v in nn.Sequential(*layers).state_dict().items()}

    def load_torchvision(self, state: dict, where: str = "the state dict") -> None:
        """Load a torchvision VGG state dict (``classifier.*`` keys are ignored). Missing,
        unexpected or wrongly shaped ``features.*`` keys are a :class:`DataError` naming them."""
        if not isinstance(state, dict) or not all(isinstance(k, str) for k in state):
            raise DataError(f"{where} is not a state dict (a dict of named tensors)")
        expected = self.expected_shapes()
        given = {k: v for k, v in state.items() if not k.startswith("classifier.")}
        missing = [k for k in expected if k not in given]
        unexpected = [k for k in given if k not in expected]
        wrong = [f"{k} {tuple(given[k].shape)} (want {expected[k]})" for k in expected
                 if k in given and (not isinstance(given[k], torch.Tensor)
                                    or tuple(given[k].shape) != expected[k])]
        problems = []
        if missing:
            problems.append("missing " + _some(missing))
        if unexpected:
            problems.append("unexpected " + _some(unexpected))
        if wrong:
            problems.append("wrong shape " + _some(wrong))
        if problems:
            raise DataError(f"{where} is not a torchvision {self.architecture} state dict: "
                            + "; ".join(problems))
        mine = {f"features.{k}": v for k, v in self.features.state_dict().items()}
        self.features.load_state_dict({k[len("features."):]: given[k].float() for k in mine})

    def load_file(self, weights: str) -> None:
        """Weights from a local torchvision ``.pth`` file, or ``'download'`` (needs the
        network) for torchvision's ImageNet weights. Plain tensors only (``weights_only``)."""
        if weights == "download":
            if datasets.offline():
                raise UsageError("weights='download' needs the network (DLND_OFFLINE is set); "
                                 "pass a local .pth file instead")
            state = torch.hub.load_state_dict_from_url(
                VGG_URLS[self.architecture], model_dir=str(datasets.cache_dir() / "weights"),
                map_location="cpu", weights_only=True)
        else:
            try:
                state = torch.load(Path(weights), map_location="cpu", weights_only=True)
            except FileNotFoundError:
                raise DataError(f"weights file {weights} does not exist") from None
            except IsADirectoryError:
                raise DataError(f"weights file {weights} is a directory") from None
            except Exception as exc:  # not a torch file, or one holding code
                raise DataError(f"{weights} is not a torch state-dict file that loads as "
                                f"plain tensors ({type(exc).__name__})") from None
        self.load_torchvision(state, str(weights))


def _some(items: list[str], shown: int = 4) -> str:
    more = f" and {len(items) - shown} more" if len(items) > shown else ""
    return ", ".join(items[:shown]) + more


class RandomFeatures(nn.Module):
    """One layer of random convolutional filters, each followed by a ReLU, at several scales
    (after Ustyuzhaninov et al. 2017): no training, no data. The paper widens the filters
    (3x3 up to 55x55); here one ``kernel``-sized bank per octave of an image pyramid (full
    size, 1/2, 1/4 ...) sees the same range of scales at a small fraction of the cost (a 55x55
    filter costs 120x a 5x5 one per pixel). Each octave is a style layer; the second (half
    size) is the content layer, so fine texture may change while the layout stays. Filters are
    zero-mean and unit-norm; the input is centred at grey."""

    def __init__(self, octaves: int = 4, kernel: int = 5, channels: int = 64, seed: int = 0):
        super().__init__()
        generator = torch.Generator().manual_seed(seed)
        self.convs = nn.ModuleList()
        for _ in range(octaves):
            conv = nn.Conv2d(3, channels, kernel, padding=kernel // 2, padding_mode="replicate",
                             bias=False)
            w = torch.rand(conv.weight.shape, generator=generator) * 2 - 1
            w = w - w.mean((1, 2, 3), keepdim=True)
            conv.weight.data = w / w.flatten(1).norm(dim=1)[:, None, None, None]
            self.convs.append(conv)
        self.names = [f"octave{o}" for o in range(octaves)]
        self.style_layers = tuple(self.names)
        self.content_layers = (self.names[min(1, octaves - 1)],)
        for p in self.parameters():
            p.requires_grad_(False)
        self.eval()

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        out, x = {}, x - 0.5
        for o, (name, conv) in enumerate(zip(self.names, self.convs, strict=True)):
            if o:
                x = F.avg_pool2d(x, 2, ceil_mode=True)
            out[name] = F.relu(conv(x))
        return out


# The small VGG dlnd trains itself: three VGG blocks (32x32 -> 4x4), a quarter of VGG's widths
SMALL_VGG_LAYOUT = (64, 64, "M", 128, 128, "M", 256, 256, "M")
SMALL_STYLE = ("relu1_1", "relu2_1", "relu3_1")
SMALL_CONTENT = ("relu3_2",)


class TrainedFeatures(LayerFeatures):
    """The convolutional part of a small VGG that :func:`train_small_vgg` trained on the CIFAR-10
    sample (2,000 32x32 photos): the same kind of features as ImageNet VGG, learnt from 600x
    fewer images of 50x fewer pixels."""

    def __init__(self, classifier: nn.Sequential, width: float):
        normalize, vgg = classifier[0], classifier[1]
        _, names = vgg_layers(SMALL_VGG_LAYOUT, width)
        prep = _PixelScale(normalize)
        super().__init__(vgg.features, names, prep, SMALL_STYLE, SMALL_CONTENT)


class _PixelScale(nn.Module):
    """[0, 1] floats into the classifier's standardised input (it was trained on uint8)."""

    def __init__(self, normalize: nn.Module):
        super().__init__()
        self.normalize = normalize

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.normalize(x * 255.0)


def small_vgg(width: float, seed: int):
    """An untrained small VGG classifier (Normalize + :class:`~dlnd.shared.vision.models.VGG`)
    and the CIFAR-10 sample it trains on: (net, training set, 500 held-out images)."""
    from dlnd.shared.vision import data as vision_data
    from dlnd.shared.vision.models import VGG

    train, val = vision_data.split_off(vision_data.load("cifar10-sample", "train"), 500, seed)
    torch.manual_seed(seed)
    net = nn.Sequential(vision_data.Normalize.fit(train.images),
                        VGG(SMALL_VGG_LAYOUT, num_classes=10, width=width))
    return net, train, val


def train_small_vgg(net: nn.Module, train, val, steps: int, seed: int, batch_size: int = 64,
                    lr: float = 1e-3) -> None:
    """Adam on the training images (the shared lessons' loop). Adam, because a VGG without
    batch norm learns slowly with SGD: 400 steps of SGD at lr 0.02 reached 28% held out."""
    from dlnd.shared.vision import lessons

    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    lessons.train_curves(net, optimizer, train, val, steps=steps, batch_size=batch_size,
                         seed=seed, every=steps)


def feature_network(cfg, run) -> tuple[nn.Module, dict[str, float]]:
    """The feature network ``cfg.features`` names (fields ``features weights seed
    random_octaves random_kernel random_channels trained_width trained_steps``), and what to
    report about it. The small VGG is tracked by ``run`` (trained once, restored on resume);
    VGG weights are read from their file every time (too large to copy into every
    checkpoint)."""
    if cfg.features == "random":
        return RandomFeatures(cfg.random_octaves, cfg.random_kernel, cfg.random_channels,
                              cfg.seed), {}
    if cfg.features.startswith("vgg"):
        net = VGGFeatures(cfg.features)
        net.load_file(cfg.weights)
        return net, {}
    from dlnd.shared.vision.evaluate import accuracy, predict_logits

    classifier, train, val = small_vgg(cfg.trained_width, cfg.seed)
    if run.track(feature_classifier=classifier) == 0:
        run.say(f"training the small VGG feature network: {cfg.trained_steps} steps on "
                f"{len(train)} CIFAR-10 sample images")
        train_small_vgg(classifier, train, val, cfg.trained_steps, cfg.seed)
    classifier.eval()
    acc = accuracy(predict_logits(classifier, val.images), val.labels)
    run.say(f"small VGG: {acc:.1%} accuracy on {len(val)} held-out CIFAR-10 images "
            f"(chance 10%)")
    return TrainedFeatures(classifier, cfg.trained_width), {"feature_net_acc": acc}


# ----- images as tensors -----

def read_rgb(path: str, longest: int, multiple: int = 1) -> torch.Tensor:
    """An image file as a float ``(1, 3, H, W)`` tensor in [0, 1], scaled so that its longest
    side is ``longest`` pixels (each side rounded to a multiple of ``multiple``)."""
    from PIL import Image

    from dlnd.shared.images import read_image

    try:
        with Image.open(path) as opened:
            width, height = opened.size
    except (OSError, ValueError):  # read_image says what is wrong with the file
        width = height = longest
    scale = longest / max(width, height)
    w = max(round(width * scale / multiple) * multiple, multiple)
    h = max(round(height * scale / multiple) * multiple, multiple)
    pixels = read_image(path, 3, h, w)
    return (torch.from_numpy(pixels.copy()).permute(2, 0, 1)[None].float() / 255.0).contiguous()


def to_uint8(image: torch.Tensor) -> np.ndarray:
    """A ``(3, H, W)`` or ``(1, 3, H, W)`` float image in [0, 1] as ``(H, W, 3)`` uint8."""
    image = image.detach().cpu().reshape(-1, *image.shape[-2:])
    return (image.clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()


def save_png(image: torch.Tensor, path: Path) -> Path:
    from PIL import Image

    path = Path(path)
    Image.fromarray(to_uint8(image)).save(path)
    return path


def side_by_side(run, name: str, images: dict[str, torch.Tensor], title: str) -> Path:
    """Images in a row, each with its caption: a PNG in the run and a TensorBoard image."""
    from dlnd.shared import plots

    fig = plots.figure(3.2 * len(images), 3.6)
    axes = fig.subplots(1, len(images), squeeze=False)
    for ax, (caption, image) in zip(axes.flat, images.items(), strict=True):
        ax.imshow(to_uint8(image))
        ax.set_title(caption, fontsize=9)
        ax.axis("off")
    fig.suptitle(title, fontsize=10)
    return plots.save(run, name, fig)


# ----- public-domain images drawn here (no photos ship with dlnd) -----

def landscape(size: int = 256, seed: int = 0) -> torch.Tensor:
    """A drawn landscape, ``(1, 3, size, size)`` in [0, 1]: sky, sun, mountain ridges, a lake,
    trees and a house, with shapes and colours drawn from ``seed``."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = np.random.default_rng(seed)
    s = size
    img = Image.new("RGB", (s, s))
    draw = ImageDraw.Draw(img)
    top, bottom = rng.uniform([60, 110, 170], [120, 170, 235]), rng.uniform([190, 200, 215],
                                                                              [240, 235, 250])
    for y in range(s // 2 + 1):
        t = y / (s / 2)
        draw.line([(0, y), (s, y)], fill=tuple(int(v) for v in top * (1 - t) + bottom * t))
    sx, sy, sr = rng.uniform(0.15, 0.85) * s, rng.uniform(0.1, 0.3) * s, rng.uniform(0.04,
                                                                                       0.08) * s
    draw.ellipse([sx - sr, sy - sr, sx + sr, sy + sr], fill=(250, 225, 120))
    for layer in range(3):  # ridges, far (pale) to near (dark)
        base = s * (0.38 + 0.08 * layer)
        points = _ridge(rng, s, base, s * (0.12 - 0.03 * layer))
        shade = np.array([90, 110, 130]) - 25 * layer + rng.integers(-15, 15, 3)
        draw.polygon(points + [(s, s), (0, s)], fill=tuple(int(v) for v in shade))
    meadow = tuple(int(v) for v in rng.uniform([60, 120, 40], [110, 170, 70]))
    draw.rectangle([0, int(s * 0.62), s, s], fill=meadow)
    lake_y = s * 0.75
    draw.ellipse([s * rng.uniform(0.05, 0.3), lake_y - s * 0.06, s * rng.uniform(0.55, 0.8),
                  lake_y + s * 0.08], fill=(70, 120, 180))
    hx, hw = rng.uniform(0.55, 0.75) * s, s * 0.14
    hy = s * 0.6
    draw.rectangle([hx, hy, hx + hw, hy + hw * 0.8], fill=(200, 80, 60))
    draw.polygon([(hx - hw * 0.1, hy), (hx + hw * 1.1, hy), (hx + hw / 2, hy - hw * 0.55)],
                 fill=(90, 50, 40))
    draw.rectangle([hx + hw * 0.4, hy + hw * 0.4, hx + hw * 0.6, hy + hw * 0.8],
                   fill=(60, 40, 30))
    for _ in range(int(rng.integers(4, 9))):  # fir trees
        tx, ty, th = rng.uniform(0, 1) * s, rng.uniform(0.64, 0.95) * s, rng.uniform(0.08,
                                                                                      0.16) * s
        draw.rectangle([tx - th * 0.05, ty, tx + th * 0.05, ty + th * 0.2], fill=(80, 50, 30))
        draw.polygon([(tx - th * 0.3, ty), (tx + th * 0.3, ty), (tx, ty - th)],
                     fill=(20, int(rng.integers(70, 110)), 40))
    img = img.filter(ImageFilter.SMOOTH)
    return _tensor(img)


def _ridge(rng, s: int, base: float, height: float) -> list[tuple[float, float]]:
    """A mountain ridge by midpoint displacement."""
    ys = np.array([base - rng.uniform(0, height), base - rng.uniform(0, height)])
    rough = height
    while len(ys) < 65:
        mids = (ys[:-1] + ys[1:]) / 2 + rng.normal(0, rough * 0.5, len(ys) - 1)
        out = np.empty(len(ys) * 2 - 1)
        out[0::2], out[1::2] = ys, mids
        ys, rough = out, rough * 0.6
    xs = np.linspace(0, s, len(ys))
    return [(float(x), float(y)) for x, y in zip(xs, ys, strict=True)]


def painting(size: int = 256, seed: int = 0) -> torch.Tensor:
    """A painterly texture, ``(1, 3, size, size)`` in [0, 1]: thousands of short curved brush
    strokes in a night-sky palette of blues and yellows, following a swirling flow field."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = np.random.default_rng(seed)
    s = size
    palette = np.array([[20, 40, 100], [40, 80, 160], [70, 120, 200], [240, 210, 80],
                        [250, 240, 160], [20, 25, 50], [100, 160, 210]])
    img = Image.new("RGB", (s, s), (30, 50, 110))
    draw = ImageDraw.Draw(img)
    centres = rng.uniform(0, s, (4, 2))
    width = max(s // 64, 1)
    for _ in range(int(3.0 * s * s / width ** 2 / 12)):
        x, y = rng.uniform(0, s, 2)
        colour = palette[rng.choice(len(palette), p=[.2, .22, .18, .12, .08, .1, .1])]
        colour = tuple(int(v) for v in np.clip(colour + rng.integers(-20, 20, 3), 0, 255))
        points = [(x, y)]
        for _ in range(int(rng.integers(3, 7))):
            dx, dy = x - centres[:, 0], y - centres[:, 1]
            r2 = dx ** 2 + dy ** 2 + 1.0
            vx = float(np.sum(-dy / r2 * s)) + 0.3
            vy = float(np.sum(dx / r2 * s)) + 0.1
            norm = math.hypot(vx, vy) + 1e-9
            x, y = x + 2.0 * width * vx / norm, y + 2.0 * width * vy / norm
            points.append((x, y))
        draw.line(points, fill=colour, width=width + int(rng.integers(0, 2)), joint="curve")
    img = img.filter(ImageFilter.GaussianBlur(0.4))
    return _tensor(img)


def _tensor(img) -> torch.Tensor:
    return torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0).permute(2, 0, 1)[None] \
        .contiguous()
