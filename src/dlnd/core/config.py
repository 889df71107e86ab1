"""Configs are dataclasses; everything else (CLI flags, ``--set key=value``, TOML files) is derived.

A project declares one ``@dataclass`` subclass of :class:`BaseConfig` whose fields use
:func:`param`, so each hyperparameter carries its help text (units, why) and its bounds
next to its default::

    @dataclass
    class BikeConfig(BaseConfig):
        hidden_nodes: int = param(16, "sigmoid units in the hidden layer", min=1)

Values are type-checked and bounds-checked before any work starts; an unknown key is an error that
suggests the closest valid key.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from dlnd.core.errors import ConfigError

NEW = object()  # ``before`` of a field that every saved config has


def param(default: Any, help: str, *, min: float | None = None, max: float | None = None,
          gt: float | None = None, choices: tuple | None = None, before: Any = NEW) -> Any:
    """A config field: default, help text, bounds (``min``/``max`` inclusive, ``gt`` exclusive).
    ``before``: for a setting added after runs were saved without it, the value those runs
    had (what the code did before the setting existed), so that their directories still load."""
    meta = {"help": help, "min": min, "max": max, "gt": gt, "choices": choices, "before": before}
    return field(default=default, metadata=meta)


def with_settings_added_since(cls: type, values: dict[str, Any]) -> dict[str, Any]:
    """Saved ``values`` plus, for each setting added since they were saved (absent there, with a
    ``before`` value), that value."""
    added = {k: f.metadata["before"] for k, (_, f) in fields_of(cls).items()
             if k not in values and f.metadata.get("before", NEW) is not NEW}
    return {**values, **added}


DEVICES = ("auto", "cpu", "cuda", "mps")

# Upper bounds the projects' configs share. Each lies far beyond any useful value, so a value
# above it is a typo (a digit too many), refused before any work starts instead of being found
# out as an allocator failure after a run directory exists, or as a run that never ends.
MAX_EPOCHS = 100_000  # passes over the data: the course's runs make at most a few hundred
MAX_STEPS = 10_000_000  # gradient steps or iterations counted directly
MAX_BATCH = 65_536  # examples per step: more than any training set here holds (60,000 images)
MAX_UNITS = 65_536  # units or channels of one layer: ~100x the course's widest; the memory
# estimate (check_memory) refuses big combinations of them
MAX_LAYERS = 64  # stacked recurrent layers (the course: 1-2)
MAX_THREADS = 1024  # CPU threads: more than any machine has cores
MAX_CHARS = 1_000_000_000  # characters of a corpus to read: the corpora are a few MB
MAX_BUDGET_S = 7 * 24 * 3600.0  # a training time budget of a week; more is a typo


@dataclass
class BaseConfig:
    """Settings every project has."""

    seed: int = param(0, "seed for init, shuffling and dropout: same seed, same CPU, same run "
                      "(NumPy and torch both take 0 .. 2**32 - 1)", min=0, max=2**32 - 1)
    device: str = param("auto", "auto = cuda when available, else cpu (numpy projects run on cpu)")

    def check(self) -> None:
        """Cross-field checks; projects override and raise ConfigError."""
        if not (self.device in DEVICES or re.fullmatch(r"cuda:\d+", self.device)):
            raise ConfigError(f"device must be one of {', '.join(DEVICES)} or cuda:N, "
                              f"not {self.device!r}")


# ----- memory estimates: refuse a model too big to train before anything is allocated -----

MEMORY_LIMIT_GIB = 16  # far above every course model (the largest needs < 2 GiB), so a config
# that needs more is a typo, not a wish: refused with the estimate instead of an allocator crash
FLOAT_BYTES = 4  # float32


def check_memory(settings: str, parameters: int, activations: int = 0, copies: int = 4,
                 limit_gib: float = MEMORY_LIMIT_GIB) -> None:
    """Raise a ConfigError when a model of ``parameters`` float32 weights, each with ``copies``
    of its size in training (weights, gradients, two Adam moments), plus ``activations`` floats
    kept for the backward pass of one batch, needs more than ``limit_gib`` GiB. ``settings``
    names what to lower. An estimate, cheap enough for a config's ``check``."""
    weights = FLOAT_BYTES * copies * parameters / 2**30  # GiB
    batch = FLOAT_BYTES * activations / 2**30
    if weights + batch > limit_gib:
        parts = f"{_gib(weights)} for its {parameters:,} parameters with their gradients and " \
            "optimizer state" + (f", {_gib(batch)} for one batch's activations" if batch else "")
        raise ConfigError(f"this model would need about {_gib(weights + batch)} ({parts}), "
                          f"more than dlnd's limit of {limit_gib:g} GiB; lower {settings}")


