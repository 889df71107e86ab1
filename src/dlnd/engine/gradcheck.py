"""``check_grads``: compare the engine's backward with central finite differences."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .tensor import Tensor, no_grad


@dataclass
class GradCheckReport:
    """Outcome of ``check_grads``; truthy when every gradient matched.

    ``worst`` is (input index, element index, analytic, numeric) of the element whose error
    was largest relative to its tolerance ``atol + rtol * |numeric|``.
    """

    ok: bool
    max_abs_err: float
    worst: tuple[int, tuple[int, ...], float, float] | None
    atol: float
    rtol: float
    n_checked: int
    note: str = ""

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        head = "check_grads: OK" if self.ok else "check_grads: MISMATCH"
        lines = [
            f"{head} ({self.n_checked} elements, max |analytic - numeric| = "
            f"{self.max_abs_err:.3g}, atol={self.atol:g}, rtol={self.rtol:g})"
        ]
        if self.worst is not None:
            i, idx, a, n = self.worst
            lines.append(
                f"  worst: input {i}, element {idx}: analytic {a:.8g} vs numeric {n:.8g}"
                f" (diff {abs(a - n):.3g}, allowed {self.atol + self.rtol * abs(n):.3g})"
            )
        if self.note:
            lines.append(f"  note: {self.note}")
        return "\n".join(lines)


def check_grads(
    f, *inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3, seed: int = 0
) -> GradCheckReport:
    """Check ``f``'s gradients with respect to every floating-point input.

    ``f(*inputs)`` must return a Tensor. Tensor and float-array inputs are copied to float64
    leaves; other arguments (integer targets, flags) are passed through unchanged. A
    non-scalar output is reduced to ``sum(out * w)`` with fixed random weights ``w``. Each
    element is nudged by +-eps and the central difference (f(x+eps) - f(x-eps)) / 2eps is
    compared with the backward pass. ``f`` must be deterministic (no dropout).

    >>> report = check_grads(lambda x: (x * x).sum(), np.array([1.0, 2.0]))
    >>> bool(report)
    True
    """
    args: list = []
    checked: list[int] = []
    for i, v in enumerate(inputs):
        data = v.data if isinstance(v, Tensor) else v
        if isinstance(data, np.ndarray | float | np.floating) and np.issubdtype(
            np.asarray(data).dtype, np.floating
        ):
            args.append(Tensor(np.array(data, dtype=np.float64), requires_grad=True))
            checked.append(i)
        else:
            args.append(v)
    if not checked:
        raise ValueError("check_grads: no floating-point inputs to check")

    out = f(*args)
    if not isinstance(out, Tensor):
        raise TypeError(f"check_grads: f must return a Tensor, got {type(out).__name__}")
    note = ""
    if out.dtype != np.float64:
        note = (
            f"f returned {out.dtype}; finite differences need float64 all the way "
            "(convert modules with .to(np.float64))"
        )
    weights = np.random.default_rng(seed).standard_normal(out.shape)

    def scalar(o: Tensor):
        return o.sum() if o.size == 1 else (o * weights).sum()

    scalar(out).backward()
    analytic = {
        i: (args[i].grad if args[i].grad is not None else np.zeros(args[i].shape)) for i in checked
    }

    worst, worst_ratio, max_abs, n = None, -1.0, 0.0, 0
    with no_grad():
        for i in checked:
            x = args[i].data
            for idx in np.ndindex(x.shape):
                orig = x[idx]
                x[idx] = orig + eps
                up = float(scalar(f(*args)).data)
                x[idx] = orig - eps
                down = float(scalar(f(*args)).data)
                x[idx] = orig
                numeric = (up - down) / (2 * eps)
                a = float(analytic[i][idx])
                err = abs(a - numeric)
                ratio = err / (atol + rtol * abs(numeric)) if np.isfinite(err) else np.inf
                n += 1
                max_abs = max(max_abs, err) if np.isfinite(err) else np.inf
                if ratio > worst_ratio or worst is None:
                    worst, worst_ratio = (i, idx, a, numeric), ratio
    return GradCheckReport(
        ok=bool(worst_ratio <= 1),
        max_abs_err=float(max_abs),
        worst=worst,
        atol=atol,
        rtol=rtol,
        n_checked=n,
        note=note,
    )
