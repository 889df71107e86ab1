"""char-rnn (Anna Karenina) and tv-script (The Simpsons, Seinfeld) on the real data, each run
under a wall-time budget (30 minutes by default, the issue's): one JSON line per run.

    DLND_DATA_DIR=../shared/data python bench/text_rnn.py [--budget-s 1800] [--threads 1]
        [--only anna,simpsons,seinfeld] [--device cuda] [--set lstm_size=1024 ...]

Default configs, except ``time_budget_s`` and ``threads`` (1 by default, so that two benchmarks
share a 2-core machine fairly). The figures in the READMEs: ``--only anna --threads 2`` on the
idle machine, ``--only simpsons,seinfeld --threads 1`` beside another one-thread job. The
figures are the run's: train_loss is the mean training loss of the last epoch (dropout on, as
the course printed it); val_loss/val_ppl those of the kept (best validation) epoch; tokens_per_s
counts training tokens over training time.
"""

import argparse
import json
import tempfile
import time

import dlnd
from dlnd.core import config

RUNS = {"anna": ("char-rnn", {}), "simpsons": ("tv-script", {"corpus": "simpsons"}),
        "seinfeld": ("tv-script", {"corpus": "seinfeld"})}

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--budget-s", type=float, default=1800.0, help="training wall time per run")
parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
parser.add_argument("--only", default=",".join(RUNS), help="comma-separated corpora to run")
parser.add_argument("--device", default="auto", help="cpu, cuda, ... (auto: a GPU when present)")
parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="config override for every run, e.g. --set lstm_size=1024 (repeatable)")
args = parser.parse_args()
sets = config.parse_assignments(args.set)

with tempfile.TemporaryDirectory() as out:
    for corpus in args.only.split(","):
        project, settings = RUNS[corpus]
        start = time.perf_counter()
        summary = dlnd.run(project, out=out, verbose=False, threads=args.threads,
                           time_budget_s=args.budget_s, device=args.device,
                           **{**settings, **sets})
        metrics = summary["metrics"]
        print(json.dumps({
            "project": project, "corpus": corpus,
            "train_loss": round(metrics["train_loss"], 4),
            "val_loss": round(metrics["val_loss"], 4), "val_ppl": round(metrics["val_ppl"], 3),
            "tokens_per_s": round(metrics["tokens_per_s"]),
            "wall_s": round(time.perf_counter() - start, 1),
            "best_epoch": int(metrics["best_epoch"]), "train_s": round(metrics["train_s"], 1),
            "threads": args.threads, "time_budget_s": args.budget_s,
            "device": summary["device"], "overrides": sets,
            "target": summary["target"], "passed": summary["passed"]}), flush=True)