def _gib(amount: float) -> str:
    return f"{amount:,.0f} GiB" if amount >= 10 else f"{amount:.2g} GiB"


def mlp_parameters(sizes: typing.Sequence[int]) -> int:
    """Weights and biases of fully connected layers ``sizes[0] -> sizes[1] -> ...``."""
    return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:], strict=False))


def lstm_parameters(input_size: int, hidden: int, layers: int, directions: int = 1,
                    gates: int = 4) -> int:
    """Weights and biases of a stacked (torch) LSTM (``gates=4``) or GRU (``gates=3``)."""
    total, size = 0, input_size
    for _ in range(layers):
        total += directions * gates * hidden * (size + hidden + 2)
        size = directions * hidden
    return total


def check_mlp_memory(hidden: typing.Sequence[int], batch_size: int, inputs: int = 28 * 28,
                     classes: int = 10) -> None:
    """``check_memory`` for an MLP on 28x28 images: ``hidden`` layers, ``batch_size`` images
    per step, each hidden unit keeping ~3 floats (output, activation, dropout mask)."""
    check_memory("hidden or batch_size", mlp_parameters((inputs, *hidden, classes)),
                 activations=3 * batch_size * sum(hidden))


def fields_of(cls: type) -> dict[str, tuple[Any, dataclasses.Field]]:
    """Field name -> (resolved type, dataclass field), in declaration order."""
    hints = typing.get_type_hints(cls)
    return {f.name: (hints[f.name], f) for f in dataclasses.fields(cls)}


def _type_name(tp: Any) -> str:
    if typing.get_origin(tp) is Literal:
        return " | ".join(repr(a) for a in typing.get_args(tp))
    if typing.get_origin(tp) is tuple:
        return f"list of {_type_name(typing.get_args(tp)[0])}"
    return getattr(tp, "__name__", str(tp))


def _parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(text)


def coerce(key: str, tp: Any, value: Any) -> Any:
    """Return ``value`` as type ``tp``. Strings (from the command line) are parsed; other values
    (from TOML or Python) must already have the right type (an int is accepted for a float)."""
    origin = typing.get_origin(tp)
    try:
        if origin is Literal:
            allowed = typing.get_args(tp)
            if isinstance(value, str) and not isinstance(allowed[0], str):
                value = type(allowed[0])(value)
            if value not in allowed:
                raise ValueError
            return value
        if origin is tuple:
            item_tp = typing.get_args(tp)[0]
            if isinstance(value, str):
                value = [v for v in value.split(",") if v.strip()]
            if not isinstance(value, list | tuple):
                raise ValueError
            return tuple(coerce(key, item_tp, v) for v in value)
        if origin in (typing.Union, types.UnionType):  # Optional[X]
            if value is None or (isinstance(value, str) and value.lower() == "none"):
                return None
            inner = [a for a in typing.get_args(tp) if a is not type(None)][0]
            return coerce(key, inner, value)
        if isinstance(value, str):
            if tp is bool:
                return _parse_bool(value)
            if tp is str:
                if any(ord(c) < 32 or ord(c) == 127 for c in value):
                    raise ValueError  # a newline or control character is never a setting
                return value
            return tp(value)
        if tp is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, bool) and tp is not bool:
            raise ValueError
        if not isinstance(value, tp):
            raise ValueError
        return value
    except (ValueError, TypeError):
        raise ConfigError(f"config key {key!r} must be {_type_name(tp)}, not {value!r}") from None


