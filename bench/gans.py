"""GANs on the real data: one JSON line per (model, dataset), default configs, the FID (domain
classifier) of 10,000 samples against the test set, its floor (the two halves of the test set),
classes covered, precision and recall (k = 3), and the run's wall time. The domain classifier of
each dataset is trained (and cached) before the runs, outside their wall time (its time goes to
stderr). Both cores of the idle 2-core machine by default, as the README's table of default-run
times; THREADS=1 when other jobs share it (two threads were then ~7x slower per step than one).

    DLND_DATA_DIR=../shared/data python bench/gans.py [--only dcgan:mnist ...]
"""

import argparse
import json
import os
import sys
import tempfile
import time

import dlnd
from dlnd.core import datasets
from dlnd.projects.dcgan.config import DcganConfig
from dlnd.shared import gan, gen_metrics

THREADS = int(os.environ.get("THREADS", "2"))
PAIRS = [("gan-mnist", "mnist"), ("dcgan", "mnist"), ("gan-mnist", "fashion-mnist"),
         ("dcgan", "fashion-mnist"), ("dcgan", "svhn")]


def present(dataset: str) -> bool:
    return all(s.path is not None for s in datasets.status(dataset, check=False))


def prepare_classifier(dataset: str) -> None:
    started = time.monotonic()
    cfg = DcganConfig(data=dataset)
    data = gan.load_data(cfg)
    classifier = gen_metrics.domain_classifier(dataset, data.train, data.test,
                                               gan.classifier_settings(cfg))
    print(f"{dataset}: domain classifier ready in {time.monotonic() - started:.0f} s (test "
          f"accuracy {classifier.accuracy:.2%})", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[],
                        help="model:dataset pairs to run (default: all whose data is here)")
    parser.add_argument("--out", default=None, help="keep the runs here (default: a temp dir)")
    args = parser.parse_args()
    pairs = [tuple(p.split(":", 1)) for p in args.only] or PAIRS
    import torch

    torch.set_num_threads(THREADS)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or tmp
        ready = set()
        for model, dataset in pairs:
            if not present(dataset):
                print(f"{dataset}: not here, skipped", file=sys.stderr)
                continue
            if dataset not in ready:
                prepare_classifier(dataset)
                ready.add(dataset)
            summary = dlnd.run(model, data=dataset, threads=THREADS, out=out, verbose=False)
            m = summary["metrics"]
            print(json.dumps({"model": model, "dataset": dataset,
                              "fid_domain": round(m["fid_domain"], 3),
                              "fid_floor": round(m["fid_floor"], 3),
                              "classes_covered": int(m["classes_covered"]),
                              "precision": round(m["precision"], 3),
                              "recall": round(m["recall"], 3),
                              "wall_s": round(summary["wall_s"], 1)}), flush=True)
            print(f"{model} {dataset}: {summary['run_dir']}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
