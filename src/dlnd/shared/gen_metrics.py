"""Measured sample quality for image generators, on the features of a domain classifier.

"FID (domain classifier)" is the Fréchet distance between Gaussians fitted to the penultimate
features of generated and real images, with the features taken from a small classifier dlnd
trains on the same domain (MNIST digits, Fashion-MNIST clothes), not from Inception: the numbers
are comparable between dlnd's models on one dataset, never with published Inception FIDs.

Besides the distance, :func:`evaluate` reports

- the floor: the same distance between the two halves of the real test set (what a perfect
  generator would score, up to sample-size bias);
- mode coverage: the classifier's confident class (p >= 0.9) of every sample, as a histogram;
  ``classes_covered`` counts the classes that hold at least 1% of the confident samples, and
  ``class_evenness`` is the histogram's entropy over log(classes) (1 = perfectly even);
- precision and recall for generative models (Kynkäänniemi et al. 2019): each set's k-nearest-
  neighbour balls (k = 3) approximate its manifold; precision is the share of samples inside the
  real manifold, recall the share of real images inside the samples' manifold.

The classifier (shared.vision's ResNet, small) is trained once per dataset and settings and cached
as safetensors in the dlnd cache (``$DLND_CACHE/gen-metrics/``), never as a pickle.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from dlnd.core import datasets
from dlnd.shared.vision import data as vision_data
from dlnd.shared.vision.models import ResNet

NAME = "FID (domain classifier)"
CONFIDENT = 0.9  # a sample counts for its class when the classifier gives it this probability
COVERED_SHARE = 0.01  # a class is covered when it holds this share of the confident samples
K = 3  # neighbours for the precision/recall manifolds (Kynkäänniemi et al.)
CACHE_VERSION = 1


# ----- the Fréchet distance -----

def gaussian(features: np.ndarray | torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance (rows are samples), in float64."""
    x = np.asarray(features, dtype=np.float64)
    return x.mean(0), np.cov(x, rowvar=False)


def frechet_distance(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray,
                     sigma2: np.ndarray) -> float:
    """||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^1/2), the Fréchet (2-Wasserstein) distance
    between two Gaussians. The trace of the square root is taken from the eigenvalues of
    S1^1/2 S2 S1^1/2 (symmetric, so real and stable), not from a general matrix square root."""
    mu1, mu2 = np.atleast_1d(mu1), np.atleast_1d(mu2)
    sigma1, sigma2 = np.atleast_2d(sigma1), np.atleast_2d(sigma2)
    values, vectors = np.linalg.eigh(sigma1)
    root1 = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    middle = root1 @ sigma2 @ root1
    trace_root = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None)).sum()
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * trace_root)


def fid(features_a, features_b) -> float:
    """The Fréchet distance between Gaussians fitted to two feature sets."""
    return frechet_distance(*gaussian(features_a), *gaussian(features_b))


# ----- precision and recall (Kynkäänniemi et al. 2019) -----

def _kth_radius(x: torch.Tensor, k: int, chunk: int) -> torch.Tensor:
    """Distance of each row to its k-th nearest other row."""
    out = []
    for start in range(0, len(x), chunk):
        d = torch.cdist(x[start:start + chunk], x)
        out.append(d.kthvalue(k + 1, dim=1).values)  # the row itself is at distance 0
    return torch.cat(out)


def _inside(points: torch.Tensor, centres: torch.Tensor, radii: torch.Tensor,
            chunk: int) -> torch.Tensor:
    """Whether each point lies in at least one ball (centre, radius)."""
    out = []
    for start in range(0, len(points), chunk):
        d = torch.cdist(points[start:start + chunk], centres)
        out.append((d <= radii[None, :]).any(1))
    return torch.cat(out)


def precision_recall(real, fake, k: int = K, chunk: int = 1000) -> tuple[float, float]:
    """(precision, recall) of ``fake`` features against ``real`` ones, with k-NN manifolds."""
    real = torch.as_tensor(np.asarray(real), dtype=torch.float32)
    fake = torch.as_tensor(np.asarray(fake), dtype=torch.float32)
    precision = _inside(fake, real, _kth_radius(real, k, chunk), chunk).float().mean()
    recall = _inside(real, fake, _kth_radius(fake, k, chunk), chunk).float().mean()
    return float(precision), float(recall)


