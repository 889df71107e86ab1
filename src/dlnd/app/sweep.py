"""Hyperparameter sweeps on Optuna: a full grid or a TPE/random search, on one machine or many.

Every trial is an ordinary dlnd run (its own run directory, TensorBoard HParams record). The study
lives in an Optuna storage — SQLite ``runs/sweeps.db`` by default, or any SQLAlchemy URL such as
``postgresql+psycopg://...`` so that workers on many machines join one study by running the same
command.

Exactly-once and resumable:

* grid points are enqueued as waiting trials, and each worker claims one with a conditional
  ``UPDATE ... WHERE state = WAITING`` whose row count decides (so two workers never take the
  same trial, on SQLite too), recording the trial's first heartbeat in the same transaction;
* a worker records heartbeats while its trial runs; a trial whose worker is silent for 3
  heartbeats has died: it is marked failed and retried once (Optuna's
  ``RetryHeartbeatStaleTrialCallback``). A running trial with no heartbeat at all (a worker killed
  before its first one) is given one, so that it is reclaimed the same way;
* Ctrl-C stops the sweep: the trial it interrupted is stored as failed (user attribute
  ``interrupted``) and queued again, so the same command runs it again;
* creating the tables and the study, and queueing trials, happen under a lock (a file lock next to
  a SQLite database, an advisory lock on PostgreSQL), so sweeps started together share one study
  and queue each grid point once;
* finished trials are never rerun.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import itertools
import json
import math
import sys
import threading
import time
import types
import typing
import warnings
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from dlnd import projects
from dlnd.app.course import format_table
from dlnd.core import config as config_mod
from dlnd.core.errors import ConfigError, DlndError, UsageError
from dlnd.core.project import execute
from dlnd.core.runs import write_atomic

STORAGE_FORMS = "sqlite:///PATH/sweeps.db or postgresql+psycopg://USER:PASSWORD@HOST/DB"


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
    prune: bool | None = None  # default: prune a search, run every point of a grid to the end
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
        if spec.prune is None:  # a grid asks which combination is best: every point runs fully
            spec.prune = bool(spec.space)
        spec.grid = {k: typed_values(project, k, v) for k, v in spec.grid.items()}
        spec.space = {k: typed_range(project, k, *v) for k, v in spec.space.items()}
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
        check_storage(spec.storage)
        return spec


def typed_values(project, key: str, values: list[Any]) -> list[Any]:
    fields = config_mod.fields_of(project.config)
    if key not in fields:
        raise config_mod.unknown_key_error(key, fields, project.name)
    return [config_mod.coerce(key, fields[key][0], v) for v in values]


def typed_range(project, key: str, low: float, high: float, log: bool) -> tuple:
    """A --space range in the type of its config key: integer bounds for an int key."""
    fields = config_mod.fields_of(project.config)
    if key not in fields:
        raise config_mod.unknown_key_error(key, fields, project.name)
    tp = fields[key][0]
    if typing.get_origin(tp) in (typing.Union, types.UnionType):  # X | None
        tp = next(a for a in typing.get_args(tp) if a is not type(None))
    if tp is int:
        if low != int(low) or high != int(high):
            raise ConfigError(f"--space {key}: {key} is an integer; give whole-number bounds, "
                              f"not {low:g}:{high:g}")
        return int(low), int(high), log
    if tp is not float:
        raise ConfigError(f"--space {key}: only int and float settings have ranges ({key} is "
                          f"{getattr(tp, '__name__', tp)}); use --grid {key}=A,B instead")
    return float(low), float(high), log


def check_storage(url: str) -> None:
    """One sentence, not SQLAlchemy's traceback, for a URL that names no database dlnd can use."""
    import sqlalchemy

    try:
        dialect = sqlalchemy.engine.make_url(url).get_dialect()
    except (sqlalchemy.exc.ArgumentError, sqlalchemy.exc.NoSuchModuleError, ValueError):
        raise UsageError(f"--storage {url!r} is not a database URL dlnd can use; give "
                         f"{STORAGE_FORMS}") from None
    try:
        (getattr(dialect, "import_dbapi", None) or dialect.dbapi)()  # the driver's module
    except ImportError as exc:
        raise UsageError(f"--storage {shown(url)!r} needs the database driver {exc.name!r}, "
                         f"which is not installed: install it, or give {STORAGE_FORMS} (for "
                         f"PostgreSQL: pip install -e \".[postgres]\")") from None
    path = sqlite_path(url)
    if path is not None and not path.parent.is_dir():
        raise UsageError(f"--storage {shown(url)!r}: the folder {path.parent} does not exist")


