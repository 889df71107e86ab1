"""What a project declares, and how a run of it is carried out (for the CLI and the Python API).

Each project package (``dlnd/projects/<name>/``) has the same shape: ``config.py`` (a dataclass),
``data.py``, ``model.py``, ``train.py`` and an ``__init__.py`` that declares ``PROJECT``, a
:class:`Project`. The declaration is light (no torch import); ``train.py`` is imported only to run.

``train.py`` provides ``train(cfg, run) -> (metrics, device)``, following the run lifecycle of
:mod:`dlnd.core.runs` (track, keep, epochs), and ``load(run_dir)``, which returns a trained
model. What a model offers is declared in ``Project.offers`` and follows :class:`Model`:
``predict(inputs)`` (``dlnd predict``) answers queries typed by a user (texts, image files);
``generate(...)`` (``dlnd generate``) samples from a generative model; ``play(...)``
(``dlnd play``) lets a trained agent play its game.
"""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from dlnd.core import config as config_mod
from dlnd.core import datasets
from dlnd.core.errors import ConfigError
from dlnd.core.runs import Criterion, Run, load_checkpoint, read_meta


@dataclass
class Prediction:
    """One answer of ``Model.predict``: the chosen label and its probability, with the scores
    of the other candidates (e.g. the top 3 classes) in ``scores``.

    An input the model cannot judge (a review without a single word it knows) is answered with
    a ``note`` saying why, an empty ``label``, ``probability`` 0 and no ``scores``; the other
    inputs of the same call are answered as usual."""

    input: str
    label: str
    probability: float
    scores: dict[str, float] = field(default_factory=dict)
    note: str = ""  # set when there is no answer: why

    @classmethod
    def top(cls, input: str, probabilities, classes, k: int = 3) -> Prediction:
        """The likeliest class of one input, with the ``k`` likeliest classes' probabilities
        in ``scores`` (``probabilities``: one per class, any array-like)."""
        values = [float(v) for v in probabilities]
        order = sorted(range(len(values)), key=lambda c: -values[c])[:k]
        scores = {str(classes[c]): values[c] for c in order}
        return cls(input, str(classes[order[0]]), values[order[0]], scores)

    def __str__(self) -> str:
        if self.note:
            return f"{self.input}: {self.note}"
        others = ", ".join(f"{k} {v:.1%}" for k, v in self.scores.items() if k != self.label)
        return f"{self.input}: {self.label} ({self.probability:.1%})" + \
            (f"; {others}" if others else "")


@runtime_checkable
class Model(Protocol):
    """What ``load(run_dir)`` returns for every project. Projects that answer queries also have
    ``predict(inputs: list[str], **options) -> list[Prediction]`` (options a model may take:
    ``out`` a path to draw its answer's picture to, ``story`` a text file the questions are
    about); text generators ``generate(prime="", length=200, temperature=0.8, top_k=None,
    seed=0) -> str``; image generators set ``draws_images = True`` and have ``generate(n=64,
    out=None, seed=0, interpolate=False) -> Path`` (the PNG written); agents ``play(episodes=10,
    seed=0, gif=None) -> dict`` (``mean_return`` and the game's own measures)."""

    project: str  # the project's name
    config: Any  # the run's resolved config


OFFERS = ("predict", "generate", "play")


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
    epoch_metrics: tuple[str, ...] = ()  # logged at every epoch (a test checks it)
    sweep_metric: str = "val/loss"  # one of epoch_metrics: what sweeps optimise and prune on
    direction: str = "minimize"  # or "maximize"
    offers: tuple[str, ...] = ()  # of OFFERS: what the loaded model answers
    # A resumed run ends with exactly the metrics of an uninterrupted one (CPU), unless the
    # project says otherwise here and why; its resume is then checked within this relative
    # tolerance.
    resume_tolerance: float = 0.0
    quick: dict[str, Any] = field(default_factory=dict)  # overrides for --quick (seconds, tiny)
    order: int = 100  # position in the course (lists and the course report follow it)
    # whether the target is about a run of this config (None: every config); a run of other
    # settings (another bAbI task, say) is shown as not scored rather than failed
    scores: Callable[[Any], bool] | None = None

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

    def __post_init__(self):
        if self.sweep_metric not in self.epoch_metrics:
            raise ValueError(f"{self.name}: sweep_metric {self.sweep_metric!r} is not among "
                             f"its epoch_metrics {self.epoch_metrics}")
        unknown = set(self.offers) - set(OFFERS)
        if unknown:
            raise ValueError(f"{self.name}: unknown offers {sorted(unknown)}")

    def implementation(self):
        return importlib.import_module(self.module)

    def load(self, run_dir: Path) -> Model:
        """The trained model of one of this project's runs."""
        return self.implementation().load(Path(run_dir))


def execute(project: Project, cfg: Any, *, out: Path = Path("runs"), quick: bool = False,
            resume: Path | None = None, verbose: bool = True,
            prepare: Callable[[Run], None] | None = None,
            meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run ``project`` with ``cfg`` (or resume ``resume``) and return its summary.

    ``prepare(run)``, when given, sees the open run before training (sweeps use it to record
    hyperparameters and attach their pruner)."""
    if resume is not None:
        load_checkpoint(resume)  # refuses an unsafe or damaged checkpoint before anything else
    project.check_data()
    impl = project.implementation()
    rank = int(os.environ.get("RANK", "0"))  # set by torchrun for each process
    if rank > 0:  # one record per run: other ranks write out of sight
        verbose = False
        if resume is None:
            out = Path(out) / ".ranks" / f"rank{rank}"
        else:  # each rank resumes from its own copy of the run (rank 0 holds the run's lock)
            resume = rank_copy(Path(resume), rank)
    if resume is not None:
        run = Run.reopen(resume, project.config, verbose=verbose)
    else:
        run = Run.create(out, project.name, cfg, quick=quick, verbose=verbose, meta=meta)
    try:
        if prepare is not None:
            prepare(run)
        metrics, device = impl.train(run.config, run)
        status = run.stop_reason if run.stop_requested else "completed"
        scored = project.scores is None or project.scores(run.config)
        summary = run.finish(metrics, project.target, project.target_text, device, status,
                             scored)
    finally:
        run.close()
    return summary


def rank_copy(run_dir: Path, rank: int) -> Path:
    """A copy of ``run_dir`` for process ``rank`` of a torchrun job to resume from."""
    copy = run_dir / ".ranks" / f"rank{rank}"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(run_dir, copy, ignore=shutil.ignore_patterns(".ranks", ".lock", ".*.tmp",
                                                                   "events.out.tfevents.*"))
    return copy


def check_resume(project: Project, run_dir: Path, changes: dict[str, Any]) -> None:
    """A resumed run keeps its saved config; asking for a different one is an error."""
    meta = read_meta(run_dir)
    if meta["project"] != project.name:
        raise ConfigError(f"{run_dir} is a {meta['project']} run, not {project.name}")
    if changes:
        raise ConfigError(f"a resumed run keeps its saved config ({run_dir}/config.toml); "
                          f"remove {', '.join(sorted(changes))} or start a new run")
