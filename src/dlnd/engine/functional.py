"""Neural-network operations on Tensors: activations, losses, convolution, pooling, batch norm,
dropout and embedding lookup. Usually imported as ``F``.

Ops with a hand-written backward keep it right below their forward; the rest are built from
Tensor ops and get their gradient for free.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .tensor import Tensor, _make, _sigmoid, concat, stack, where

__all__ = [
    "relu", "leaky_relu", "sigmoid", "tanh", "softmax", "log_softmax", "where", "concat",
    "stack", "clip", "linear", "cross_entropy", "nll_loss", "mse_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "dropout", "conv2d",
    "max_pool2d", "avg_pool2d", "embedding", "batch_norm", "flatten", "lstm_recurrence",
]  # fmt: skip


# ----------------------------------------------------------------- activations
def relu(x: Tensor) -> Tensor:
    """max(x, 0)."""
    return x.relu()


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, else negative_slope * x."""
    return x.leaky_relu(negative_slope)


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + exp(-x))."""
    return x.sigmoid()


def tanh(x: Tensor) -> Tensor:
    """Hyperbolic tangent."""
    return x.tanh()


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """Softmax along ``axis``."""
    return x.softmax(axis)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """Log of the softmax along ``axis``, computed stably."""
    return x.log_softmax(axis)


def clip(x: Tensor, min=None, max=None) -> Tensor:
    """Clamp ``x`` into [min, max]."""
    return x.clip(min, max)


def flatten(x: Tensor, start_axis: int = 1) -> Tensor:
    """Merge all axes from ``start_axis`` on (keeps the batch axis by default)."""
    return x.flatten(start_axis)


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weight.T + bias, with ``weight`` of shape (out_features, in_features) like torch."""
    if x.shape[-1:] != weight.shape[1:]:
        raise ValueError(
            f"linear: input shape {x.shape} does not match weight shape {weight.shape}"
            f" (expected last input axis {weight.shape[1]})"
        )
    # One op rather than matmul + transpose + add: fewer nodes and one fresh array per call,
    # and the weight's gradient comes out in the weight's own (out, in) memory order.
    x2 = x.data.reshape(-1, weight.shape[1])
    out = x2 @ weight.data.T
    if bias is not None:
        out += bias.data

    def _backward(g):
        g2 = g.reshape(-1, weight.shape[0])
        gx = (g2 @ weight.data).reshape(x.shape) if x.requires_grad else None
        gw = g2.T @ x2 if weight.requires_grad else None
        if bias is None:
            return gx, gw
        return gx, gw, (g2.sum(axis=0) if bias.requires_grad else None)

    parents = (x, weight) if bias is None else (x, weight, bias)
    return _make(out.reshape(*x.shape[:-1], weight.shape[0]), parents, "linear", _backward)