def shown(url: str) -> str:
    """A storage URL to print: its password hidden."""
    import sqlalchemy

    try:
        return sqlalchemy.engine.make_url(url).render_as_string(hide_password=True)
    except sqlalchemy.exc.ArgumentError:
        return url


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL (None for other databases, or SQLite in memory)."""
    import sqlalchemy

    parsed = sqlalchemy.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


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


# ----- the storage: one study shared by every worker -----

ADVISORY_LOCK = int.from_bytes(hashlib.sha1(b"dlnd sweeps").digest()[:8], "big", signed=True)


@contextlib.contextmanager
def study_lock(url: str):
    """Held while creating tables and studies and while queueing trials, by every dlnd worker
    of every sweep sharing this storage: a file lock next to a SQLite database, a session
    advisory lock on PostgreSQL (other databases: no lock)."""
    import sqlalchemy

    path = sqlite_path(url)
    if path is not None:
        import fcntl

        with open(path.with_name(path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
    elif sqlalchemy.engine.make_url(url).get_backend_name() == "postgresql":
        engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.NullPool)
        try:
            with engine.connect() as conn:  # closing the connection releases the lock too
                conn.execute(sqlalchemy.text("SELECT pg_advisory_lock(:key)"),
                             {"key": ADVISORY_LOCK})
                try:
                    yield
                finally:
                    conn.execute(sqlalchemy.text("SELECT pg_advisory_unlock(:key)"),
                                 {"key": ADVISORY_LOCK})
        finally:
            engine.dispose()
    else:
        yield


def open_study(spec: SweepSpec):
    import optuna
    import sqlalchemy

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    # heartbeats are marked experimental, though stable since Optuna 2.9: not the user's concern
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    warnings.filterwarnings("ignore", message="Heartbeat of storage is supposed to be used")
    kwargs = {"connect_args": {"timeout": 60}} if spec.storage.startswith("sqlite") else {}
    sampler = (optuna.samplers.TPESampler(seed=spec.seed) if spec.search == "tpe"
               else optuna.samplers.RandomSampler(seed=spec.seed))
    try:
        with study_lock(spec.storage):  # two sweeps creating one database's tables race
            storage = optuna.storages.RDBStorage(
                spec.storage, engine_kwargs=kwargs, heartbeat_interval=spec.heartbeat_s,
                grace_period=3 * spec.heartbeat_s,
                heartbeat_stale_trial_callback=optuna.storages.RetryHeartbeatStaleTrialCallback(
                    max_retry=1))
            study = optuna.create_study(study_name=spec.name, storage=storage, sampler=sampler,
                                        pruner=optuna.pruners.MedianPruner(n_startup_trials=2),
                                        direction=spec.direction, load_if_exists=True)
    except sqlalchemy.exc.OperationalError as exc:  # no server, wrong password ...
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DlndError(f"cannot open the sweep storage {shown(spec.storage)}: {reason}") from None
    return study, storage


def trial_params(trial) -> dict[str, Any]:
    """The parameters a trial has or will have (a queued trial: its fixed parameters)."""
    return trial.params or trial.system_attrs.get("fixed_params", {})


def taken_trials(study) -> list:
    """The trials that are queued, running or done (a trial that failed with an error counts as
    done; one that was interrupted or whose worker died does not: it is to run again)."""
    from optuna.trial import TrialState

    live = (TrialState.WAITING, TrialState.RUNNING, TrialState.COMPLETE, TrialState.PRUNED)
    return [t for t in study.get_trials(deepcopy=False)
            if t.state in live or "error" in t.user_attrs]


def taken(study) -> set[tuple]:
    return {params_key(trial_params(t)) for t in taken_trials(study)}


def params_key(params: dict[str, Any]) -> tuple:
    return tuple(sorted(params.items()))


def enqueue_grid(study, spec: SweepSpec) -> None:
    """Queue every grid point that is not queued, running or done: a restarted sweep adds only
    the points whose trials were interrupted or died (and were not retried)."""
    with study_lock(spec.storage):
        have = taken(study)
        for point in grid_points(spec.grid):
            if params_key(point) not in have:
                study.enqueue_trial(point)


def move_trial(storage, trial_id: int, old, new) -> bool:
    """Change a trial's state from ``old`` to ``new`` in one conditional UPDATE: True when this
    call made the change (no other worker did it first). A trial now running gets its first
    heartbeat in the same transaction."""
    from optuna.storages._rdb import models
    from optuna.trial import TrialState
    from sqlalchemy import orm

    trials, beats = models.TrialModel, models.TrialHeartbeatModel
    with orm.Session(storage.engine) as session, session.begin():
        moved = (session.query(trials)
                 .filter(trials.trial_id == trial_id, trials.state == old)
                 .update({trials.state: new}, synchronize_session=False))
        if moved == 1:
            row = session.get(trials, trial_id)
            if new == TrialState.RUNNING:
                row.datetime_start = datetime.now()
                session.query(beats).filter(beats.trial_id == trial_id).delete()
                session.add(beats(trial_id=trial_id))
            elif new.is_finished():
                row.datetime_complete = datetime.now()
    return moved == 1


def claim_waiting(study, storage):
    """Atomically take a waiting trial: of several workers, exactly one gets each."""
    import optuna
    from optuna.trial import TrialState

    for frozen in study.get_trials(deepcopy=False, states=(TrialState.WAITING,)):
        if move_trial(storage, frozen._trial_id, TrialState.WAITING, TrialState.RUNNING):
            return optuna.trial.Trial(study, frozen._trial_id)
    return None


def new_search_trial(study, storage, spec: SweepSpec):
    """A new trial of a search, unless the trial budget is spent (counting queued, running and
    done trials, not interrupted or dead ones)."""
    import optuna

    with study_lock(spec.storage):
        if len(taken_trials(study)) >= spec.trials:
            return None
        trial_id = study._storage.create_new_trial(study._study_id)
        storage.record_heartbeat(trial_id)
    return optuna.trial.Trial(study, trial_id)


def reclaim_dead(study, storage, spec: SweepSpec) -> None:
    """Fail the running trials whose worker is silent for 3 heartbeats and queue each again
    (once). A running trial without a heartbeat (its worker died between claiming it and
    beating) gets one now, so that it is reclaimed the same way unless its worker beats."""
    import sqlalchemy
    from optuna.storages._rdb import models
    from optuna.trial import TrialState
    from sqlalchemy import orm

    trials, beats = models.TrialModel, models.TrialHeartbeatModel
    with orm.Session(storage.engine) as session:
        now = session.execute(sqlalchemy.func.now()).scalar().replace(tzinfo=None)
        running = session.execute(
            sqlalchemy.select(trials.trial_id, beats.heartbeat)
            .outerjoin(beats, beats.trial_id == trials.trial_id)
            .where(trials.study_id == study._study_id, trials.state == TrialState.RUNNING)).all()
    for trial_id, beat in running:
        if beat is None:
            with contextlib.suppress(sqlalchemy.exc.IntegrityError):  # its worker beat first
                with orm.Session(storage.engine) as session, session.begin():
                    session.add(beats(trial_id=trial_id))
    dead = [trial_id for trial_id, beat in running
            if beat is not None and now - beat > timedelta(seconds=3 * spec.heartbeat_s)]
    if not dead:
        return
    retry = storage.get_heartbeat_stale_trial_callback()
    with study_lock(spec.storage):
        for trial_id in dead:
            if move_trial(storage, trial_id, TrialState.RUNNING, TrialState.FAIL):
                failed = copy.deepcopy(storage.get_trial(trial_id))
                if params_key(trial_params(failed)) not in taken(study):
                    retry(study, failed)


def record_interrupted(study, storage, trial, spec: SweepSpec, reason: str) -> None:
    """Store an interrupted trial as failed (never ranked) and queue it again."""
    import optuna

    with study_lock(spec.storage):
        with contextlib.suppress(optuna.exceptions.UpdateFinishedTrialError):
            trial.set_user_attr("interrupted", reason)
        study.tell(trial, state=optuna.trial.TrialState.FAIL, skip_if_finished=True)
        params = trial_params(storage.get_trial(trial._trial_id))
        if params and params_key(params) not in taken(study):
            study.enqueue_trial(params, user_attrs={"retry_of": trial.number})


# ----- workers -----

def work(spec: SweepSpec, echo: bool = True) -> int:
    """One worker: run trials until the grid (or the trial budget) is done. Returns trials run.
    Ctrl-C ends it with KeyboardInterrupt once the interrupted trial is recorded."""
    from optuna.trial import TrialState

    study, storage = open_study(spec)
    ran = 0
    while True:
        reclaim_dead(study, storage, spec)  # a dead worker's trial: failed, queued again
        trial = claim_waiting(study, storage)
        if trial is None and spec.space:
            trial = new_search_trial(study, storage, spec)
        if trial is None:
            if not study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
                return ran
            time.sleep(min(spec.heartbeat_s, 5))  # others' trials may die and come back
            continue
        run_trial(study, storage, trial, spec, echo)
        ran += 1


def run_trial(study, storage, trial, spec: SweepSpec, echo: bool = True) -> None:
    import optuna

    project = projects.get(spec.project)
    seen: list[float] = []
    logged: set[str] = set()
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(spec.heartbeat_s):
            storage.record_heartbeat(trial._trial_id)

    heart = threading.Thread(target=beat, daemon=True)
    heart.start()
    try:
        params = {key: trial.suggest_categorical(key, values)
                  for key, values in spec.grid.items()}
        for key, (low, high, log) in spec.space.items():
            if isinstance(low, int):  # an int key (SweepSpec.resolved makes its bounds ints)
                params[key] = trial.suggest_int(key, low, high, log=log)
            else:
                params[key] = trial.suggest_float(key, low, high, log=log)

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

        cfg = project.make_config(quick=spec.quick, overrides={**spec.fixed, **params})
        summary = execute(project, cfg, out=Path(spec.out), quick=spec.quick, verbose=False,
                          prepare=prepare, meta={"sweep": spec.name, "trial": trial.number})
    except DlndError as exc:
        trial.set_user_attr("error", str(exc))
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
        say(echo, f"trial {trial.number} failed: {exc}")
        return
    except BaseException as exc:  # Ctrl-C outside an epoch, or a crash: run it again later
        reason = "Ctrl-C" if isinstance(exc, KeyboardInterrupt) else repr(exc)
        record_interrupted(study, storage, trial, spec, reason)
        say(echo, f"trial {trial.number} interrupted ({reason}); it runs again when the sweep "
                  f"is restarted")
        raise
    finally:
        stop.set()
        heart.join()
    trial.set_user_attr("run_dir", summary["run_dir"])
    trial.set_user_attr("wall_s", summary["wall_s"])
    if summary["status"] == "interrupted":  # Ctrl-C: the run stopped at the end of an epoch
        record_interrupted(study, storage, trial, spec, "Ctrl-C")
        say(echo, f"trial {trial.number} interrupted after {len(seen)} epochs; it runs again "
                  f"when the sweep is restarted")
        raise KeyboardInterrupt
    if not seen:
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
        raise UsageError(f"{spec.project} never logged {spec.metric!r}; use --metric with one "
                         f"of: {', '.join(sorted(logged)) or 'none logged'}")
    best = min(seen) if spec.direction == "minimize" else max(seen)
    trial.set_user_attr("best_value", best)  # pruned trials report no value to Optuna
    pruned = summary["status"] == "pruned"
    if pruned:
        study.tell(trial, state=optuna.trial.TrialState.PRUNED)
    else:
        study.tell(trial, best)
    say(echo, f"trial {trial.number} {'pruned' if pruned else 'complete'} after {len(seen)} "
              f"epochs: {spec.metric} {best:.4g}  "
              + " ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                         for k, v in params.items()))


def say(echo: bool, line: str) -> None:
    if echo:
        print(line, flush=True)


def worker_process(spec: SweepSpec, echo: bool, errors) -> None:
    """The body of a worker process: its errors go back to the parent, Ctrl-C ends it (130)."""
    try:
        work(spec, echo)
    except KeyboardInterrupt:
        sys.exit(130)
    except DlndError as exc:
        errors.put(exc)
        sys.exit(1)


def run_workers(spec: SweepSpec, workers: int, echo: bool) -> None:
    """``workers`` processes; Ctrl-C (which the terminal sends to all of them) ends each once it
    has recorded its trial, then raises KeyboardInterrupt here."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")  # no fork: torch and threads dislike it
    errors = ctx.SimpleQueue()
    procs = [ctx.Process(target=worker_process, args=(spec, echo, errors))
             for _ in range(workers)]
    for proc in procs:
        proc.start()
    interrupted = False
    try:
        for proc in procs:
            proc.join()
    except KeyboardInterrupt:
        interrupted = True
        print("interrupt: the workers stop at the end of their epoch (Ctrl-C again to stop "
              "them now)", file=sys.stderr, flush=True)
        try:
            for proc in procs:
                proc.join()
        except KeyboardInterrupt:  # they got the second Ctrl-C too: they record and stop now
            for proc in procs:
                proc.join(timeout=30)
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()  # its trial is reclaimed as dead by the next run
                proc.join()
    if not errors.empty():
        raise errors.get()
    if interrupted or any(proc.exitcode == 130 for proc in procs):
        raise KeyboardInterrupt
    failed = [proc.exitcode for proc in procs if proc.exitcode != 0]
    if failed:
        raise DlndError(f"{len(failed)} sweep worker(s) failed (exit code {failed[0]}); see the "
                        f"error above")


