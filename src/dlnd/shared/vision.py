"""Shared vision helpers: image datasets as uint8 tensors, batch augmentation as tensor ops,
evaluation with test-time flips, and small torchvision-compatible architectures (VGG, ResNet).

Images stay uint8 ``(N, C, H, W)`` in memory (60,000 Fashion-MNIST images are 47 MB); models start
with a :class:`Normalize` layer that holds the training-set mean and std, so a saved model takes
raw pixels and ``dlnd predict`` needs nothing else.
"""

from __future__ import annotations

import pickle
import tarfile
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from dlnd.core import datasets, idx
from dlnd.core.errors import DataError, UsageError

CIFAR_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
                 "truck")
FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                   "Sneaker", "Bag", "Ankle boot")
MNIST_CLASSES = tuple("0123456789")
CIFAR_RECORD = 1 + 3 * 32 * 32  # binary format: a label byte, then the R, G and B planes
CIFAR_SAMPLE_FILES = {"train": "data_batch_1_first2000.bin.gz",
                      "test": "test_batch_first1000.bin.gz"}
CIFAR_TARBALL = "cifar-10-python.tar.gz"
CIFAR_PICKLES = {"train": [f"cifar-10-batches-py/data_batch_{i}" for i in range(1, 6)],
                 "test": ["cifar-10-batches-py/test_batch"]}
# Mirror images are still members of their class for clothes and objects, not for digits.
FLIP_INVARIANT = {"mnist": False, "fashion-mnist": True, "cifar10": True, "cifar10-sample": True}
DATASETS = tuple(FLIP_INVARIANT)


@dataclass
class ImageSet:
    images: torch.Tensor  # (N, C, H, W) uint8
    labels: torch.Tensor  # (N,) int64
    classes: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, index: torch.Tensor) -> ImageSet:
        return ImageSet(self.images[index], self.labels[index], self.classes)


def files(dataset: str) -> tuple[tuple[str, str], ...]:
    """The (dataset, file) pairs :func:`load` reads, for ``Project.data``."""
    if dataset in ("mnist", "fashion-mnist"):
        return tuple((dataset, name + ".gz") for pair in idx.SPLITS.values() for name in pair)
    if dataset == "cifar10-sample":
        return tuple((dataset, name) for name in (*CIFAR_SAMPLE_FILES.values(),
                                                  "batches.meta.txt"))
    if dataset == "cifar10":
        return ((dataset, CIFAR_TARBALL),)
    raise UsageError(f"unknown image dataset {dataset!r}; choose one of {', '.join(DATASETS)}")


def load(dataset: str, split: str) -> ImageSet:
    """The ``split`` ("train" or "test") of an image dataset as uint8 tensors."""
    if split not in ("train", "test"):
        raise DataError(f"image split must be 'train' or 'test', not {split!r}")
    files(dataset)  # rejects unknown names
    if dataset in ("mnist", "fashion-mnist"):
        images, labels = idx.load(dataset, split)
        images = images[:, None]
        classes = MNIST_CLASSES if dataset == "mnist" else FASHION_CLASSES
    elif dataset == "cifar10-sample":
        path = datasets.path(dataset, CIFAR_SAMPLE_FILES[split])
        with datasets.open_bytes(path) as fh:
            images, labels = read_cifar_binary(fh.read(), str(path))
        meta = datasets.read_text(datasets.path(dataset, "batches.meta.txt"))
        classes = tuple(line.strip() for line in meta.splitlines() if line.strip())
    else:
        images, labels = read_cifar_tarball(datasets.path(dataset, CIFAR_TARBALL), split)
        classes = CIFAR_CLASSES
    return ImageSet(torch.from_numpy(np.array(images)),
                    torch.from_numpy(labels.astype(np.int64)), classes)


def read_cifar_binary(raw: bytes, where: str = "CIFAR-10 data") -> tuple[np.ndarray, np.ndarray]:
    """Official binary records: ``(images (N, 3, 32, 32) uint8, labels (N,) uint8)``."""
    if not raw or len(raw) % CIFAR_RECORD:
        raise DataError(f"{where} holds {len(raw)} bytes, not a whole number of "
                        f"{CIFAR_RECORD}-byte CIFAR-10 records")
    records = np.frombuffer(raw, dtype=np.uint8).reshape(-1, CIFAR_RECORD)
    labels = records[:, 0].copy()
    if labels.max() > 9:
        raise DataError(f"{where} has label {labels.max()}; CIFAR-10 labels are 0-9")
    return records[:, 1:].reshape(-1, 3, 32, 32), labels


