"""The course report: run every registered project and write one table of results, as Markdown
(``course.md``) and as a self-contained HTML page with each project's main plot (``course.html``).
"""

from __future__ import annotations

import base64
import html
import json
import os
import time
from pathlib import Path
from typing import Any

from dlnd import projects
from dlnd.core.errors import DataError
from dlnd.core.project import execute
from dlnd.core.runs import write_atomic


def format_table(headers: list[str], rows: list[list[Any]], markdown: bool = False,
                 max_width: int | None = None) -> str:
    """A plain-text (or Markdown) table; with ``max_width``, the widest columns are cut (with
    an ellipsis) until a line fits."""
    cells = [[str(c) for c in row] for row in rows]
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in cells]) + "\n"
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h)
              for i, h in enumerate(headers)]
    while max_width and sum(widths) + 2 * (len(widths) - 1) > max_width and max(widths) > 12:
        widths[widths.index(max(widths))] -= 1
    cells = [[c if len(c) <= w else c[:w - 1] + "\u2026" for c, w in zip(r, widths, strict=True)]
             for r in cells]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*headers).rstrip(), fmt.format(*("-" * w for w in widths))]
    return "\n".join(lines + [fmt.format(*r).rstrip() for r in cells]) + "\n"


def metric_text(summary: dict[str, Any], name: str) -> str:
    value = summary.get("metrics", {}).get(name)
    return "-" if value is None else f"{value:.4g}"


def run_course(*, quick: bool = False, out: Path = Path("runs"), verbose: bool = True,
               only: list[str] | None = None) -> tuple[list[dict[str, Any]], Path]:
    """Run every project (or ``only`` these); a project whose data cannot be had is skipped with
    the reason. Returns the rows and the path of ``course.md``. The report keeps the rows of
    projects not run this time (from ``course.json``), so a partial course updates its rows and
    erases none. Ctrl-C in a project writes the report so far and stops the course."""
    chosen = [projects.get(name).name for name in only] if only else list(projects.PROJECTS)
    out.mkdir(parents=True, exist_ok=True)
    rows = previous_rows(out, quick)
    try:
        for name in chosen:
            project = projects.get(name)
            started = time.monotonic()
            try:
                cfg = project.make_config(quick=quick)
                summary = execute(project, cfg, out=out, quick=quick, verbose=verbose)
            except DataError as exc:
                rows[name] = {"project": name, "status": "skipped", "reason": str(exc),
                              "metric": project.primary_metric, "target": project.target_text}
                continue
            rows[name] = {"project": name, "status": summary["status"], "summary": summary,
                          "metric": project.primary_metric, "target": project.target_text,
                          "wall_s": time.monotonic() - started}
            if summary["status"] == "interrupted":
                raise KeyboardInterrupt
    finally:
        ordered = [rows[n] for n in projects.PROJECTS if n in rows]
        report = out / "course.md"
        write_atomic(out / "course.json",
                     json.dumps({"quick": quick, "rows": ordered}, indent=1).encode())
        write_atomic(report, render(ordered, quick).encode())
        write_atomic(out / "course.html", render_html(ordered, quick, out).encode())
    return ordered, report


def previous_rows(out: Path, quick: bool) -> dict[str, dict[str, Any]]:
    """The rows of the last course report in ``out`` made in the same mode (quick or full)."""
    try:
        saved = json.loads((out / "course.json").read_text())
        if saved["quick"] != quick:
            return {}
        return {row["project"]: row for row in saved["rows"] if row["project"] in
                projects.PROJECTS}
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return {}  # no report yet, or one that cannot be read: it is rewritten


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
        table.append([row["project"], row["metric"], row["target"],
                      metric_text(summary, row["metric"]), verdict_of(row),
                      f"{row['wall_s']:.1f} s", summary["run_dir"]])
    return f"# dlnd course report\n\n{mode_text(quick)}\n\n" + format_table(headers, table,
                                                                             markdown=True)


def mode_text(quick: bool) -> str:
    return ("quick mode: tiny settings that check every project runs end to end and learns; "
            "not scored against the course targets, which are for the full runs "
            "(`dlnd course`)" if quick else "full runs, default configs")


def verdict_of(row: dict[str, Any]) -> str:
    if row["status"] == "skipped":
        return "skipped"
    summary = row["summary"]
    if summary["status"] != "completed":
        return summary["status"]
    return summary.get("verdict") or ("pass" if summary["passed"] else "fail")


def main_plot(run_dir: Path, out: Path) -> str:
    """The run's first PNG as an inline thumbnail (the page stands alone), linking to the full
    image in the run directory."""
    pngs = sorted(Path(run_dir).glob("*.png"))
    if not pngs:
        return ""
    data = base64.b64encode(pngs[0].read_bytes()).decode()
    href = html.escape(os.path.relpath(pngs[0], out))
    return (f'<a href="{href}"><img alt="{html.escape(pngs[0].stem)}" '
            f'src="data:image/png;base64,{data}"></a>')


def render_html(rows: list[dict[str, Any]], quick: bool, out: Path) -> str:
    body = []
    for row in rows:
        verdict = verdict_of(row)
        if row["status"] == "skipped":
            result, wall, link, plot = "-", "-", html.escape(row["reason"]), ""
        else:
            summary = row["summary"]
            result = metric_text(summary, row["metric"])
            wall = f"{row['wall_s']:.1f} s"
            href = os.path.relpath(summary["run_dir"], out)
            link = f'<a href="{html.escape(href)}/">{html.escape(href)}</a>'
            plot = main_plot(Path(summary["run_dir"]), out)
        body.append(
            f'<tr class="{verdict.split()[0]}"><td>{html.escape(row["project"])}</td>'
            f"<td>{html.escape(row['metric'])}</td><td>{html.escape(row['target'])}</td>"
            f"<td>{result}</td><td class=\"verdict\">{verdict}</td><td>{wall}</td>"
            f"<td>{link}</td><td>{plot}</td></tr>")
    scored = [r for r in rows if verdict_of(r) in ("pass", "fail")]
    passed = sum(verdict_of(r) == "pass" for r in scored)
    score = (f"{passed} of {len(scored)} projects meet the course target" if scored
             else "Quick runs are not scored")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>dlnd course report</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; max-width: 100%; }}
td:nth-child(7) {{ word-break: break-all; max-width: 14em; }}
th, td {{ border: 1px solid #ccc; padding: 0.4em 0.6em; vertical-align: top; text-align: left; }}
th {{ background: #f3f3f3; }}
tr.pass .verdict {{ background: #d7f5d7; }}
tr.fail .verdict {{ background: #f8d4d4; }}
tr.skipped .verdict, tr.interrupted .verdict {{ background: #f5ecd0; }}
tr.quick .verdict {{ background: #e4ecf7; }}
img {{ max-width: 260px; }}
</style></head>
<body>
<h1>dlnd course report</h1>
<p>{html.escape(mode_text(quick))}. {score}.</p>
<table>
<thead><tr><th>project</th><th>metric</th><th>course target</th><th>our result</th>
<th>pass/fail</th><th>wall time</th><th>run directory</th><th>main plot</th></tr></thead>
<tbody>
{chr(10).join(body)}
</tbody></table>
</body></html>
"""