# ---------------------------------------------------------------------- losses
def _reduce(losses: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    if reduction == "none":
        return losses
    raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _class_targets(logits: Tensor, target, name: str) -> np.ndarray:
    target = np.asarray(target.data if isinstance(target, Tensor) else target)
    if logits.ndim != 2 or target.shape != logits.shape[:1]:
        raise ValueError(
            f"{name}: input shape {logits.shape} and target shape {target.shape} do not match"
            " (expected (N, C) and (N,))"
        )
    if target.size and not np.issubdtype(target.dtype, np.integer):
        if not np.all(target == np.round(target)):
            raise ValueError(f"{name}: targets must be integer class indices")
    target = target.astype(np.intp)
    if target.size and (target.min() < 0 or target.max() >= logits.shape[1]):
        raise IndexError(
            f"{name}: target values must lie in [0, {logits.shape[1]}), got "
            f"[{target.min()}, {target.max()}]"
        )
    return target


def cross_entropy(logits: Tensor, target, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy of ``logits`` (N, C) with integer class ``target`` (N,).

    Backward is the classic ``(softmax(logits) - one_hot(target)) / N``.
    """
    target = _class_targets(logits, target, "cross_entropy")
    n = len(target)
    rows = np.arange(n)
    shifted = logits.data - logits.data.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    losses = -logp[rows, target]
    data = {"mean": losses.mean() if n else np.nan, "sum": losses.sum(), "none": losses}
    if reduction not in data:
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")

    def _backward(g):
        p = np.exp(logp)
        p[rows, target] -= 1
        if reduction == "none":
            return (p * g[:, None],)
        return (p * (g / n if reduction == "mean" else g),)

    return _make(
        np.asarray(data[reduction], dtype=logits.dtype), (logits,), "cross_entropy", _backward
    )


def nll_loss(log_probs: Tensor, target, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of integer ``target`` given ``log_probs`` (N, C)."""
    target = _class_targets(log_probs, target, "nll_loss")
    return _reduce(-log_probs[np.arange(len(target)), target], reduction)


def _same_shape(pred: Tensor, target, name: str) -> Tensor:
    target = target if isinstance(target, Tensor) else Tensor(np.asarray(target, pred.dtype))
    if target.shape != pred.shape:
        raise ValueError(f"{name}: input shape {pred.shape} and target shape {target.shape} differ")
    return target


def mse_loss(pred: Tensor, target, reduction: str = "mean") -> Tensor:
    """Mean squared error. Shapes must match exactly (no silent broadcasting)."""
    diff = pred - _same_shape(pred, target, "mse_loss")
    return _reduce(diff * diff, reduction)


def binary_cross_entropy(probs: Tensor, target, reduction: str = "mean") -> Tensor:
    """BCE on probabilities in (0, 1); prefer ``binary_cross_entropy_with_logits``."""
    y = _same_shape(probs, target, "binary_cross_entropy")
    p = probs.clip(1e-12, 1 - 1e-7)
    return _reduce(-(y * p.log() + (1 - y) * (1 - p).log()), reduction)


def binary_cross_entropy_with_logits(logits: Tensor, target, reduction: str = "mean") -> Tensor:
    """Sigmoid + binary cross-entropy in one stable op; backward is ``sigmoid(x) - y``."""
    y = _same_shape(logits, target, "binary_cross_entropy_with_logits").data
    x = logits.data
    losses = np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))
    data = {"mean": losses.mean(), "sum": losses.sum(), "none": losses}
    if reduction not in data:
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")

    def _backward(g):
        d = _sigmoid(x) - y
        return (d * (g / x.size) if reduction == "mean" else d * g,)

    return _make(
        np.asarray(data[reduction], dtype=logits.dtype), (logits,), "bce_with_logits", _backward
    )


