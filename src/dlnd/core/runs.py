"""Run records: one directory per run, holding all that is needed to understand and resume it.

``runs/<project>/<UTC timestamp>-<short id>/`` contains

- ``run.json``       project, creation time, quick flag, versions, git commit
- ``config.toml``    the resolved config (readable back with ``--config``)
- ``metrics.jsonl``  one ``{"step", "name", "value", "time"}`` object per line
- ``events.out.tfevents.*``  the same scalars (and figures) for TensorBoard
- ``checkpoint.safetensors``  written atomically by the run at the end of every epoch: the state
  of everything the project registered with :meth:`Run.track` (model, optimizer, RNGs, best
  epoch ...), step and wall time. Arrays in safetensors, the rest JSON: never a pickle, so
  opening someone else's run directory runs no code (:mod:`dlnd.core.state_file`).
- ``artifacts.safetensors``   what ``load()`` needs besides weights (:meth:`Run.keep`)
- ``summary.json``   final metrics, course target and pass/fail, wall time, device, versions
- ``*.png``          plots

The lifecycle a project's ``train(cfg, run)`` follows, with its lesson loop in plain sight::

    best = runs.Best("val/loss", model=net)
    run.track(model=net, optimizer=opt, rng=rng, best=best)   # restores them on resume
    run.keep(vocabulary=vocab.tokens)
    for epoch in run.epochs(cfg.epochs):                      # starts after the last checkpoint
        ...train one epoch...
        run.log(epoch, metrics)
        best.update(epoch, metrics)
    # the run checkpoints after each epoch body and ends the loop on Ctrl-C or run.end_early()
"""

from __future__ import annotations

import copy
import io
import json
import math
import os
import platform
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from dlnd.core import config as config_mod
from dlnd.core import state_file
from dlnd.core.errors import DlndError, TrainingError, UsageError

CHECKPOINT = "checkpoint.safetensors"
ARTIFACTS = "artifacts.safetensors"
LEGACY_CHECKPOINT = "checkpoint.pkl"  # runs made before checkpoints were safe to open
# Tests set this to a step number: the process SIGKILLs itself right after that step's
# checkpoint is on disk (the one way dlnd's tests interrupt a run).
KILL_AFTER_STEP_ENV = "DLND_TEST_KILL_AFTER_STEP"