# ----- mode coverage -----

def coverage(probabilities: torch.Tensor) -> dict[str, float]:
    """How many classes the confident samples cover, and how evenly (see the module doc)."""
    n_classes = probabilities.shape[1]
    top, label = probabilities.max(1)
    counts = torch.bincount(label[top >= CONFIDENT], minlength=n_classes).double()
    confident = float(counts.sum())
    if confident == 0:
        return {"classes_covered": 0.0, "class_evenness": 0.0, "confident_share": 0.0}
    share = counts / confident
    nonzero = share[share > 0]
    entropy = float(-(nonzero * nonzero.log()).sum())
    return {"classes_covered": float((share >= COVERED_SHARE).sum()),
            "class_evenness": entropy / math.log(n_classes),
            "confident_share": confident / len(probabilities)}


def histogram(probabilities: torch.Tensor) -> list[int]:
    """Confident samples per class."""
    top, label = probabilities.max(1)
    return torch.bincount(label[top >= CONFIDENT], minlength=probabilities.shape[1]).tolist()


# ----- the domain classifier -----

@dataclass(frozen=True)
class ClassifierSettings:
    """How the feature classifier is trained (part of its cache key). Width and epochs come
    from the GAN config (``classifier_width``, ``classifier_epochs``: their defaults and why)."""

    width: int  # channels of the ResNet's first stage (then 2x, 4x features)
    epochs: int  # passes over the training images
    train_limit: int | None = None  # the first this many training images (None = all)
    batch_size: int = 128
    lr: float = 0.1  # SGD with Nesterov momentum, one cycle down to 0
    seed: int = 0


class DomainClassifier:
    """A small ResNet (``dlnd.shared.vision.models``) on uint8 images, for features and class
    probabilities; its test accuracy says how far its features can be trusted."""

    def __init__(self, net: ResNet, normalize: vision_data.Normalize, accuracy: float):
        self.net, self.normalize, self.accuracy = net.eval(), normalize, accuracy

    @torch.no_grad()
    def features_and_probabilities(self, images: torch.Tensor, batch_size: int = 500
                                   ) -> tuple[np.ndarray, torch.Tensor]:
        feats, probs = [], []
        for start in range(0, len(images), batch_size):
            x = self.normalize(images[start:start + batch_size])
            f = self.net.features_of(x)
            feats.append(f)
            probs.append(self.net.fc(f).softmax(1))
        return torch.cat(feats).numpy().astype(np.float64), torch.cat(probs)


def _make_net(settings: ClassifierSettings, channels: int, n_classes: int) -> ResNet:
    return ResNet(num_classes=n_classes, in_channels=channels, width=settings.width,
                  blocks=(1, 1, 1), small_input=True)


def _cache_file(dataset: str, settings: ClassifierSettings) -> Path:
    key = json.dumps({"dataset": dataset, "version": CACHE_VERSION, **asdict(settings)},
                     sort_keys=True)
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return datasets.cache_dir() / "gen-metrics" / f"{dataset}-classifier-{digest}.safetensors"