def run_sweep(spec: SweepSpec, workers: int = 1, echo: bool = True) -> dict[str, Any]:
    """Run (or resume) a sweep with ``workers`` local processes; write its report. ``echo``
    prints a line per finished trial. Ctrl-C writes the report and raises KeyboardInterrupt."""
    spec = spec.resolved()
    projects.get(spec.project).check_data()  # fail now, not once per trial
    study, _ = open_study(spec)
    if spec.grid:
        enqueue_grid(study, spec)
    started = time.monotonic()
    try:
        if workers <= 1:
            work(spec, echo)
        else:
            run_workers(spec, workers, echo)
    except KeyboardInterrupt:
        write_report(spec, time.monotonic() - started)
        raise
    return write_report(spec, time.monotonic() - started)


# ----- the report -----

def write_report(spec: SweepSpec, wall_s: float) -> dict[str, Any]:
    """``<out>/sweeps/<name>/summary.md`` (sorted by the metric) and ``<metric>.png``."""
    study, _ = open_study(spec)
    rows = []
    for t in study.get_trials(deepcopy=False):
        value = t.value if t.value is not None else t.user_attrs.get("best_value")
        state = "interrupted" if "interrupted" in t.user_attrs else t.state.name.lower()
        rows.append({"trial": t.number, "state": state, "params": trial_params(t),
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
            f"storage `{shown(spec.storage)}`\n\n"
            + (f"Best: trial {best['trial']} {best['params']} -> {best['value']:.4g}\n\n"
               if best else "")
            + format_table(["trial", "state", *keys, spec.metric, "wall s", "run"], table,
                           markdown=True))
    write_atomic(folder / "summary.md", text.encode())
    plot_path = plot_params(rows, keys, spec, folder)
    return {"name": spec.name, "rows": rows, "best": best, "wall_s": wall_s,
            "summary": folder / "summary.md", "plot": plot_path}


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def plot_params(rows, keys, spec: SweepSpec, folder: Path) -> Path:
    """The metric against each parameter: numbers on a numeric axis, other values in the grid's
    order; pruned trials (their best value before they were stopped) hollow and grey."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    styles = (("complete", {"marker": "o", "color": "C0", "label": "complete"}),
              ("pruned", {"marker": "o", "facecolors": "none", "edgecolors": "0.55",
                          "label": "pruned (best before it was stopped)"}))
    fig, axes = plt.subplots(1, len(keys), figsize=(4 * len(keys), 3.5), squeeze=False,
                             layout="constrained")  # room for labels, without warnings
    for ax, key in zip(axes[0], keys, strict=True):
        drawn = [r for r in rows if key in r["params"] and r["value"] is not None]
        values = list(spec.grid.get(key, [])) + [r["params"][key] for r in drawn]
        numeric = all(is_number(v) for v in values)
        order = list(dict.fromkeys(str(v) for v in values))  # the grid's order, then the rest

        def position(value, numeric=numeric, order=order):
            return value if numeric else order.index(str(value))

        for state, style in styles:
            pts = [(position(r["params"][key]), r["value"]) for r in drawn if r["state"] == state]
            if pts:
                ax.scatter([x for x, _ in pts], [y for _, y in pts], **style)
        if not numeric:
            ax.set_xticks(range(len(order)), order)
        elif key in spec.grid:
            ticks = sorted(set(values))
            if min(ticks) > 0 and max(ticks) / min(ticks) >= 100:  # e.g. lr=0.001,0.01,0.1
                ax.set_xscale("log")
            ax.set_xticks(ticks, [f"{v:g}" for v in ticks])
            ax.minorticks_off()
        elif spec.space[key][2]:
            ax.set_xscale("log")
        ax.set_xlabel(key)
        ax.set_ylabel(spec.metric)
        if drawn:
            ax.legend(fontsize="small")
    fig.suptitle(f"{spec.project}: {spec.metric} by parameter")
    path = folder / f"{spec.metric.replace('/', '_')}.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