def git_commit() -> str | None:
    """The commit of the dlnd source tree, when it is a git checkout."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent,
                             capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def versions() -> dict[str, str]:
    """Versions of Python and of the libraries this process has loaded."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in ("dlnd", "numpy", "torch"):
        if name == "dlnd" or name in sys.modules:
            try:
                out[name] = version(name)
            except PackageNotFoundError:
                out[name] = "not installed"
    return out


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` so that ``path`` holds either the old or the new content, never a mix."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:  # disk full, read-only, quota: the previous version stays intact
        tmp.unlink(missing_ok=True)
        raise DlndError(f"cannot write {path}: {exc.strerror or exc}; its previous version "
                        f"is kept") from None


class DamagedRunError(DlndError):
    """A file of a run directory is damaged (truncated, garbage, missing what it must hold)."""


class TensorBoardLog:
    """Scalars and images as TensorBoard event files via tensorboard's own writer (no torch)."""

    def __init__(self, log_dir: Path, purge_step: int | None = None):
        from tensorboard.compat.proto import event_pb2
        from tensorboard.summary.writer.event_file_writer import EventFileWriter

        self._pb = event_pb2
        self._writer = EventFileWriter(str(log_dir))
        if purge_step is not None:
            # TensorBoard drops the events at or after this step that an interrupted run left.
            start = event_pb2.SessionLog(status=event_pb2.SessionLog.START)
            self._writer.add_event(event_pb2.Event(wall_time=time.time(), step=purge_step,
                                                   session_log=start))

    def _add(self, step: int, value) -> None:
        from tensorboard.compat.proto import summary_pb2

        event = self._pb.Event(wall_time=time.time(), step=step,
                               summary=summary_pb2.Summary(value=[value]))
        self._writer.add_event(event)

    def scalar(self, name: str, value: float, step: int) -> None:
        from tensorboard.compat.proto import summary_pb2

        self._add(step, summary_pb2.Summary.Value(tag=name, simple_value=float(value)))

    def image(self, name: str, png: bytes, width: int, height: int, step: int) -> None:
        from tensorboard.compat.proto import summary_pb2

        img = summary_pb2.Summary.Image(encoded_image_string=png, width=width, height=height,
                                        colorspace=4)
        self._add(step, summary_pb2.Summary.Value(tag=name, image=img))

    def text(self, name: str, text: str, step: int) -> None:
        """A text for TensorBoard's Text dashboard, which renders it as Markdown."""
        from tensorboard.compat.proto import summary_pb2, tensor_pb2, tensor_shape_pb2, types_pb2
        from tensorboard.plugins.text import metadata

        tensor = tensor_pb2.TensorProto(
            dtype=types_pb2.DT_STRING, string_val=[text.encode("utf-8")],
            tensor_shape=tensor_shape_pb2.TensorShapeProto(
                dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=1)]))
        self._add(step, summary_pb2.Summary.Value(
            tag=name, metadata=metadata.create_summary_metadata(name, ""), tensor=tensor))

    def hparams(self, hparams: dict[str, Any]) -> None:
        """A session-start record; TensorBoard infers the experiment from all runs' records."""
        from tensorboard.compat.proto import summary_pb2
        from tensorboard.plugins.hparams import metadata, plugin_data_pb2

        info = plugin_data_pb2.SessionStartInfo(start_time_secs=time.time())
        for key, value in hparams.items():
            if isinstance(value, bool):
                info.hparams[key].bool_value = value
            elif isinstance(value, int | float):
                info.hparams[key].number_value = value
            else:
                info.hparams[key].string_value = str(value)
        content = plugin_data_pb2.HParamsPluginData(session_start_info=info,
                                                    version=metadata.PLUGIN_DATA_VERSION)
        meta = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(
            plugin_name=metadata.PLUGIN_NAME, content=content.SerializeToString()))
        self._add(0, summary_pb2.Summary.Value(tag=metadata.SESSION_START_INFO_TAG,
                                               metadata=meta))

    def close(self) -> None:
        self._writer.close()


@dataclass(frozen=True)
class Criterion:
    """One course target condition, e.g. ``val/loss < 0.18``."""

    metric: str
    op: str  # "<", "<=", ">", ">="
    value: float

    def met(self, metrics: dict[str, float]) -> bool:
        got = metrics.get(self.metric)
        if got is None or not math.isfinite(got):
            return False
        return {"<": got < self.value, "<=": got <= self.value,
                ">": got > self.value, ">=": got >= self.value}[self.op]

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.value:g}"


def new_run_dir(out: Path, project: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = Path(out) / project / f"{stamp}-{secrets.token_hex(3)}"
    try:
        path.mkdir(parents=True)
    except (FileExistsError, NotADirectoryError):
        raise UsageError(f"cannot make a run directory under {out}: a file is in the way "
                         f"(--out must be a directory)") from None
    except OSError as exc:
        raise UsageError(f"cannot make a run directory under {out}: "
                         f"{exc.strerror or exc}") from None
    return path


class Run:
    """An open run directory: log metrics, save checkpoints, write the summary.

    Use ``Run.create`` for a new run and ``Run.reopen`` to resume one.
    """

    def __init__(self, path: Path, project: str, cfg: Any, *, verbose: bool = True,
                 resumed_from_step: int | None = None, lock: RunLock | None = None):
        self.path = Path(path)
        self._lock = lock if lock is not None else RunLock(self.path)
        self.project = project
        self.config = cfg
        self.verbose = verbose
        self.interactive = verbose and sys.stderr.isatty()
        self.stop_requested = False
        self.stop_reason = "interrupted"  # what ends a run early: Ctrl-C, or a sweep's pruner
        self.on_metric = None  # optional hook(name, value, step), used by sweeps to prune
        self._bar = None
        self._started = time.monotonic()
        self._elapsed_before = 0.0
        self._tracked: dict[str, Any] = {}
        self._saved: dict[str, Any] | None = None  # the checkpoint this run resumes from
        self._artifacts: dict[str, Any] = {}
        self._end_early = False
        self._at_close: list = []
        self.start_epoch = 0
        self.tb = TensorBoardLog(self.path, purge_step=resumed_from_step)
        self._metrics = open(self.path / "metrics.jsonl", "a")

    # ----- creation and resumption -----
    @classmethod
    def create(cls, out: Path, project: str, cfg: Any, *, quick: bool = False,
               verbose: bool = True, meta: dict[str, Any] | None = None) -> Run:
        path = new_run_dir(out, project)
        (path / "config.toml").write_text(config_mod.to_toml(cfg))
        meta = {"project": project, "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "quick": quick, "git_commit": git_commit(), **(meta or {})}
        (path / "run.json").write_text(json.dumps(meta, indent=2) + "\n")
        return cls(path, project, cfg, verbose=verbose)

    @classmethod
    def reopen(cls, path: Path, config_cls: type, *, verbose: bool = True) -> Run:
        """Reopen ``path`` to resume it: metrics logged after the last checkpoint are dropped
        (they will be logged again), so a resumed run ends with the same record as an
        uninterrupted one."""
        path = Path(path)
        meta = read_meta(path)
        lock = RunLock(path)  # before anything in the directory is rewritten
        try:
            remove_stale_temp_files(path)
            cfg = saved_config(path, config_cls, meta["project"])
            state = load_checkpoint(path)
            if state is not None:
                trained = config_mod.with_settings_added_since(config_cls, state["config"])
                state["config"] = trained
                if trained != config_mod.to_dict(cfg):
                    changed = sorted(k for k, v in config_mod.to_dict(cfg).items()
                                     if trained.get(k, v) != v or k not in trained)
                    raise UsageError(f"{path}/config.toml differs from the config its "
                                     f"checkpoint was trained with ({', '.join(changed)}); put "
                                     f"it back or start a new run")
            artifacts = read_artifacts(path)
            step = state["step"] if state else -1
            records, partial = metric_records(path)
            if state is not None and max((r["step"] for r in records), default=-1) < step:
                raise DamagedRunError(f"{path / 'metrics.jsonl'} is damaged: it lacks the "
                                      f"metrics of the epochs up to its checkpoint's ({step})")
            kept = [json.dumps(r) + "\n" for r in records if r["step"] <= step]
            write_atomic(path / "metrics.jsonl", "".join(kept).encode())
        except BaseException:
            lock.release()
            raise
        run = cls(path, meta["project"], cfg, verbose=verbose, resumed_from_step=step + 1,
                  lock=lock)
        if partial:
            run.say("dropped a partial last line of metrics.jsonl (the process was killed "
                    "while writing it)")
        run._elapsed_before = state["wall_s"] if state else 0.0
        run._saved, run._artifacts, run.start_epoch = state, artifacts, step + 1
        return run

    # ----- what has state -----
    def track(self, **objects: Any) -> int:
        """Register everything whose state a resumed run needs: objects with
        ``state_dict()``/``load_state_dict()`` (models, optimizers, :class:`Best`, schedulers,
        replay buffers ...), NumPy ``Generator``s and torch ``Generator``s. When resuming, each
        is restored now from the last checkpoint. Returns the epoch to start from; every
        checkpoint (after each epoch of :meth:`epochs`) saves them all again."""
        for name, obj in objects.items():
            if name in self._tracked:
                raise ValueError(f"{name!r} is already tracked by this run")
            state_of(obj)  # fail now, not at the first checkpoint, on something untrackable
            self._tracked[name] = obj
            if self._saved is not None:
                saved = self._saved["tracked"]
                if name not in saved:
                    raise UsageError(f"{self.path}/{CHECKPOINT} has no state for {name!r}: it "
                                     f"was written by another version of {self.project}")
                restore(obj, saved[name])
        return self.start_epoch

    def tracked(self, name: str) -> Any:
        """The object tracked as ``name`` (``None`` when nothing is), e.g. for a hook that
        samples from the model being trained."""
        return self._tracked.get(name)

    def keep(self, **artifacts: Any) -> None:
        """Store what ``load()`` needs besides weights (vocabulary, scaling, class names), as
        arrays and JSON in ``artifacts.safetensors``."""
        self._artifacts.update(artifacts)
        write_atomic(self.path / ARTIFACTS, state_file.to_bytes(self._artifacts))

    def at_close(self, callback) -> None:
        """Call ``callback()`` when the run closes (e.g. to put back a process-wide setting)."""
        self._at_close.append(callback)

    # ----- logging -----
    def log(self, step: int, metrics: dict[str, float]) -> None:
        """Record scalar metrics at ``step`` (JSON lines + TensorBoard). A non-finite loss stops
        training with a clear error; the last good checkpoint stays on disk."""
        now = time.time()
        for name, value in metrics.items():
            value = float(value)
            if name.endswith("loss") and not math.isfinite(value):
                kept = (f"the last good checkpoint is in {self.path}"
                        if (self.path / CHECKPOINT).exists() else "no checkpoint was saved yet")
                raise TrainingError(f"{name} became {value} at step {step}; {kept} - try a "
                                    f"lower learning rate")
            self._metrics.write(json.dumps({"step": step, "name": name, "value": value,
                                            "time": round(now, 3)}) + "\n")
            self.tb.scalar(name, value, step)
        self._metrics.flush()
        if self.on_metric is not None:
            for name, value in metrics.items():
                self.on_metric(name, float(value), step)

    def stop(self, reason: str) -> None:
        """End the run after this epoch, as not completed (``reason``: interrupted, pruned)."""
        self.stop_requested, self.stop_reason = True, reason

    def end_early(self) -> None:
        """End the epoch loop after this epoch, as completed (early stopping)."""
        self._end_early = True

    def log_hparams(self, hparams: dict[str, Any]) -> None:
        """Record this run's hyperparameters for TensorBoard's HParams dashboard."""
        self.tb.hparams(hparams)

    def log_figure(self, name: str, fig, step: int = 0) -> Path:
        """Save a matplotlib figure as ``<name>.png`` in the run and as a TensorBoard image."""
        buf = io.BytesIO()
        # a figure with a layout engine has made room for its labels; "tight" would draw it twice
        fig.savefig(buf, format="png", dpi=100,
                    bbox_inches=None if fig.get_layout_engine() else "tight")
        png = buf.getvalue()
        out = self.path / f"{name.replace('/', '_')}.png"
        write_atomic(out, png)
        width, height = (int(v) for v in fig.get_size_inches() * 100)
        self.tb.image(name, png, width, height, step)
        return out

    def epochs(self, total: int) -> Iterator[int]:
        """Epoch numbers, from the one after the last checkpoint: a progress bar on a terminal,
        a line per epoch otherwise. After each epoch's body the run writes a checkpoint of
        everything tracked; then it ends the loop when Ctrl-C was pressed, a sweep pruned the
        run or the project called :meth:`end_early` (never ``break`` out of this loop: the
        epoch would not be saved)."""
        start = self.start_epoch
        previous = signal.getsignal(signal.SIGINT)

        def on_interrupt(signum, frame):
            if self.stop_requested:  # a second Ctrl-C stops at once
                raise KeyboardInterrupt
            self.stop_requested = True
            self.say("interrupt: saving a checkpoint at the end of this epoch (Ctrl-C again to "
                     "abort now)")

        handler_installed = False
        try:
            signal.signal(signal.SIGINT, on_interrupt)
            handler_installed = True
        except ValueError:  # not the main thread: no handler, Ctrl-C behaves as usual
            pass
        try:
            if self.interactive:
                from tqdm import tqdm

                self._bar = tqdm(total=total, initial=start, desc=self.project, unit="epoch",
                                 leave=False)
            for epoch in range(start, total):
                yield epoch
                self.save_checkpoint(epoch)
                if self._bar is not None:
                    self._bar.update()
                if self.stop_requested or self._end_early:
                    break
        finally:
            if self._bar is not None:
                self._bar.close()
                self._bar = None
            if handler_installed:
                signal.signal(signal.SIGINT, previous)

    def report(self, epoch: int, total: int, metrics: dict[str, float]) -> None:
        """Show an epoch's metrics on the progress bar, or as one line when not on a terminal."""
        text = " ".join(f"{k}={v:.4g}" for k, v in metrics.items())
        if self._bar is not None:
            self._bar.set_postfix_str(text)
        else:
            self.say(f"epoch {epoch + 1}/{total} {text}")

    def say(self, message: str) -> None:
        if self.verbose:
            print(f"[{self.project}] {message}", file=sys.stderr, flush=True)

    # ----- checkpoints -----
    def wall_s(self) -> float:
        """Training wall time so far, including the time before an interruption."""
        return self._elapsed_before + time.monotonic() - self._started

    def save_checkpoint(self, step: int) -> None:
        """Atomically write the state of everything tracked, as of the end of ``step``.
        :meth:`epochs` calls this after each epoch; projects need not."""
        tracked = {name: state_of(obj) for name, obj in self._tracked.items()}
        best_of = {model: name for name, obj in self._tracked.items() if isinstance(obj, Best)
                   for model, other in self._tracked.items() if other is obj.model}
        state = {"step": step, "wall_s": self.wall_s(), "tracked": tracked, "best_of": best_of,
                 "config": config_mod.to_dict(self.config)}
        write_atomic(self.path / CHECKPOINT, state_file.to_bytes(state))
        if os.environ.get(KILL_AFTER_STEP_ENV) == str(step):
            os.kill(os.getpid(), signal.SIGKILL)

    # ----- the end -----
    def finish(self, metrics: dict[str, float], target: Iterable[Criterion], target_text: str,
               device: str, status: str = "completed", scored: bool = True) -> dict[str, Any]:
        """Write and return the summary; ``scored`` False: the course target is about other
        settings than this run's (its verdict says so, never pass or fail)."""
        criteria = list(target)
        passed = all(c.met(metrics) for c in criteria) if status == "completed" else False
        meta = read_meta(self.path)
        summary = {
            "project": self.project,
            "run_dir": str(self.path),
            "status": status,
            "metrics": {k: float(v) for k, v in metrics.items()},
            "target": target_text,
            "criteria": {str(c): c.met(metrics) for c in criteria},
            "passed": passed,
            "verdict": verdict(status, passed, meta.get("quick", False), scored),
            "wall_s": round(self.wall_s(), 3),
            "device": device,
            "config": config_mod.to_dict(self.config),
            "versions": versions(),
            "git_commit": meta.get("git_commit"),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        write_atomic(self.path / "summary.json", (json.dumps(summary, indent=2) + "\n").encode())
        return summary

    def close(self) -> None:
        try:
            for callback in reversed(self._at_close):
                callback()
            self.tb.close()
            self._metrics.close()
        finally:
            self._lock.release()


QUICK_VERDICT = "quick - not scored"
OTHER_SETTINGS_VERDICT = "other settings - not scored"


def verdict(status: str, passed: bool, quick: bool, scored: bool = True) -> str:
    """How a run is shown: pass or fail against the course target for a full run that
    completed; quick runs (tiny settings), runs of settings the target is not about and
    unfinished runs are not scored against it."""
    if status != "completed":
        return status
    if quick:
        return QUICK_VERDICT
    if not scored:
        return OTHER_SETTINGS_VERDICT
    return "pass" if passed else "fail"


class RunLock:
    """An OS lock on a run directory (``.lock``), so that one process at a time writes it: a
    second ``--resume`` of the same run is refused, naming the process that holds it. The OS
    drops the lock when its process dies, so a killed run never stays locked."""

    def __init__(self, path: Path):
        import fcntl

        self._file = open(Path(path) / ".lock", "a+")
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._file.seek(0)
            holder = self._file.read().strip() or "unknown"
            self._file.close()
            raise UsageError(f"{path} is in use by another dlnd process (pid {holder}); wait "
                             f"for it to end or stop it first") from None
        self._file.seek(0)
        self._file.truncate()
        self._file.write(str(os.getpid()))
        self._file.flush()

    def release(self) -> None:
        if not self._file.closed:
            self._file.close()  # closing drops the lock


def remove_stale_temp_files(path: Path) -> None:
    """Temp files of a write that a killed process never finished (``.<name>.<pid>.tmp``)."""
    for tmp in Path(path).glob(".*.tmp"):
        pid = tmp.name.rsplit(".", 2)[-2]
        if pid.isdigit() and not _alive(int(pid)):
            tmp.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def _read_lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    try:
        return path.read_text().splitlines(keepends=True)
    except UnicodeDecodeError:
        raise DamagedRunError(f"{path} is damaged: not UTF-8 text") from None


def _read_json(file: Path, what: str) -> Any:
    try:
        return json.loads(file.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DamagedRunError(f"{file} is damaged: not the JSON of {what} ({exc})") from None
    except IsADirectoryError:
        raise DamagedRunError(f"{file} is a directory, not {what}") from None


def read_meta(path: Path) -> dict[str, Any]:
    path = Path(path)
    if not path.is_dir():
        raise UsageError(f"{path} is not a dlnd run directory" +
                         (" (it is a file)" if path.exists() else " (it does not exist)"))
    file = path / "run.json"
    if not file.exists():
        raise UsageError(f"{path} is not a dlnd run directory (no run.json)")
    meta = _read_json(file, "a run's description")
    if not isinstance(meta, dict) or not isinstance(meta.get("project"), str):
        raise DamagedRunError(f"{file} is damaged: it names no project")
    return meta


def saved_config(path: Path, config_cls: type, project: str) -> Any:
    """The config a run was started with, from its ``config.toml``, which must hold every key
    (dlnd writes them all; a missing one would silently become a default), but for settings
    added since, which take the value the code had before them."""
    file = Path(path) / "config.toml"
    values = config_mod.with_settings_added_since(config_cls, config_mod.read_toml(file))
    missing = [k for k, (_, f) in config_mod.fields_of(config_cls).items()
               if k not in values and f.default is not None]
    if missing:
        raise UsageError(f"{file} lacks {', '.join(missing)}: it was edited or damaged; put "
                         f"them back or start a new run")
    return config_mod.build(config_cls, values, what=project)


def load_checkpoint(path: Path) -> dict[str, Any] | None:
    """A run's last checkpoint (``None`` before its first epoch ended). Refuses, without
    opening it, a pickle checkpoint of the older, unsafe format."""
    path = Path(path)
    ckpt = path / CHECKPOINT
    if not ckpt.exists():
        if (path / LEGACY_CHECKPOINT).exists():
            raise UsageError(f"{path} was made by an older dlnd whose checkpoints are pickles, "
                             f"which can run code when opened; dlnd no longer opens them: "
                             f"train the run again")
        return None
    state = state_file.read(ckpt)
    if not isinstance(state, dict) or not isinstance(state.get("step"), int) or \
            not isinstance(state.get("tracked"), dict) or "config" not in state:
        raise DamagedRunError(f"{ckpt} is damaged: it is not a dlnd checkpoint (no step, "
                              f"tracked state or config)")
    return state


def read_artifacts(path: Path) -> dict[str, Any]:
    file = Path(path) / ARTIFACTS
    if not file.exists():
        return {}
    artifacts = state_file.read(file)
    if not isinstance(artifacts, dict):
        raise DamagedRunError(f"{file} is damaged: it does not hold named artifacts")
    return artifacts


def snapshot(state: Any) -> Any:
    """A detached copy of a state tree (torch tensors cloned to the CPU, arrays copied)."""
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(state, torch.Tensor):
        return state.detach().to("cpu", copy=True)
    if isinstance(state, dict):
        return {k: snapshot(v) for k, v in state.items()}
    if isinstance(state, list | tuple):
        return type(state)(snapshot(v) for v in state)
    return copy.deepcopy(state)


def state_of(obj: Any) -> Any:
    """The saveable state of a tracked object."""
    if hasattr(obj, "state_dict") and hasattr(obj, "load_state_dict"):
        return obj.state_dict()
    if isinstance(obj, np.random.Generator):
        return obj.bit_generator.state
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(obj, torch.Generator):
        return obj.get_state()
    raise TypeError(f"cannot track a {type(obj).__name__}: give it state_dict() and "
                    f"load_state_dict()")


def restore(obj: Any, state: Any) -> None:
    """Put ``state`` (from :func:`state_of`) back into ``obj``."""
    if hasattr(obj, "load_state_dict"):
        obj.load_state_dict(state)
    elif hasattr(obj, "bit_generator"):
        obj.bit_generator.state = state
    else:  # a torch Generator: its state is a CPU byte tensor whatever its device
        obj.set_state(state)


class Best:
    """The best epoch so far by one metric: its value, all its metrics and (with ``model``) a
    copy of the weights then; with ``patience``, :attr:`exhausted` says when to stop early.
    Track it with the run so that a resumed run remembers it."""

    def __init__(self, metric: str, mode: str = "min", model: Any = None,
                 patience: int | None = None):
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', not {mode!r}")
        self.metric, self.mode, self.model, self.patience = metric, mode, model, patience
        self.epoch = -1  # none yet
        self.value = math.inf if mode == "min" else -math.inf
        self.metrics: dict[str, float] = {}
        self.weights: Any = None
        self.last_epoch = -1

    def update(self, epoch: int, metrics: dict[str, float]) -> bool:
        """Note ``epoch``'s metrics; True (and the weights copied) when it is the best yet."""
        value = float(metrics[self.metric])
        self.last_epoch = epoch
        better = value < self.value if self.mode == "min" else value > self.value
        if better:
            self.epoch, self.value = epoch, value
            self.metrics = {k: float(v) for k, v in metrics.items()}
            if self.model is not None:
                self.weights = snapshot(self.model.state_dict())
        return better

    @property
    def exhausted(self) -> bool:
        """True when ``patience`` epochs have passed without improvement."""
        return self.patience is not None and self.last_epoch - self.epoch >= self.patience

    def restore(self) -> int:
        """Load the best weights into the model; returns the best epoch (-1: none, unchanged)."""
        if self.weights is not None:
            self.model.load_state_dict(self.weights)
        return self.epoch

    def state_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "mode": self.mode, "epoch": self.epoch,
                "value": self.value, "metrics": self.metrics, "weights": self.weights,
                "last_epoch": self.last_epoch}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.epoch, self.value = state["epoch"], state["value"]
        self.metrics, self.weights = state["metrics"], state["weights"]
        self.last_epoch = state["last_epoch"]


class Trained:
    """What ``load()`` reads from a finished (or interrupted) run: its config, its artifacts and
    the state of what it tracked, from files that are safe to open."""

    def __init__(self, path: Path, config_cls: type):
        self.path = Path(path)
        meta = read_meta(self.path)
        state = load_checkpoint(self.path)  # first: an unsafe checkpoint is refused at once
        self.config = saved_config(self.path, config_cls, meta["project"])
        if state is None:
            raise UsageError(f"{path} has no checkpoint yet (was the run stopped before its "
                             f"first epoch ended?)")
        self.step: int = state["step"]
        self.state: dict[str, Any] = state["tracked"]
        self._best_of: dict[str, str] = state["best_of"]
        self.artifacts = read_artifacts(self.path)

    def weights(self, name: str = "model", best: bool = True) -> Any:
        """The state of tracked ``name``: by default the best epoch's weights when a
        :class:`Best` kept them, else the last epoch's."""
        if best and name in self._best_of:
            kept = self.state[self._best_of[name]]["weights"]
            if kept is not None:
                return kept
        return self.state[name]

    def best(self, name: str = "best") -> dict[str, Any]:
        """The saved state of a tracked :class:`Best` (epoch, value, metrics)."""
        return self.state[name]


def metric_records(path: Path) -> tuple[list[dict[str, Any]], bool]:
    """The records of ``metrics.jsonl`` and whether a partial last line (a process killed while
    appending) was left out. A damaged line anywhere else is an error naming it."""
    file = Path(path) / "metrics.jsonl"
    lines = _read_lines(file)
    records, partial = [], False
    for number, line in enumerate(lines, start=1):
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or not {"step", "name", "value"} <= record.keys():
                raise ValueError("not a metric record")
        except ValueError as exc:
            if number == len(lines) and not line.endswith("\n"):
                partial = True
                break
            raise DamagedRunError(f"{file} is damaged at line {number} ({exc})") from None
        records.append(record)
    return records, partial


def read_metrics(path: Path) -> list[dict[str, Any]]:
    return metric_records(path)[0]


def find_runs(out: Path, project: str | None = None) -> list[Path]:
    """Run directories under ``out`` (optionally of one project), oldest first."""
    pattern = f"{project}/*/run.json" if project else "*/*/run.json"
    return sorted((p.parent for p in Path(out).glob(pattern)), key=lambda p: p.name)


def read_summary(path: Path) -> dict[str, Any] | None:
    file = Path(path) / "summary.json"
    if not file.exists():
        return None
    summary = _read_json(file, "a run's summary")
    if not isinstance(summary, dict) or not {"status", "passed", "metrics", "wall_s"} <= \
            summary.keys():
        raise DamagedRunError(f"{file} is damaged: it lacks the summary's keys")
    return summary
