"""Sequence to sequence on the real data, default configs: one JSON line per project,
``{"project", "token_acc", "exact_acc", "bleu", "wall_s"}``, scored on the held-out 10%
(greedy decoding; letters have no BLEU: null). ``wall_s`` is the whole run (data, training,
test decoding). THREADS=1 when another job shares the machine. Then the bAbI lines of
``bench/babi.py`` (its docstring says what they hold; ``--set`` does not reach them).

    DLND_DATA_DIR=../shared/data python bench/seq2seq.py [--only translation]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import dlnd
from dlnd.core import config

THREADS = int(os.environ.get("THREADS", "2"))
PROJECTS = {"seq2seq-letters": ("test_token_acc", "test_exact_acc", None),
            "translation": ("test_token_acc", "test_exact_acc", "test_bleu")}
BABI = Path(__file__).with_name("babi.py")  # its own bench: tasks side by side, retries

parser = argparse.ArgumentParser()
parser.add_argument("--only", action="append", choices=[*sorted(PROJECTS), "babi"])
parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="config overrides for the letters and translation runs (e.g. "
                    "arch=transformer)")
args = parser.parse_args()
overrides = config.parse_assignments(args.set)

with tempfile.TemporaryDirectory() as out:
    for project in [p for p in PROJECTS if p in (args.only or PROJECTS)]:
        summary = dlnd.run(project, threads=THREADS, out=out, verbose=False, **overrides)
        metrics = summary["metrics"]
        token, exact, bleu = PROJECTS[project]
        line = {"project": project, "token_acc": round(metrics[token], 4),
                "exact_acc": round(metrics[exact], 4),
                "bleu": round(metrics[bleu], 2) if bleu else None,
                "wall_s": round(summary["wall_s"], 1)}
        print(json.dumps(line), flush=True)
if not args.only or "babi" in args.only:
    sys.exit(subprocess.run([sys.executable, str(BABI)]).returncode)
