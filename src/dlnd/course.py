"""The course report: run every registered project and write one table of results."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from dlnd import projects
from dlnd.errors import DataError
from dlnd.project import execute
from dlnd.runs import write_atomic


def format_table(headers: list[str], rows: list[list[Any]], markdown: bool = False) -> str:
    """A plain-text (or Markdown) table."""
    cells = [[str(c) for c in row] for row in rows]
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in cells]) + "\n"
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h)
              for i, h in enumerate(headers)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*headers), fmt.format(*("-" * w for w in widths))]
    return "\n".join(lines + [fmt.format(*r).rstrip() for r in cells]) + "\n"


def metric_text(summary: dict[str, Any], name: str) -> str:
    value = summary.get("metrics", {}).get(name)
    return "-" if value is None else f"{value:.4g}"


def run_course(*, quick: bool = False, out: Path = Path("runs"), verbose: bool = True,
               only: list[str] | None = None) -> tuple[list[dict[str, Any]], Path]:
    """Run every project (or ``only`` these); a project whose data cannot be had is skipped with
    the reason. Returns the rows and the path of ``course.md``."""
    rows = []
    for name, project in projects.PROJECTS.items():
        if only and name not in only:
            continue
        started = time.monotonic()
        try:
            cfg = project.make_config(quick=quick)
            summary = execute(project, cfg, out=out, quick=quick, verbose=verbose)
        except DataError as exc:
            rows.append({"project": name, "status": "skipped", "reason": str(exc),
                         "metric": project.primary_metric, "target": project.target_text})
            continue
        rows.append({"project": name, "status": summary["status"], "summary": summary,
                     "metric": project.primary_metric, "target": project.target_text,
                     "wall_s": time.monotonic() - started})
    out.mkdir(parents=True, exist_ok=True)
    report = out / "course.md"
    write_atomic(report, render(rows, quick).encode())
    return rows, report


def render(rows: list[dict[str, Any]], quick: bool) -> str:
    headers = ["project", "metric", "course target", "our result", "pass/fail", "wall time",
               "run directory"]
    table = []
    for row in rows:
        if row["status"] == "skipped":
            table.append([row["project"], row["metric"], row["target"], "-", "skipped", "-",
                          row["reason"].replace("|", "\\|")])
            continue
        summary = row["summary"]
        verdict = "pass" if summary["passed"] else ("fail" if summary["status"] == "completed"
                                                    else summary["status"])
        table.append([row["project"], row["metric"], row["target"],
                      metric_text(summary, row["metric"]), verdict, f"{row['wall_s']:.1f} s",
                      summary["run_dir"]])
    mode = ("quick mode: tiny settings that check every project runs end to end; targets are "
            "for the full runs (`dlnd course`)" if quick else "full runs, default configs")
    return f"# dlnd course report\n\n{mode}\n\n" + format_table(headers, table, markdown=True)
