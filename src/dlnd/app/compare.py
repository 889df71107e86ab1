"""Compare runs: their curves overlaid in one PNG, and a table of config differences and results."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from dlnd import projects
from dlnd.app.course import format_table
from dlnd.core import config as config_mod
from dlnd.core.errors import UsageError
from dlnd.core.runs import read_meta, read_metrics, read_summary, saved_config

MAX_PANELS = 6


def load_run(path: Path) -> dict:
    meta = read_meta(path)  # raises a clear error for a folder that is not a run
    curves: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for m in read_metrics(path):
        curves[m["name"]].append((m["step"], m["value"]))
    summary = read_summary(path) or {}
    project = projects.PROJECTS.get(meta["project"])
    config = (config_mod.to_dict(saved_config(path, project.config, project.name)) if project
              else config_mod.read_toml(Path(path) / "config.toml"))  # a project since removed
    return {"path": Path(path), "project": meta["project"], "config": config, "curves": curves,
            "metrics": summary.get("metrics", {}), "status": summary.get("status", "incomplete")}


def compare_runs(run_dirs: list[Path], png: Path | None = None) -> tuple[str, Path]:
    if len(run_dirs) < 2:
        raise UsageError("compare needs at least two run directories")
    runs = [load_run(p) for p in run_dirs]
    keys = sorted(set().union(*(r["config"] for r in runs)))
    differing = [k for k in keys if len({repr(r["config"].get(k)) for r in runs}) > 1]
    if len({r["project"] for r in runs}) > 1:
        differing.insert(0, "project")
        for r in runs:
            r["config"]["project"] = r["project"]
    finals = sorted(set().union(*(r["metrics"] for r in runs)))
    rows = [[r["path"].name, r["status"], *(r["config"].get(k, "-") for k in differing),
             *(f"{r['metrics'][m]:.4g}" if m in r["metrics"] else "-" for m in finals)]
            for r in runs]
    table = format_table(["run", "status", *differing, *finals], rows)
    if not differing:
        table += "(identical configs)\n"

    shared = sorted(set.intersection(*(set(r["curves"]) for r in runs)),
                    key=lambda n: (not n.endswith(("loss", "acc")), n))
    shared = [n for n in shared if len(runs[0]["curves"][n]) > 1][:MAX_PANELS]
    png = png or Path("runs") / f"compare-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.png"
    plot(runs, shared, differing, png)
    return table, png


def plot(runs: list[dict], names: list[str], differing: list[str], png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = max(len(names), 1)
    fig, axes = plt.subplots(1, panels, figsize=(4.5 * panels, 3.5), squeeze=False,
                             layout="constrained")  # room for labels, without warnings
    for ax, name in zip(axes[0], names, strict=False):
        for r in runs:
            label = ", ".join(f"{k}={r['config'].get(k)}" for k in differing) or r["path"].name
            steps, values = zip(*sorted(r["curves"][name]), strict=True)
            ax.plot(steps, values, label=label)
        ax.set_title(name)
        ax.set_xlabel("step")
        ax.legend(fontsize="small")
    if not names:
        axes[0][0].text(0.5, 0.5, "no curves in common", ha="center")
    Path(png).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=100)
    plt.close(fig)