def read_cifar_tarball(path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """The python-pickle batches inside ``cifar-10-python.tar.gz`` (no extraction to disk)."""
    images, labels = [], []
    with tarfile.open(path, "r:gz") as tar:
        for member in CIFAR_PICKLES[split]:
            try:
                batch = pickle.load(tar.extractfile(member), encoding="bytes")
            except KeyError:
                raise DataError(f"{path} has no {member}; is it cifar-10-python.tar.gz?") from None
            images.append(np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32))
            labels.append(np.asarray(batch[b"labels"], dtype=np.uint8))
    return np.concatenate(images), np.concatenate(labels)


def split_off(data: ImageSet, size: int, seed: int) -> tuple[ImageSet, ImageSet]:
    """(rest, held out): ``size`` random images held out, e.g. for validation."""
    if not 0 < size < len(data):
        raise DataError(f"cannot hold out {size} of {len(data)} images")
    order = torch.randperm(len(data), generator=torch.Generator().manual_seed(seed))
    return data.subset(order[size:]), data.subset(order[:size])


# ----- augmentation on whole batches -----

def random_translate(images: torch.Tensor, pad: int, generator: torch.Generator) -> torch.Tensor:
    """Shift each image by up to ``pad`` pixels each way (zero fill): one gather for the batch."""
    if pad == 0:
        return images
    n, _, h, w = images.shape
    padded = F.pad(images, (pad, pad, pad, pad))
    device = images.device
    dy, dx = torch.randint(0, 2 * pad + 1, (2, n, 1), generator=generator, device=device)
    rows = (torch.arange(h, device=device) + dy)[:, :, None]  # (n, h, 1)
    cols = (torch.arange(w, device=device) + dx)[:, None, :]  # (n, 1, w)
    batch = torch.arange(n, device=device)[:, None, None]
    return padded.permute(0, 2, 3, 1)[batch, rows, cols].permute(0, 3, 1, 2)


