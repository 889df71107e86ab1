"""mnist-mlp with its default config on Fashion-MNIST and on MNIST: one JSON line per dataset.

    DLND_DATA_DIR=../shared/data python bench/mnist_mlp.py [--seed 0]
"""

import argparse
import json
import tempfile
import time

import dlnd
from dlnd.engine import tune_allocator

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

with tempfile.TemporaryDirectory() as out:
    for dataset in ("fashion-mnist", "mnist"):
        start = time.perf_counter()
        tune_allocator()  # as `dlnd run` does
        summary = dlnd.run("mnist-mlp", dataset=dataset, seed=args.seed, out=out, verbose=False)
        print(json.dumps({"project": "mnist-mlp", "dataset": dataset,
                          "test_acc": round(summary["metrics"]["test_acc"], 4),
                          "val_acc": round(summary["metrics"]["val_acc"], 4),
                          "seed": args.seed,
                          "wall_s": round(time.perf_counter() - start, 1)}), flush=True)