# ------------------------------------------------------------------ dropout
def dropout(
    x: Tensor, p: float = 0.5, training: bool = True, rng: np.random.Generator | None = None
) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p) (training only)."""
    if not 0 <= p <= 1:
        raise ValueError(f"dropout: p must be in [0, 1], got {p}")
    if not training or p == 0:
        return x
    if rng is None:
        from .init import default_rng

        rng = default_rng()
    keep = (rng.random(x.shape) >= p).astype(x.dtype)
    mask = keep / (1 - p) if p < 1 else keep

    def _backward(g):
        return (g * mask,)

    return _make(x.data * mask, (x,), "dropout", _backward)


# ------------------------------------------------------- convolution, pooling
def _pair(v) -> tuple[int, int]:
    return (int(v), int(v)) if np.isscalar(v) else (int(v[0]), int(v[1]))


def _windows(xp: np.ndarray, kernel, stride) -> np.ndarray:
    """All (kh, kw) patches of padded input (N, C, H, W) -> view (N, C, Ho, Wo, kh, kw)."""
    (kh, kw), (sh, sw) = kernel, stride
    return sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]


def _pad(x: np.ndarray, padding, value=0.0) -> np.ndarray:
    ph, pw = padding
    if ph == 0 and pw == 0:
        return x
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def _scatter_windows(gwin: np.ndarray, padded_shape, kernel, stride, padding) -> np.ndarray:
    """Inverse of ``_windows`` (col2im): add window gradients (N, C, kh, kw, Ho, Wo) back onto
    the padded input, one kernel offset at a time, then strip the padding."""
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    ho, wo = gwin.shape[4:6]
    gxp = np.zeros(padded_shape, dtype=gwin.dtype)
    for i in range(kh):
        for j in range(kw):
            gxp[:, :, i : i + sh * (ho - 1) + 1 : sh, j : j + sw * (wo - 1) + 1 : sw] += gwin[
                :, :, i, j
            ]
    return gxp[:, :, ph : padded_shape[2] - ph, pw : padded_shape[3] - pw]


def _check_4d(x: Tensor, name: str) -> None:
    if x.ndim != 4:
        raise ValueError(f"{name}: expected input of shape (N, C, H, W), got {x.shape}")


def _out_size(name, x_shape, kernel, stride, padding) -> tuple[int, int]:
    ho = (x_shape[2] + 2 * padding[0] - kernel[0]) // stride[0] + 1
    wo = (x_shape[3] + 2 * padding[1] - kernel[1]) // stride[1] + 1
    if ho <= 0 or wo <= 0:
        raise ValueError(
            f"{name}: input shape {x_shape} is too small for kernel {kernel} with padding {padding}"
        )
    return ho, wo


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0) -> Tensor:
    """2-D cross-correlation like ``torch.nn.functional.conv2d``.

    ``x`` (N, C, H, W), ``weight`` (F, C, kh, kw), ``bias`` (F,). im2col through a strided
    window view; the product is a batched BLAS matrix multiply, one per image.
    """
    _check_4d(x, "conv2d")
    if weight.ndim != 4 or weight.shape[1] != x.shape[1]:
        raise ValueError(
            f"conv2d: input shape {x.shape} and weight shape {weight.shape} do not match"
            " (expected weight (F, C, kh, kw) with C = input channels)"
        )
    if bias is not None and bias.shape != weight.shape[:1]:
        raise ValueError(f"conv2d: bias shape {bias.shape} does not match weight {weight.shape}")
    kernel, stride, padding = weight.shape[2:], _pair(stride), _pair(padding)
    _out_size("conv2d", x.shape, kernel, stride, padding)
    xp = _pad(x.data, padding)
    win = _windows(xp, kernel, stride)  # (N, C, Ho, Wo, kh, kw), a view
    n, c, ho, wo = win.shape[:4]
    f = len(weight.data)
    # im2col, per image one column per output position: (N, C*kh*kw, Ho*Wo), copied once here
    # and reused by the backward pass. Multiplying from the left by the (F, C*kh*kw) weights
    # gives (N, F, Ho*Wo): the output already in NCHW order, no transposed copy.
    cols = win.transpose(0, 1, 4, 5, 2, 3).reshape(n, -1, ho * wo)
    w2 = weight.data.reshape(f, -1)  # (F, C*kh*kw)
    out = np.matmul(w2, cols).reshape(n, f, ho, wo)
    if bias is not None:
        out += bias.data[None, :, None, None]

    def _backward(g):
        gx = gw = gb = None
        g3 = g.reshape(n, f, ho * wo)
        if weight.requires_grad:
            gw = np.matmul(g3, cols.transpose(0, 2, 1)).sum(axis=0).reshape(weight.shape)
        if bias is not None and bias.requires_grad:
            gb = g.sum(axis=(0, 2, 3))
        if x.requires_grad:
            gcols = np.matmul(w2.T, g3).reshape(n, c, *kernel, ho, wo)  # (N, C, kh, kw, Ho, Wo)
            gx = _scatter_windows(gcols, xp.shape, kernel, stride, padding)
        return (gx, gw) if bias is None else (gx, gw, gb)

    parents = (x, weight) if bias is None else (x, weight, bias)
    return _make(out, parents, "conv2d", _backward)


def max_pool2d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    """Max over (kh, kw) windows; ``stride`` defaults to the kernel size (like torch)."""
    _check_4d(x, "max_pool2d")
    kernel = _pair(kernel_size)
    stride = _pair(kernel_size if stride is None else stride)
    padding = _pair(padding)
    ho, wo = _out_size("max_pool2d", x.shape, kernel, stride, padding)
    if stride == kernel and padding == (0, 0):
        return _max_pool_tiled(x, kernel, ho, wo)
    xp = _pad(x.data, padding, value=-np.inf)
    win = _windows(xp, kernel, stride)
    flat = win.reshape(win.shape[:4] + (-1,))
    arg = flat.argmax(axis=-1)  # which element of each window won
    out = np.take_along_axis(flat, arg[..., None], axis=-1)[..., 0]

    def _backward(g):
        k = np.arange(kernel[0] * kernel[1])
        gwin = (arg[..., None] == k) * g[..., None]  # gradient only to each window's winner
        gwin = gwin.reshape(win.shape).transpose(0, 1, 4, 5, 2, 3)
        return (_scatter_windows(gwin, xp.shape, kernel, stride, padding),)

    return _make(out, (x,), "max_pool2d", _backward)


def _max_pool_tiled(x: Tensor, kernel, ho: int, wo: int) -> Tensor:
    """Max pooling whose windows tile the input (stride = kernel, no padding), the usual case:
    one elementwise maximum per kernel offset over strided views, no window copies. The
    backward finds each window's winner again (the first offset holding the maximum, like
    torch) instead of storing an index array: cheaper than recording it in the forward pass."""
    kh, kw = kernel
    offsets = [(i, j) for i in range(kh) for j in range(kw)]

    def view(a: np.ndarray, i: int, j: int) -> np.ndarray:
        return a[:, :, i : i + kh * (ho - 1) + 1 : kh, j : j + kw * (wo - 1) + 1 : kw]

    out = view(x.data, *offsets[0]).copy()
    for i, j in offsets[1:]:
        np.maximum(out, view(x.data, i, j), out=out)

    def _backward(g):
        gx = np.zeros(x.shape, dtype=g.dtype)
        unclaimed = np.ones(out.shape, dtype=bool)  # windows whose winner is not found yet
        for k, (i, j) in enumerate(offsets):
            wins = view(x.data, i, j) == out
            wins &= unclaimed
            if k < len(offsets) - 1:
                unclaimed ^= wins
            np.multiply(g, wins, out=view(gx, i, j))
        return (gx,)

    return _make(out, (x,), "max_pool2d", _backward)


def avg_pool2d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    """Mean over (kh, kw) windows (zero padding counts, like torch's default)."""
    _check_4d(x, "avg_pool2d")
    kernel = _pair(kernel_size)
    stride = _pair(kernel_size if stride is None else stride)
    padding = _pair(padding)
    _out_size("avg_pool2d", x.shape, kernel, stride, padding)
    xp = _pad(x.data, padding)
    win = _windows(xp, kernel, stride)
    area = kernel[0] * kernel[1]

    def _backward(g):
        shape = (*win.shape[:2], *kernel, *g.shape[2:])  # (N, C, kh, kw, Ho, Wo)
        gwin = np.broadcast_to((g / area)[:, :, None, None], shape)
        return (_scatter_windows(gwin, xp.shape, kernel, stride, padding),)

    return _make(win.mean(axis=(-2, -1)), (x,), "avg_pool2d", _backward)


# ------------------------------------------------------------------ embedding
def embedding(indices, weight: Tensor) -> Tensor:
    """Rows of ``weight`` (V, D) picked by integer ``indices`` (any shape) -> (..., D).

    Backward scatter-adds into the picked rows (repeated indices add up).
    """
    idx = np.asarray(indices.data if isinstance(indices, Tensor) else indices)
    if idx.size and not np.issubdtype(idx.dtype, np.integer):
        raise TypeError(f"embedding: indices must be integers, got dtype {idx.dtype}")
    idx = idx.astype(np.intp)
    if idx.size and (idx.min() < 0 or idx.max() >= weight.shape[0]):
        raise IndexError(
            f"embedding: indices must lie in [0, {weight.shape[0]}) for weight of shape "
            f"{weight.shape}, got [{idx.min()}, {idx.max()}]"
        )
    out = weight[idx]
    out._op = "embedding"
    return out


# ----------------------------------------------------------------------- LSTM
def lstm_recurrence(x_gates: Tensor, h0: Tensor, c0: Tensor, w_hh: Tensor) -> Tensor:
    """The time loop of one LSTM layer as one op: (T, 2, N, H) holding h_t and c_t per step.

    ``x_gates`` (T, N, 4H) is the input's share of the gate pre-activations (x_t W_ih^T + b),
    computed for all steps at once by the caller; gates in torch's order (i, f, g, o):

        z_t = x_gates[t] + h_{t-1} W_hh^T;  i, f, o = sigmoid(z);  g = tanh(z)
        c_t = f * c_{t-1} + i * g;          h_t = o * tanh(c_t)

    Built from Tensor ops this is ~17 graph nodes per step; as one op the backward is a plain
    loop over time (backpropagation through time), several times faster for short steps.
    """
    T, n, four_h = x_gates.shape
    H = four_h // 4
    if w_hh.shape != (four_h, H) or h0.shape != (n, H) or c0.shape != (n, H):
        raise ValueError(
            f"lstm_recurrence: shapes x_gates {x_gates.shape}, h0 {h0.shape}, c0 {c0.shape}, "
            f"w_hh {w_hh.shape} do not fit (expected (T, N, 4H), (N, H), (N, H), (4H, H))"
        )
    dtype = x_gates.dtype
    w = w_hh.data
    hc = np.empty((T, 2, n, H), dtype=dtype)  # the output: h_t, c_t for t = 1..T
    acts = np.empty((T, n, four_h), dtype=dtype)  # i, f, g, o after their nonlinearity
    tanh_c = np.empty((T, n, H), dtype=dtype)
    h, c = h0.data, c0.data
    for t in range(T):
        z = np.matmul(h, w.T, out=acts[t])
        z += x_gates.data[t]
        _lstm_gates(z, H)
        i, f, g, o = z[:, :H], z[:, H : 2 * H], z[:, 2 * H : 3 * H], z[:, 3 * H :]
        c = np.multiply(f, c, out=hc[t, 1])
        c += i * g
        np.tanh(c, out=tanh_c[t])
        h = np.multiply(o, tanh_c[t], out=hc[t, 0])

    def _backward(grad):
        gates = np.empty_like(acts)  # gradients of the pre-activations z_t
        dh = np.zeros((n, H), dtype=dtype)  # carried back from step t + 1
        dc = np.zeros((n, H), dtype=dtype)
        for t in reversed(range(T)):
            a = acts[t]
            i, f, g, o = a[:, :H], a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, 3 * H :]
            dh += grad[t, 0]
            dc += grad[t, 1]
            dc += dh * o * (1 - tanh_c[t] ** 2)
            c_prev = hc[t - 1, 1] if t else c0.data
            dz = gates[t]
            np.multiply(dc * g, i * (1 - i), out=dz[:, :H])
            np.multiply(dc * c_prev, f * (1 - f), out=dz[:, H : 2 * H])
            np.multiply(dc * i, 1 - g * g, out=dz[:, 2 * H : 3 * H])
            np.multiply(dh * tanh_c[t], o * (1 - o), out=dz[:, 3 * H :])
            dc *= f
            dh = dz @ w
        h_prev = np.concatenate([h0.data[None], hc[:-1, 0]])  # (T, N, H)
        dw = gates.reshape(-1, four_h).T @ h_prev.reshape(-1, H)
        return gates, dh, dc, dw

    return _make(hc, (x_gates, h0, c0, w_hh), "lstm_recurrence", _backward)


