"""Image classification on the real data: one JSON line per dataset (CIFAR-10 only when the full
tarball is present). Uses both cores of the 2-core CPU (THREADS=1 when another job shares the
machine). Fashion-MNIST runs the project's default (11 epochs, the first 6 on 20x20 images),
MNIST 2 epochs (the first on 20x20 images); the goals with the 1.5x margin for slower machines of
this kind: 94% in 600 s, 99.4% in 200 s.

    DLND_DATA_DIR=../shared/data python bench/vision.py
"""

import json
import os
import tempfile

import dlnd
from dlnd.core import datasets

THREADS = int(os.environ.get("THREADS", "2"))
RECIPES = {
    "fashion-mnist": {"epochs": 11},
    "mnist": {"epochs": 2},
    # airbench-class widths; expected accuracy unverified until run on the full set.
    "cifar10": {"epochs": 10, "widths": (64, 128, 256, 512), "batch_size": 512, "lr": 0.4},
}


def present(dataset: str) -> bool:
    return all(s.path is not None for s in datasets.status(dataset, check=False))


with tempfile.TemporaryDirectory() as out:
    for dataset, recipe in RECIPES.items():
        if not present(dataset):
            continue
        summary = dlnd.run("image-classification", dataset=dataset, threads=THREADS, out=out,
                           verbose=False, **recipe)
        metrics = summary["metrics"]
        print(json.dumps({"dataset": dataset, "test_acc": round(metrics["test_acc"], 4),
                          "val_acc": round(metrics["val_acc"], 4),
                          "wall_s": round(summary["wall_s"], 1),
                          "images_per_s": round(metrics["train_images_per_s"], 1),
                          "device": summary["device"], "epochs": recipe["epochs"]}), flush=True)