def _check_bounds(key: str, value: Any, meta: typing.Mapping) -> None:
    if value is None:
        return
    items = value if isinstance(value, tuple) else (value,)
    for item in items:
        if isinstance(item, float) and not math.isfinite(item):
            raise ConfigError(f"config key {key!r} must be a finite number, not {item}")
        if meta.get("choices") is not None and item not in meta["choices"]:
            choices = ", ".join(map(str, meta["choices"]))
            raise ConfigError(f"config key {key!r} must be one of {choices}, not {item!r}")
        if meta.get("min") is not None and item < meta["min"]:
            raise ConfigError(f"config key {key!r} must be >= {meta['min']}, not {item}")
        if meta.get("max") is not None and item > meta["max"]:
            raise ConfigError(f"config key {key!r} must be <= {meta['max']}, not {item}")
        if meta.get("gt") is not None and item <= meta["gt"]:
            raise ConfigError(f"config key {key!r} must be > {meta['gt']}, not {item}")


def unknown_key_error(key: str, valid: typing.Iterable[str], what: str) -> ConfigError:
    """The error for an unknown key, suggesting the closest valid one."""
    valid = list(valid)
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else f"; valid keys: {', '.join(valid)}"
    return ConfigError(f"unknown config key {key!r} for {what}{hint}")


def parse_assignments(assignments: typing.Iterable[str]) -> dict[str, str]:
    """``["lr=0.1", "hidden_nodes=8"]`` -> ``{"lr": "0.1", "hidden_nodes": "8"}``."""
    out = {}
    for item in assignments:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set expects key=value, not {item!r}")
        out[key.strip().replace("-", "_")] = value.strip()
    return out


def read_toml(path: Path) -> dict[str, Any]:
    """A flat TOML config file (a ``[config]`` table is accepted too)."""
    try:
        data = tomllib.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except IsADirectoryError:
        raise ConfigError(f"config file {path} is a directory") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    return data.get("config", data)


def build(cls: type, *layers: typing.Mapping[str, Any], what: str = "this project") -> Any:
    """Defaults, then each layer of overrides in order; every key checked, every value validated."""
    known = fields_of(cls)
    values: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if key not in known:
                raise unknown_key_error(key, known, what)
            values[key] = coerce(key, known[key][0], value)
    cfg = cls(**values)
    validate(cfg)
    return cfg


def validate(cfg: Any) -> None:
    """Bounds of every field, then the config's own cross-field ``check``."""
    for key, (_, f) in fields_of(type(cfg)).items():
        _check_bounds(key, getattr(cfg, key), f.metadata)
    cfg.check()


def to_dict(cfg: Any) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(cfg).items()}


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string, control chars escaped
    return repr(value)


def to_toml(cfg: Any) -> str:
    """The config as TOML that ``--config`` reads back; each key has its help as a comment."""
    lines = []
    for key, (_, f) in fields_of(type(cfg)).items():
        value = getattr(cfg, key)
        if value is None:
            continue  # TOML has no null; the default (None) applies when read back
        lines.append(f"{key} = {_toml_value(value)}  # {f.metadata.get('help', '')}")
    return "\n".join(lines) + "\n"


def describe(cls: type) -> list[tuple[str, str, Any, str]]:
    """(flag name, type name, default, help) for each field: the source of CLI flags and docs."""
    return [(key, _type_name(tp), f.default, f.metadata.get("help", ""))
            for key, (tp, f) in fields_of(cls).items()]
