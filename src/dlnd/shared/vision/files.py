"""Which files each image dataset has: light (no torch), so that a project's declaration can
name its data (``Project.data``) without importing torch."""

from __future__ import annotations

from dlnd.core import idx
from dlnd.core.errors import UsageError

CIFAR_SAMPLE_FILES = {"train": "data_batch_1_first2000.bin.gz",
                      "test": "test_batch_first1000.bin.gz"}
CIFAR_TARBALL = "cifar-10-python.tar.gz"
# Mirror images are still members of their class for clothes and objects, not for digits.
FLIP_INVARIANT = {"mnist": False, "fashion-mnist": True, "cifar10": True, "cifar10-sample": True}
DATASETS = tuple(FLIP_INVARIANT)


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
