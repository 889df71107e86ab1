"""Hyperparameter sweeps on Optuna: a full grid or a TPE/random search, on one machine or many.

Every trial is an ordinary dlnd run (its own run directory, TensorBoard HParams record). The study
lives in an Optuna storage — SQLite ``runs/sweeps.db`` by default, or any SQLAlchemy URL such as
``postgresql://...`` so that workers on many machines join one study by running the same command.

Exactly-once and resumable: grid points are enqueued as waiting trials and each worker claims one
atomically; a worker records heartbeats while its trial runs, so when a sweep is restarted after a
crash, trials whose worker died are marked failed and retried once (Optuna's
``RetryFailedTrialCallback``); finished trials are never rerun.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import threading
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dlnd import projects
from dlnd.app.course import format_table
from dlnd.core import config as config_mod
from dlnd.core.errors import ConfigError, DlndError, UsageError
from dlnd.core.project import execute
from dlnd.core.runs import write_atomic


@dataclass
class SweepSpec:
    project: str
    grid: dict[str, list[Any]] = field(default_factory=dict)  # key -> values (a full grid)
    space: dict[str, tuple[float, float, bool]] = field(default_factory=dict)  # low, high, log
    trials: int = 0  # for a search (space)
    search: str = "tpe"  # "tpe" or "random"
    metric: str = ""  # per-epoch metric, e.g. "val/loss"; default: the project's
    direction: str = ""  # "minimize" or "maximize"; default: the project's
    fixed: dict[str, Any] = field(default_factory=dict)  # config values shared by all trials
    quick: bool = False
    prune: bool = True
    seed: int = 0  # seeds the sampler (the trials' own seed comes from their config)
    out: str = "runs"
    storage: str = ""  # default: sqlite:///<out>/sweeps.db
    name: str = ""  # default: derived from the rest, so the same command resumes the same sweep
    heartbeat_s: int = 10  # a running trial's heartbeat; a worker silent for 3x this has died

    def resolved(self) -> SweepSpec:
        project = projects.get(self.project)
        spec = SweepSpec(**{**asdict(self), "metric": self.metric or project.sweep_metric,
                            "direction": self.direction or project.direction})
        if spec.direction not in ("minimize", "maximize"):
            raise ConfigError(f"--direction must be minimize or maximize, not {spec.direction!r}")
        if spec.metric not in project.epoch_metrics:  # before any trial spends minutes
            raise UsageError(f"{spec.project} does not log {spec.metric!r} at every epoch; use "
                             f"--metric with one of: {', '.join(project.epoch_metrics)}")
        if bool(spec.grid) == bool(spec.space):
            raise UsageError("give either --grid key=v1,v2 ... or --space key=low:high "
                             "(with --trials N), not both or neither")
        if spec.space and spec.trials < 1:
            raise UsageError("a search over --space needs --trials N (N >= 1)")
        if spec.search not in ("tpe", "random"):
            raise ConfigError(f"--search must be tpe or random, not {spec.search!r}")
        spec.grid = {k: typed_values(project, k, v) for k, v in spec.grid.items()}
        for point in grid_points(spec.grid) or [{}]:  # every grid point must be a valid config
            project.make_config(quick=spec.quick, overrides={**spec.fixed, **point})
        for key, (low, high, _) in spec.space.items():
            project.make_config(quick=spec.quick, overrides={**spec.fixed, key: low})
            project.make_config(quick=spec.quick, overrides={**spec.fixed, key: high})
        if not spec.name:
            digest = hashlib.sha1(json.dumps([spec.grid, spec.space, spec.trials, spec.search,
                                              spec.metric, spec.fixed, spec.quick],
                                             sort_keys=True, default=str).encode())
            spec.name = f"{spec.project}-{digest.hexdigest()[:8]}"
        if not spec.storage:
            Path(spec.out).mkdir(parents=True, exist_ok=True)
            spec.storage = f"sqlite:///{Path(spec.out).resolve() / 'sweeps.db'}"
        return spec


def typed_values(project, key: str, values: list[Any]) -> list[Any]:
    fields = config_mod.fields_of(project.config)
    if key not in fields:
        raise config_mod.unknown_key_error(key, fields, project.name)
    return [config_mod.coerce(key, fields[key][0], v) for v in values]


def parse_grid(items: list[str]) -> dict[str, list[str]]:
    """``["lr=0.1,0.01", "layers=1,2"]`` -> ``{"lr": ["0.1", "0.01"], "layers": ["1", "2"]}``."""
    grid = {}
    for key, values in config_mod.parse_assignments(items).items():
        grid[key] = [v.strip() for v in values.split(",") if v.strip()]
        if not grid[key]:
            raise ConfigError(f"--grid {key}= needs at least one value")
    return grid


def parse_space(items: list[str]) -> dict[str, tuple[float, float, bool]]:
    """``["lr=1e-4:1e-1:log"]`` -> ``{"lr": (1e-4, 0.1, True)}``."""
    space = {}
    for key, text in config_mod.parse_assignments(items).items():
        parts = text.split(":")
        try:
            if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] != "log"):
                raise ValueError
            low, high = float(parts[0]), float(parts[1])
        except ValueError:
            raise ConfigError(f"--space expects key=low:high[:log], not {key}={text}") from None
        if not low < high or (len(parts) == 3 and low <= 0):
            raise ConfigError(f"--space {key}: need low < high (and low > 0 for log)")
        space[key] = (low, high, len(parts) == 3)
    return space


def grid_points(grid: dict[str, list[Any]]) -> list[dict[str, Any]]:
    return [dict(zip(grid, combo, strict=True)) for combo in itertools.product(*grid.values())]


def open_study(spec: SweepSpec):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    # heartbeats are marked experimental, though stable since Optuna 2.9: not the user's concern
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    warnings.filterwarnings("ignore", message="Heartbeat of storage is supposed to be used")
    kwargs = {"connect_args": {"timeout": 60}} if spec.storage.startswith("sqlite") else {}
    storage = optuna.storages.RDBStorage(
        spec.storage, engine_kwargs=kwargs, heartbeat_interval=spec.heartbeat_s,
        grace_period=3 * spec.heartbeat_s,
        heartbeat_stale_trial_callback=optuna.storages.RetryHeartbeatStaleTrialCallback(
            max_retry=1))
    sampler = (optuna.samplers.TPESampler(seed=spec.seed) if spec.search == "tpe"
               else optuna.samplers.RandomSampler(seed=spec.seed))
    study = optuna.create_study(study_name=spec.name, storage=storage, sampler=sampler,
                                pruner=optuna.pruners.MedianPruner(n_startup_trials=2),
                                direction=spec.direction, load_if_exists=True)
    return study, storage


def enqueue_grid(study, spec: SweepSpec) -> None:
    """Queue every grid point not already in the study (so a restarted sweep adds nothing)."""
    for point in grid_points(spec.grid):
        study.enqueue_trial(point, skip_if_exists=True)


def claim_waiting(study, storage):
    """Atomically take a waiting trial (the storage refuses a trial another worker took)."""
    import optuna
    from optuna.trial import TrialState

    for frozen in study.get_trials(deepcopy=False, states=(TrialState.WAITING,)):
        if storage.set_trial_state_values(frozen._trial_id, state=TrialState.RUNNING):
            return optuna.trial.Trial(study, frozen._trial_id)
    return None


def work(spec: SweepSpec) -> int:
    """One worker: run trials until the grid (or the trial budget) is done. Returns trials run."""
    import optuna
    from optuna.trial import TrialState

    study, storage = open_study(spec)
    ran = 0
    while True:
        optuna.storages.fail_stale_trials(study)  # a dead worker's trial: failed, queued again
        trial = claim_waiting(study, storage)
        if trial is None:
            running = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
            finished = [t for t in study.get_trials(deepcopy=False)
                        if t.state in (TrialState.COMPLETE, TrialState.PRUNED)
                        or "error" in t.user_attrs]  # not trials whose worker died: retried
            if spec.grid or len(finished) + len(running) >= spec.trials:
                if not running:
                    return ran
                time.sleep(min(spec.heartbeat_s, 5))  # others' trials may die and come back
                continue
            trial = study.ask()
        run_trial(study, storage, trial, spec)
        ran += 1


def run_trial(study, storage, trial, spec: SweepSpec) -> None:
    import optuna

    project = projects.get(spec.project)
    fields = config_mod.fields_of(project.config)
    params = {key: trial.suggest_categorical(key, values) for key, values in spec.grid.items()}
    for key, (low, high, log) in spec.space.items():
        if fields[key][0] is int:
            params[key] = trial.suggest_int(key, int(low), int(high), log=log)
        else:
            params[key] = trial.suggest_float(key, low, high, log=log)
    seen: list[float] = []
    logged: set[str] = set()

    def prepare(run):
        run.log_hparams({**spec.fixed, **params})

        def on_metric(name: str, value: float, step: int) -> None:
            logged.add(name)
            if name != spec.metric or not math.isfinite(value):
                return
            seen.append(value)
            trial.report(value, step)
            if spec.prune and trial.should_prune():
                run.stop("pruned")

        run.on_metric = on_metric

    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(spec.heartbeat_s):
            storage.record_heartbeat(trial._trial_id)

    storage.record_heartbeat(trial._trial_id)
    heart = threading.Thread(target=beat, daemon=True)
    heart.start()
    try:
        cfg = project.make_config(quick=spec.quick, overrides={**spec.fixed, **params})
        summary = execute(project, cfg, out=Path(spec.out), quick=spec.quick, verbose=False,
                          prepare=prepare, meta={"sweep": spec.name, "trial": trial.number})
    except DlndError as exc:
        trial.set_user_attr("error", str(exc))
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
        return
    finally:
        stop.set()
        heart.join()
    trial.set_user_attr("run_dir", summary["run_dir"])
    trial.set_user_attr("wall_s", summary["wall_s"])
    if not seen:
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
        raise UsageError(f"{spec.project} never logged {spec.metric!r}; use --metric with one "
                         f"of: {', '.join(sorted(logged)) or 'none logged'}")
    best = min(seen) if spec.direction == "minimize" else max(seen)
    trial.set_user_attr("best_value", best)  # pruned trials report no value to Optuna
    if summary["status"] == "pruned":
        study.tell(trial, state=optuna.trial.TrialState.PRUNED)
    else:
        study.tell(trial, best)


def run_sweep(spec: SweepSpec, workers: int = 1) -> dict[str, Any]:
    """Run (or resume) a sweep with ``workers`` local processes; write its report."""
    import multiprocessing

    spec = spec.resolved()
    projects.get(spec.project).check_data()  # fail now, not once per trial
    study, _ = open_study(spec)
    if spec.grid:
        enqueue_grid(study, spec)
    started = time.monotonic()
    if workers <= 1:
        work(spec)
    else:
        ctx = multiprocessing.get_context("spawn")  # no fork: torch and threads dislike it
        with ctx.Pool(workers) as pool:
            pool.map(work, [spec] * workers)
    return write_report(spec, time.monotonic() - started)


def write_report(spec: SweepSpec, wall_s: float) -> dict[str, Any]:
    """``<out>/sweeps/<name>/summary.md`` (sorted by the metric) and ``<metric>.png``."""
    study, _ = open_study(spec)
    rows = []
    for t in study.get_trials(deepcopy=False):
        value = t.value if t.value is not None else t.user_attrs.get("best_value")
        rows.append({"trial": t.number, "state": t.state.name.lower(), "params": t.params,
                     "value": value, "wall_s": t.user_attrs.get("wall_s"),
                     "run_dir": t.user_attrs.get("run_dir", t.user_attrs.get("error", ""))})
    sign = 1 if spec.direction == "minimize" else -1
    rows.sort(key=lambda r: (r["state"] != "complete", r["value"] is None,
                             sign * (r["value"] or 0.0)))
    keys = list(spec.grid or spec.space)
    table = [[r["trial"], r["state"], *(r["params"].get(k, "") for k in keys),
              "-" if r["value"] is None else f"{r['value']:.4g}",
              "-" if r["wall_s"] is None else f"{r['wall_s']:.1f}", r["run_dir"]] for r in rows]
    folder = Path(spec.out) / "sweeps" / spec.name
    folder.mkdir(parents=True, exist_ok=True)
    complete = [r for r in rows if r["state"] == "complete"]
    best = complete[0] if complete else None
    text = (f"# Sweep {spec.name}: {spec.project}\n\n"
            f"{spec.direction} `{spec.metric}` (best value over epochs); "
            f"{len(complete)} complete of {len(rows)} trials; wall {wall_s:.1f} s this session; "
            f"storage `{spec.storage}`\n\n"
            + (f"Best: trial {best['trial']} {best['params']} -> {best['value']:.4g}\n\n"
               if best else "")
            + format_table(["trial", "state", *keys, spec.metric, "wall s", "run"], table,
                           markdown=True))
    write_atomic(folder / "summary.md", text.encode())
    plot_path = plot_params(rows, keys, spec, folder)
    return {"name": spec.name, "rows": rows, "best": best, "wall_s": wall_s,
            "summary": folder / "summary.md", "plot": plot_path}


def plot_params(rows, keys, spec: SweepSpec, folder: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(keys), figsize=(4 * len(keys), 3.5), squeeze=False)
    for ax, key in zip(axes[0], keys, strict=True):
        for state, marker in (("complete", "o"), ("pruned", "x")):
            pts = [(r["params"][key], r["value"]) for r in rows
                   if r["state"] == state and key in r["params"] and r["value"] is not None]
            if pts:
                xs = [str(x) if spec.grid else x for x, _ in pts]
                ax.scatter(xs, [y for _, y in pts], marker=marker, label=state)
        if key in spec.space and spec.space[key][2]:
            ax.set_xscale("log")
        ax.set_xlabel(key)
        ax.set_ylabel(spec.metric)
        ax.legend(fontsize="small")
    fig.suptitle(f"{spec.project}: {spec.metric} by parameter")
    fig.tight_layout()
    path = folder / f"{spec.metric.replace('/', '_')}.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