def random_flip(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Mirror a random half of the batch left-right."""
    mask = torch.rand(len(images), generator=generator, device=images.device) < 0.5
    return torch.where(mask[:, None, None, None], images.flip(3), images)


def augment(images: torch.Tensor, pad: int, flip: bool, generator: torch.Generator):
    images = random_translate(images, pad, generator)
    return random_flip(images, generator) if flip else images


# ----- models -----

class Normalize(nn.Module):
    """uint8 pixels -> float, standardised with the training set's per-channel mean and std."""

    def __init__(self, mean: torch.Tensor, std: torch.Tensor):
        super().__init__()
        self.register_buffer("mean", mean.reshape(1, -1, 1, 1).float())
        self.register_buffer("std", std.reshape(1, -1, 1, 1).float())

    @classmethod
    def fit(cls, images: torch.Tensor) -> Normalize:
        pixels = images.float().transpose(0, 1).reshape(images.shape[1], -1)
        return cls(pixels.mean(1), pixels.std(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x.float() - self.mean) / self.std


@torch.no_grad()
def predict_logits(model: nn.Module, images: torch.Tensor, *, batch_size: int = 1000,
                   flip_tta: bool = False, device: str = "cpu") -> torch.Tensor:
    """Logits for uint8 ``images`` in eval mode; with ``flip_tta`` averaged with the mirror's."""
    model.eval()
    out = []
    for start in range(0, len(images), batch_size):
        batch = images[start:start + batch_size].to(device)
        logits = model(batch).float()
        if flip_tta:
            logits = (logits + model(batch.flip(3)).float()) / 2
        out.append(logits.cpu())
    return torch.cat(out)


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    return float((logits.argmax(1) == labels).float().mean())


def confusion(predicted: torch.Tensor, labels: torch.Tensor, n_classes: int) -> torch.Tensor:
    """``(true class, predicted class)`` counts."""
    return torch.bincount(labels * n_classes + predicted,
                          minlength=n_classes * n_classes).reshape(n_classes, n_classes)


VGG16_LAYOUT = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
                512, 512, 512, "M")


class VGG(nn.Module):
    """torchvision's VGG (``features.N`` / ``classifier.N`` keys, so its state dicts load).

    ``width`` scales every layer (1.0 = VGG16); ``feature_dim`` is what :meth:`features_of`
    returns per image after global average pooling."""

    def __init__(self, layout=VGG16_LAYOUT, num_classes: int = 1000, in_channels: int = 3,
                 width: float = 1.0):
        super().__init__()
        layers, channels = [], in_channels
        for item in layout:
            if item == "M":
                layers.append(nn.MaxPool2d(2))
            else:
                out = max(int(item * width), 1)
                layers += [nn.Conv2d(channels, out, 3, padding=1), nn.ReLU(inplace=True)]
                channels = out
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(7)
        hidden = max(int(4096 * width), 1)
        self.classifier = nn.Sequential(
            nn.Linear(channels * 49, hidden), nn.ReLU(inplace=True), nn.Dropout(),
            nn.Linear(hidden, hidden), nn.ReLU(inplace=True), nn.Dropout(),
            nn.Linear(hidden, num_classes))
        self.feature_dim = channels

    def features_of(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x).mean((2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class BasicBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                            nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(out)) + identity)


class ResNet(nn.Module):
    """torchvision's ResNet-18 (``conv1``, ``layer1.0.conv1`` ... ``fc`` keys).

    ``width`` is the first stage's channels (64 = ResNet-18); ``small_input`` replaces the 7x7
    stride-2 stem and max pool by one 3x3 conv, for 28-32 pixel images."""

    def __init__(self, num_classes: int = 1000, in_channels: int = 3, width: int = 64,
                 blocks=(2, 2, 2, 2), small_input: bool = False):
        super().__init__()
        if small_input:
            self.conv1 = nn.Conv2d(in_channels, width, 3, 1, 1, bias=False)
            self.maxpool = nn.Identity()
        else:
            self.conv1 = nn.Conv2d(in_channels, width, 7, 2, 3, bias=False)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        channels = width
        for stage, count in enumerate(blocks):
            out = width * 2 ** stage
            stride = 1 if stage == 0 else 2
            layer = [BasicBlock(channels if i == 0 else out, out, stride if i == 0 else 1)
                     for i in range(count)]
            self.add_module(f"layer{stage + 1}", nn.Sequential(*layer))
            channels = out
        self.stages = len(blocks)
        self.fc = nn.Linear(channels, num_classes)
        self.feature_dim = channels

    def features_of(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        for stage in range(self.stages):
            x = getattr(self, f"layer{stage + 1}")(x)
        return x.mean((2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features_of(x))


# ----- image files (dlnd predict) -----

def read_images(paths: list[str], shape: tuple[int, int, int]) -> torch.Tensor:
    """Image files as a uint8 batch ``(N, *shape)``: converted to grey or RGB and resized."""
    from PIL import Image, UnidentifiedImageError

    channels, height, width = shape
    out = []
    for path in paths:
        try:
            with Image.open(path) as image:
                image = image.convert("L" if channels == 1 else "RGB").resize((width, height))
                array = np.asarray(image, dtype=np.uint8).reshape(height, width, channels)
        except (FileNotFoundError, UnidentifiedImageError, OSError) as exc:
            raise UsageError(f"cannot read image {path}: {exc}") from None
        out.append(torch.from_numpy(array.copy()).permute(2, 0, 1))
    return torch.stack(out)


def top3_lines(names: list[str], probabilities: torch.Tensor, classes: tuple[str, ...]):
    """One line per input: ``name: class p, class p, class p``."""
    lines = []
    for name, probs in zip(names, probabilities, strict=True):
        top = probs.topk(min(3, len(classes)))
        ranked = ", ".join(f"{classes[i]} {p:.3f}" for p, i in zip(top.values.tolist(),
                                                                   top.indices.tolist(),
                                                                   strict=True))
        lines.append(f"{name}: {ranked}")
    return lines


# ----- lesson experiments: many small classifiers, one curve each -----

@dataclass
class Curves:
    """Training curves of one classifier, sampled every few steps."""

    steps: list[int]
    train_loss: list[float]  # mean batch loss since the previous sample
    val_acc: list[float]


def train_curves(model: nn.Module, optimizer: torch.optim.Optimizer, train: ImageSet,
                 val: ImageSet, *, steps: int, batch_size: int, seed: int, every: int) -> Curves:
    """``steps`` optimizer steps on shuffled batches (the same order for the same ``seed``),
    recording the loss and validation accuracy every ``every`` steps. A diverged loss (inf/nan)
    is recorded, not raised: watching it happen is the point of these lessons."""
    generator = torch.Generator().manual_seed(seed)
    per_epoch = max(len(train) // batch_size, 1)
    curves = Curves([], [], [])
    losses = []
    model.train()
    for step in range(steps):
        if step % per_epoch == 0:
            order = torch.randperm(len(train), generator=generator)
        idx = order[(step % per_epoch) * batch_size:(step % per_epoch + 1) * batch_size]
        loss = F.cross_entropy(model(train.images[idx]), train.labels[idx])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.detach())
        if (step + 1) % every == 0 or step + 1 == steps:
            curves.steps.append(step + 1)
            curves.train_loss.append(float(torch.stack(losses).mean()))
            curves.val_acc.append(accuracy(predict_logits(model, val.images), val.labels))
            model.train()
            losses = []
    return curves


def log_curves(run_path, name: str, curves: Curves) -> None:
    """Write ``curves`` as the TensorBoard run ``<run>/tensorboard/<name>`` (replacing any
    partial one), so that TensorBoard draws every variant side by side under the same tags."""
    import shutil
    from pathlib import Path

    from dlnd.core.runs import TensorBoardLog

    log_dir = Path(run_path) / "tensorboard" / name
    shutil.rmtree(log_dir, ignore_errors=True)
    log_dir.mkdir(parents=True)
    tb = TensorBoardLog(log_dir)
    for step, loss, acc in zip(curves.steps, curves.train_loss, curves.val_acc, strict=True):
        tb.scalar("train/loss", loss, step)
        tb.scalar("val/acc", acc, step)
    tb.close()


def flat_pixels(x: torch.Tensor) -> torch.Tensor:
    """uint8 images -> float rows in [0, 1], as the course's MNIST loader gave them."""
    return x.flatten(1).float() / 255.0


def train_val_test(dataset: str, val_size: int, seed: int) -> tuple[ImageSet, ImageSet, ImageSet]:
    """The training set less ``val_size`` random images, those images, and the test set."""
    train, val = split_off(load(dataset, "train"), val_size, seed)
    return train, val, load(dataset, "test")


@dataclass
class Variant:
    """One arm of a lesson experiment: a fresh model and its optimizer, built on demand."""

    name: str
    build: object  # () -> (nn.Module, torch.optim.Optimizer)


def run_variants(run, variants: list[Variant], data: tuple[ImageSet, ImageSet, ImageSet], *,
                 seed: int, steps: int, batch_size: int, every: int):
    """Train each variant from the same seed on the same batch order; one TensorBoard run and
    one checkpoint per finished variant, so an interrupted lesson resumes at the next one.
    Returns ``({name: test accuracy}, {name: Curves})``."""
    train, val, test = data
    state = run.load_checkpoint()
    done = state["done"] if state else 0
    results, curves = (state["results"], state["curves"]) if state else ({}, {})
    for i in run.epochs(len(variants), done):
        variant = variants[i]
        torch.manual_seed(seed)
        model, optimizer = variant.build()
        curves[variant.name] = train_curves(model, optimizer, train, val, steps=steps,
                                            batch_size=batch_size, seed=seed, every=every)
        results[variant.name] = accuracy(predict_logits(model, test.images), test.labels)
        log_curves(run.path, variant.name, curves[variant.name])
        run.log(i, {"test/acc": results[variant.name]})
        run.report(i, len(variants), {variant.name: results[variant.name]})
        run.save_checkpoint({"step": i, "done": i + 1, "results": results, "curves": curves})
        if run.stop_requested:
            break
    return results, curves


def plot_curves(run, name: str, curves: dict[str, Curves], metric: str, panels=None) -> None:
    """``metric`` ("train_loss" or "val_acc") of every variant: one PNG + TensorBoard image.
    ``panels`` maps a panel title to the variant names drawn in it (default: one panel)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = panels or {"": list(curves)}
    fig, axes = plt.subplots(1, len(panels), figsize=(4.5 * len(panels), 3.6), squeeze=False)
    for ax, (title, names) in zip(axes.flat, panels.items(), strict=True):
        for variant in names:
            values = np.asarray(getattr(curves[variant], metric), dtype=float)
            ax.plot(curves[variant].steps, np.where(np.isfinite(values), values, np.nan),
                    label=variant)
        ax.set_title(title)
        ax.set_xlabel("training step")
        ax.set_ylabel(metric.replace("_", " "))
        if metric == "train_loss":
            ax.set_yscale("log")
        ax.legend(fontsize=7)
    fig.tight_layout()
    run.log_figure(name, fig)
    plt.close(fig)


def results_table(results: dict[str, float], header: str) -> str:
    """A Markdown table of test accuracies."""
    lines = [f"| {header} | test accuracy |", "|---|---:|"]
    lines += [f"| {name} | {acc:.1%} |" for name, acc in results.items()]
    return "\n".join(lines) + "\n"
