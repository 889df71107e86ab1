"""Weight initialisation schemes. Each returns a new NumPy array of ``shape`` (float32 unless
``dtype`` is given) drawn from ``rng``, an ``np.random.Generator``.

Pass ``rng`` explicitly for reproducible results; without it the module's default generator
is used (reseed it with ``manual_seed``).

Fans follow torch's layout: ``shape = (fan_out, fan_in, *kernel)``, so a Linear weight is
(out_features, in_features) and a conv weight (out_channels, in_channels, kh, kw).
"""

from __future__ import annotations

import math

import numpy as np

_default_rng = np.random.default_rng()

__all__ = [
    "manual_seed", "default_rng", "calculate_fans", "calculate_gain", "zeros", "ones",
    "constant", "uniform", "normal", "truncated_normal", "xavier_uniform", "xavier_normal",
    "glorot_uniform", "glorot_normal", "kaiming_uniform", "kaiming_normal", "he_uniform",
    "he_normal", "lecun_uniform", "lecun_normal",
]  # fmt: skip


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the default generator used when no ``rng`` is passed; returns it."""
    global _default_rng
    _default_rng = np.random.default_rng(seed)
    return _default_rng


def default_rng() -> np.random.Generator:
    """The generator used when no ``rng`` is passed."""
    return _default_rng


def _rng(rng: np.random.Generator | None) -> np.random.Generator:
    return _default_rng if rng is None else rng


def _shape(shape) -> tuple[int, ...]:
    return (int(shape),) if np.isscalar(shape) else tuple(int(s) for s in shape)


def calculate_fans(shape) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of ``shape`` = (fan_out, fan_in, *kernel)."""
    shape = _shape(shape)
    if len(shape) < 2:
        raise ValueError(f"fans need a weight with at least 2 dimensions, got shape {shape}")
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """Recommended gain for a nonlinearity (same table as ``torch.nn.init.calculate_gain``)."""
    if nonlinearity in ("linear", "identity", "conv1d", "conv2d", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"unknown nonlinearity {nonlinearity!r}")


def zeros(shape, dtype=np.float32) -> np.ndarray:
    """All zeros."""
    return np.zeros(_shape(shape), dtype=dtype)


def ones(shape, dtype=np.float32) -> np.ndarray:
    """All ones."""
    return np.ones(_shape(shape), dtype=dtype)


def constant(shape, value: float, dtype=np.float32) -> np.ndarray:
    """Every element equal to ``value``."""
    return np.full(_shape(shape), value, dtype=dtype)


def uniform(shape, low: float = 0.0, high: float = 1.0, rng=None, dtype=np.float32):
    """Uniform on [low, high)."""
    return _rng(rng).uniform(low, high, _shape(shape)).astype(dtype)


def normal(shape, mean: float = 0.0, std: float = 1.0, rng=None, dtype=np.float32):
    """Normal with ``mean`` and ``std``."""
    return (mean + std * _rng(rng).standard_normal(_shape(shape))).astype(dtype)


def truncated_normal(shape, mean: float = 0.0, std: float = 1.0, rng=None, dtype=np.float32):
    """Normal, but values more than 2 std from the mean are redrawn (``tf.truncated_normal``)."""
    rng = _rng(rng)
    z = rng.standard_normal(_shape(shape))
    bad = np.abs(z) > 2
    while bad.any():
        z[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(z) > 2
    return (mean + std * z).astype(dtype)


def xavier_uniform(shape, gain: float = 1.0, rng=None, dtype=np.float32):
    """Glorot uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fans(shape)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform(shape, -a, a, rng, dtype)


def xavier_normal(shape, gain: float = 1.0, rng=None, dtype=np.float32):
    """Glorot normal: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fans(shape)
    return normal(shape, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), rng, dtype)


def _kaiming_std(shape, a, mode, nonlinearity) -> float:
    fan_in, fan_out = calculate_fans(shape)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform(
    shape,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "relu",
    rng=None,
    dtype=np.float32,
):
    """He uniform: U(-b, b) with b = gain * sqrt(3 / fan) (gain sqrt(2) for relu)."""
    bound = math.sqrt(3.0) * _kaiming_std(shape, a, mode, nonlinearity)
    return uniform(shape, -bound, bound, rng, dtype)


def kaiming_normal(
    shape,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "relu",
    rng=None,
    dtype=np.float32,
):
    """He normal: N(0, std^2) with std = gain / sqrt(fan) (gain sqrt(2) for relu)."""
    return normal(shape, 0.0, _kaiming_std(shape, a, mode, nonlinearity), rng, dtype)


def lecun_uniform(shape, rng=None, dtype=np.float32):
    """The 'general rule' U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (torch's Linear/Conv default)."""
    bound = 1.0 / math.sqrt(calculate_fans(shape)[0])
    return uniform(shape, -bound, bound, rng, dtype)


def lecun_normal(shape, rng=None, dtype=np.float32):
    """N(0, 1/fan_in)."""
    return normal(shape, 0.0, 1.0 / math.sqrt(calculate_fans(shape)[0]), rng, dtype)


glorot_uniform = xavier_uniform
glorot_normal = xavier_normal
he_uniform = kaiming_uniform
he_normal = kaiming_normal
