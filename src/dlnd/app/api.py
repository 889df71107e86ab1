"""The Python API, for notebooks: the same runs as the CLI.

    >>> import dlnd
    >>> result = dlnd.run("bike-sharing", hidden_nodes=16, quick=True)
    >>> result["metrics"]["val_loss"], result["passed"], result["run_dir"]
    >>> model = dlnd.load(result["run_dir"])
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dlnd import projects
from dlnd.core.project import check_resume, execute
from dlnd.core.runs import read_meta


def run(project: str, *, quick: bool = False, config: str | Path | None = None,
        out: str | Path = "runs", resume: str | Path | None = None, verbose: bool = True,
        **overrides: Any) -> dict[str, Any]:
    """Train ``project`` and return its summary (metrics, course target, pass/fail, run_dir).

    Keyword arguments are config keys (``hidden_nodes=16``, ``lr=0.5``, ``seed=1`` ...);
    ``config`` is a TOML file; ``resume`` continues an interrupted run directory.
    """
    proj = projects.get(project)
    if resume is not None:
        check_resume(proj, Path(resume), overrides)
        cfg = None
    else:
        cfg = proj.make_config(quick=quick, config_file=Path(config) if config else None,
                               overrides=overrides)
    return execute(proj, cfg, out=Path(out), quick=quick,
                   resume=Path(resume) if resume is not None else None, verbose=verbose)


def load(run_dir: str | Path):
    """The trained model of a run directory: ``model.predict(inputs)`` and/or
    ``model.generate(...)``, as ``dlnd list`` shows under "offers"."""
    meta = read_meta(Path(run_dir))
    return projects.get(meta["project"]).load(Path(run_dir))
