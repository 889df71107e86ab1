"""Every project's default run on this machine, one after the other, each in its own process:
one JSON line per project, ``{"project", "wall_s", "metric", "value"}`` (``metric`` is the
project's primary metric, ``value`` its final figure). The README's table of run times is made
from this output and from nothing else, so no time in it is typed by hand.

    DLND_DATA_DIR=../shared/data python bench/times.py > bench/times.jsonl      # all (hours)
    DLND_DATA_DIR=../shared/data python bench/times.py --only bike-sharing --only mnist-mlp
    python bench/times.py --readme bench/times.jsonl     # rewrite README.md's table from it

Run it on an idle machine: a second job on a 2-core CPU slows every figure by up to 3x.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from dlnd import projects
from dlnd.core.runs import find_runs

README = Path(__file__).resolve().parents[1] / "README.md"
BEGIN, END = "<!-- times: begin (bench/times.py --readme) -->", "<!-- times: end -->"


def measure(name: str, out: Path) -> dict:
    """``dlnd run NAME`` with the default config in a fresh process; its summary's figures."""
    done = subprocess.run([sys.executable, "-m", "dlnd", "run", name, "--out", str(out)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"times: dlnd run {name} failed (exit {done.returncode}): {done.stderr.strip()}")
    (run_dir,) = find_runs(out, name)
    summary = json.loads((run_dir / "summary.json").read_text())
    metric = projects.get(name).primary_metric
    return {"project": name, "wall_s": round(summary["wall_s"], 1), "metric": metric,
            "value": round(summary["metrics"][metric], 4), "passed": summary["passed"],
            "device": summary["device"], "cpu": platform.processor() or platform.machine()}


def minutes(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 90 else f"{seconds / 60:.1f} min"


def table(lines: list[dict]) -> str:
    """The README's table: one row per project in course order, the total last."""
    measured = {line["project"]: line for line in lines}
    rows = ["| project | default run | primary metric | course target met |", "|---|---|---|---|"]
    for name in projects.PROJECTS:
        line = measured.get(name)
        if line is None:
            rows.append(f"| `{name}` | not measured yet | | |")
            continue
        verdict = {True: "yes", False: "no"}.get(line.get("passed"), "-")
        rows.append(f"| `{name}` | {minutes(line['wall_s'])} | {line['metric']} "
                    f"{line['value']:.4g} | {verdict} |")
    total = sum(line["wall_s"] for line in measured.values())
    missing = len(projects.PROJECTS) - len(measured)
    rows.append(f"| **`dlnd course`** (all of the above, one after the other) | "
                f"**{minutes(total)}**" + (f" + {missing} not measured" if missing else "") +
                " | | |")
    return "\n".join(rows)


def rewrite_readme(results: Path) -> None:
    lines = [json.loads(line) for line in results.read_text().splitlines() if line.strip()]
    text = README.read_text()
    if BEGIN not in text or END not in text:
        sys.exit(f"times: README.md has no {BEGIN} ... {END} block to rewrite")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{BEGIN}\n{table(lines)}\n{END}{tail}")
    print(f"times: README.md table rewritten from {len(lines)} measured projects")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", metavar="PROJECT", help="(repeatable)")
    parser.add_argument("--readme", type=Path, metavar="RESULTS_JSONL",
                        help="rewrite README.md's table from this output instead of measuring")
    args = parser.parse_args()
    if args.readme is not None:
        rewrite_readme(args.readme)
        return
    names = [projects.get(n).name for n in args.only] if args.only else list(projects.PROJECTS)
    with tempfile.TemporaryDirectory() as out:
        for name in names:
            print(json.dumps(measure(name, Path(out))), flush=True)


if __name__ == "__main__":
    main()