def _lstm_gates(z: np.ndarray, H: int) -> None:
    """In place: sigmoid on the i, f, o blocks of z (N, 4H), tanh on the g block.
    sigmoid(x) = (1 + tanh(x / 2)) / 2, so one stable ufunc serves both."""
    sig = (z[:, : 2 * H], z[:, 3 * H :])
    for part in sig:
        part *= 0.5
    np.tanh(z, out=z)
    for part in sig:
        part *= 0.5
        part += 0.5


# ------------------------------------------------------------------ batch norm
def batch_norm(
    x: Tensor,
    running_mean: np.ndarray | None,
    running_var: np.ndarray | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalisation over every axis but 1 (channels) of (N, C) / (N, C, L) / (N, C, H, W).

    Training (or no running statistics): normalise with the batch mean and biased variance and
    update ``running_mean``/``running_var`` in place with ``momentum`` (the running variance
    uses the unbiased estimate, like torch). Evaluation: normalise with the running statistics.
    """
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected input (N, C, ...), got shape {x.shape}")
    c = x.shape[1]
    for name, t in (
        ("weight", weight),
        ("bias", bias),
        ("running_mean", running_mean),
        ("running_var", running_var),
    ):
        if t is not None and tuple(t.shape) != (c,):
            raise ValueError(
                f"batch_norm: input shape {x.shape} and {name} shape {tuple(t.shape)} do not match"
            )
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, c) + (1,) * (x.ndim - 2)
    if training or running_mean is None:
        n = x.size // c
        if training and n <= 1:
            raise ValueError(
                f"batch_norm: need more than 1 value per channel when training, got input "
                f"shape {x.shape}"
            )
        mean = x.data.mean(axis=axes, keepdims=True)
        var = x.data.var(axis=axes, keepdims=True)
        if training and running_mean is not None:
            running_mean *= 1 - momentum
            running_mean += momentum * mean.reshape(c)
            running_var *= 1 - momentum
            running_var += momentum * var.reshape(c) * n / (n - 1)
        inv_std = 1 / np.sqrt(var + eps)
        xhat = (x.data - mean) * inv_std

        def _backward(g):
            g_mean = g.mean(axis=axes, keepdims=True)
            gx_mean = (g * xhat).mean(axis=axes, keepdims=True)
            return ((g - g_mean - xhat * gx_mean) * inv_std,)

        out = _make(xhat, (x,), "batch_norm", _backward)
    else:
        mean = np.asarray(running_mean, dtype=x.dtype).reshape(shape)
        inv_std = (1 / np.sqrt(np.asarray(running_var, dtype=x.dtype) + eps)).reshape(shape)
        out = (x - mean) * inv_std
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out