def train_classifier(train: vision_data.ImageSet, test: vision_data.ImageSet,
                     settings: ClassifierSettings,
                     say: Callable[[str], None] = lambda _: None) -> DomainClassifier:
    """Train the feature classifier (seeded; torch's global RNG is left as it was)."""
    images, labels = train.images, train.labels
    if settings.train_limit is not None:
        images, labels = images[:settings.train_limit], labels[:settings.train_limit]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(settings.seed)
        normalize = vision_data.Normalize.fit(images)
        net = _make_net(settings, images.shape[1], len(train.classes))
        opt = torch.optim.SGD(net.parameters(), lr=settings.lr, momentum=0.9, nesterov=True,
                              weight_decay=5e-4)
        order_rng = torch.Generator().manual_seed(settings.seed)
        steps = max(len(images) // settings.batch_size, 1)
        total = settings.epochs * steps
        for epoch in range(settings.epochs):
            net.train()
            order = torch.randperm(len(images), generator=order_rng)
            for b in range(steps):
                step = epoch * steps + b
                for group in opt.param_groups:
                    group["lr"] = settings.lr * (1 - step / total)
                idx = order[b * settings.batch_size:(b + 1) * settings.batch_size]
                loss = F.cross_entropy(net(normalize(images[idx])), labels[idx])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
    classifier = DomainClassifier(net, normalize, 0.0)
    _, probs = classifier.features_and_probabilities(test.images)
    classifier.accuracy = float((probs.argmax(1) == test.labels).float().mean())
    say(f"{NAME}: trained its feature classifier on {len(images):,} images, test accuracy "
        f"{classifier.accuracy:.2%}")
    return classifier


def domain_classifier(dataset: str, train: vision_data.ImageSet, test: vision_data.ImageSet,
                      settings: ClassifierSettings,
                      say: Callable[[str], None] = lambda _: None) -> DomainClassifier:
    """The cached feature classifier for ``dataset`` (trained and cached when missing)."""
    from safetensors.torch import load_file, save_file

    file = _cache_file(dataset, settings)
    channels, n_classes = train.images.shape[1], len(train.classes)
    if file.exists():
        try:
            state = load_file(str(file))
            net = _make_net(settings, channels, n_classes)
            accuracy = float(state.pop("__accuracy__"))
            normalize = vision_data.Normalize(state.pop("__mean__"), state.pop("__std__"))
            net.load_state_dict(state)
            return DomainClassifier(net, normalize, accuracy)
        except Exception:  # a damaged or foreign cache file: train again and replace it
            file.unlink(missing_ok=True)
    classifier = train_classifier(train, test, settings, say)
    state = {k: v.contiguous() for k, v in classifier.net.state_dict().items()}
    state["__mean__"] = classifier.normalize.mean.flatten().clone()
    state["__std__"] = classifier.normalize.std.flatten().clone()
    state["__accuracy__"] = torch.tensor(classifier.accuracy, dtype=torch.float64)
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        tmp = file.with_name(file.name + ".part")
        save_file(state, str(tmp))
        tmp.replace(file)
    except OSError:  # a read-only cache: the classifier is used all the same
        pass
    return classifier


# ----- standard Inception FID, when it can be had -----

def inception_fid(samples: torch.Tensor, real: torch.Tensor) -> float | None:
    """Standard (Inception-v3) FID of uint8 ``samples`` against ``real`` images via
    ``torchmetrics`` (which fetches its Inception weights when first used), or ``None`` when
    torchmetrics or the weights cannot be had: it is reported where possible, never needed."""
    try:
        from torchmetrics.image.fid import FrechetInceptionDistance

        metric = FrechetInceptionDistance(feature=2048)
        for images, is_real in ((real, True), (samples, False)):
            for start in range(0, len(images), 200):
                batch = images[start:start + 200]
                if batch.shape[1] == 1:
                    batch = batch.expand(-1, 3, -1, -1)
                metric.update(batch.contiguous(), real=is_real)
        return float(metric.compute())
    except Exception:  # not installed, no network for the weights, too few images ...
        return None


# ----- everything at once -----

def evaluate(classifier: DomainClassifier, samples: torch.Tensor, test: vision_data.ImageSet,
             pr_size: int = 10_000) -> dict[str, float]:
    """All measures of uint8 ``samples`` against the real ``test`` images (see module doc)."""
    real_f, _ = classifier.features_and_probabilities(test.images)
    fake_f, fake_p = classifier.features_and_probabilities(samples)
    # random halves: MNIST's first 5,000 test digits come from other writers than its last
    halves = np.random.default_rng(0).permutation(len(real_f))
    half = len(real_f) // 2
    n = min(pr_size, len(real_f), len(fake_f))
    precision, recall = precision_recall(real_f[:n], fake_f[:n])
    return {"fid_domain": fid(fake_f, real_f),
            "fid_floor": fid(real_f[halves[:half]], real_f[halves[half:]]),
            **coverage(fake_p), "precision": precision, "recall": recall,
            "classifier_acc": classifier.accuracy}
