"""What a project declares, and how a run of it is carried out (for the CLI and the Python API).

Each project package (``dlnd/projects/<name>/``) has the same shape: ``config.py`` (a dataclass),
``data.py``, ``model.py``, ``train.py`` and an ``__init__.py`` that declares ``PROJECT``, a
:class:`Project`. The declaration is light (no torch import); ``train.py`` is imported only to run.
``train.py`` provides ``train(cfg, run) -> (metrics, device)`` and ``load(run_dir)``; a project
that answers queries also provides ``predict(run_dir, inputs) -> list[str]`` (``dlnd predict``),
a language model ``generate(run_dir, prime, length, temperature, top_k, seed) -> str``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlnd.core import config as config_mod
from dlnd.core import datasets
from dlnd.core.errors import ConfigError
from dlnd.core.runs import Criterion, Run, read_meta


@dataclass(frozen=True)
class Project:
    name: str
    teaches: str  # one line: what the lesson/project is about
    engine: str  # "numpy" or "torch"
    config: type  # the @dataclass config
    module: str  # module with train(cfg, run) and load(run_dir)
    data: tuple[tuple[str, str], ...]  # (dataset, file) pairs the project reads
    target_text: str  # the course target, in words
    target: tuple[Criterion, ...]  # the same, checkable
    primary_metric: str  # the metric shown in tables
    sweep_metric: str = "val/loss"  # the per-epoch metric sweeps optimise and prune on
    direction: str = "minimize"  # or "maximize"
    quick: dict[str, Any] = field(default_factory=dict)  # overrides for --quick (seconds, tiny)
    order: int = 100  # position in the course (lists and the course report follow it)

    @property
    def datasets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(ds for ds, _ in self.data))

    def make_config(self, *, quick: bool = False, config_file: Path | None = None,
                    sets: dict[str, Any] | None = None, overrides: dict[str, Any] | None = None):
        """Defaults < quick overrides < config file < --set values < explicit overrides."""
        layers = [self.quick if quick else {}]
        if config_file is not None:
            layers.append(config_mod.read_toml(config_file))
        layers += [sets or {}, overrides or {}]
        return config_mod.build(self.config, *layers, what=self.name)

    def check_data(self) -> None:
        """Resolve every data file now (downloading if needed), before a run directory exists."""
        for dataset, name in self.data:
            datasets.path(dataset, name)

    def implementation(self):
        return importlib.import_module(self.module)


def execute(project: Project, cfg: Any, *, out: Path = Path("runs"), quick: bool = False,
            resume: Path | None = None, verbose: bool = True,
            prepare: Callable[[Run], None] | None = None,
            meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run ``project`` with ``cfg`` (or resume ``resume``) and return its summary.

    ``prepare(run)``, when given, sees the open run before training (sweeps use it to record
    hyperparameters and attach their pruner)."""
    project.check_data()
    impl = project.implementation()
    rank = int(os.environ.get("RANK", "0"))  # set by torchrun for each process
    if rank > 0 and resume is None:  # one record per run: other ranks write out of sight
        out, verbose = Path(out) / ".ranks" / f"rank{rank}", False
    if resume is not None:
        run = Run.reopen(resume, project.config, verbose=verbose)
    else:
        run = Run.create(out, project.name, cfg, quick=quick, verbose=verbose, meta=meta)
    try:
        if prepare is not None:
            prepare(run)
        metrics, device = impl.train(run.config, run)
        status = run.stop_reason if run.stop_requested else "completed"
        summary = run.finish(metrics, project.target, project.target_text, device, status)
    finally:
        run.close()
    return summary


def check_resume(project: Project, run_dir: Path, changes: dict[str, Any]) -> None:
    """A resumed run keeps its saved config; asking for a different one is an error."""
    meta = read_meta(run_dir)
    if meta["project"] != project.name:
        raise ConfigError(f"{run_dir} is a {meta['project']} run, not {project.name}")
    if changes:
        raise ConfigError(f"a resumed run keeps its saved config ({run_dir}/config.toml); "
                          f"remove {', '.join(sorted(changes))} or start a new run")
