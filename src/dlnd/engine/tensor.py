"""The ``Tensor``: a NumPy array that remembers how it was made, for reverse-mode autodiff.

Every operation returns a new ``Tensor`` whose data is computed right away (the forward pass)
and, when some input requires a gradient, a small closure ``_backward(g)`` that maps the
gradient ``g`` of the output to the gradients of its inputs (one entry per input, ``None`` for
"no gradient"). Each op's backward sits right next to its forward, micrograd-style, but works
on whole arrays.

``Tensor.backward()`` sorts the graph topologically with an explicit stack (no recursion, so a
chain of 10,000 ops is fine) and walks it in reverse, adding up the gradient of every node
that is used more than once.

Second ``backward()``: the graph is kept after a backward pass (closures hold what they need),
so calling ``backward()`` again is allowed and, like PyTorch, gradients ACCUMULATE into the
leaves' ``.grad``. Call ``zero_grad()`` (on a tensor, a module or an optimizer) between steps.
Only leaves (tensors created by you with ``requires_grad=True``) get ``.grad``; call
``retain_grad()`` on an intermediate tensor to keep its gradient too.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

import numpy as np

_GRAD_ENABLED = True


def is_grad_enabled() -> bool:
    """True unless inside a ``no_grad()`` block."""
    return _GRAD_ENABLED


class no_grad:
    """Context manager (or decorator) that stops graph recording: results need no gradient."""

    def __enter__(self) -> no_grad:
        global _GRAD_ENABLED
        self._prev = _GRAD_ENABLED
        _GRAD_ENABLED = False
        return self

    def __exit__(self, *exc) -> None:
        global _GRAD_ENABLED
        _GRAD_ENABLED = self._prev

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with no_grad():
                return fn(*args, **kwargs)

        return wrapper


def unbroadcast(grad: np.ndarray, shape: Sequence[int]) -> np.ndarray:
    """Sum ``grad`` over the axes that NumPy broadcasting added or stretched, giving ``shape``.

    The one place where broadcasting is undone: if ``a`` of shape (3, 1) was added to ``b`` of
    shape (2, 3, 4), the output gradient has shape (2, 3, 4) and ``a`` receives
    ``unbroadcast(g, (3, 1))`` -- summed over the leading axis and over the last one.
    """
    shape = tuple(shape)
    if grad.shape == shape:
        return grad
    original = grad.shape
    extra = grad.ndim - len(shape)
    if extra < 0:
        raise ValueError(f"unbroadcast: gradient shape {original} cannot reduce to {shape}")
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    if grad.shape != shape:
        raise ValueError(f"unbroadcast: gradient shape {original} cannot reduce to {shape}")
    return grad


class _Scatter:
    """A sparse gradient from indexing: ``value`` added at ``index`` of an all-zero array.

    The backward loop adds it in place into one buffer, so taking ``x[t]`` for every step of a
    sequence costs O(size of x) in total rather than one full-size array per step.
    """

    __slots__ = ("index", "value", "basic")

    def __init__(self, index, value: np.ndarray, basic: bool):
        self.index, self.value, self.basic = index, value, basic

    def add_to(self, buf: np.ndarray) -> None:
        if self.basic:  # slices / integers never repeat an element
            buf[self.index] += self.value
        else:  # integer arrays may repeat an element: scatter-add
            np.add.at(buf, self.index, self.value)


def _is_basic_index(index) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    for item in items:
        if item is None or item is Ellipsis or isinstance(item, slice):
            continue
        if isinstance(item, int | np.integer) and not isinstance(item, bool | np.bool_):
            continue
        return False
    return True


def _clean_index(index):
    """Turn Tensors inside an index into integer arrays."""
    if isinstance(index, Tensor):
        return index.data.astype(np.intp)
    if isinstance(index, tuple):
        return tuple(i.data.astype(np.intp) if isinstance(i, Tensor) else i for i in index)
    if isinstance(index, list):
        return np.asarray(index)
    return index


class Tensor:
    """An n-dimensional float array (float32 by default) with optional gradient tracking.

    ``Tensor(data, requires_grad=False, dtype=None, name=None)``: float32/float64 NumPy arrays
    keep their dtype, anything else (lists, numbers, integer arrays) becomes float32 unless
    ``dtype`` is given. ``.data`` is the NumPy array, ``.grad`` the gradient (a NumPy array of
    the same shape, or ``None`` before the first ``backward()``).
    """

    __array_ufunc__ = None  # numpy defers to Tensor's reflected operators: ndarray + Tensor works
    __hash__ = object.__hash__  # __eq__ returns an array, keep identity hashing
    _spare_grad: np.ndarray | None = None  # the gradient array zero_grad() set aside for reuse

    def __init__(self, data, requires_grad: bool = False, dtype=None, name: str | None = None):
        if isinstance(data, Tensor):
            data = data.data
        if dtype is not None:
            arr = np.asarray(data, dtype=dtype)
        elif isinstance(data, np.ndarray | np.generic) and data.dtype in (np.float32, np.float64):
            arr = np.asarray(data)
        else:
            arr = np.asarray(data, dtype=np.float32)
        if not np.issubdtype(arr.dtype, np.floating):
            raise TypeError(f"Tensor: data must be floating point, got dtype {arr.dtype}")
        self.data: np.ndarray = arr
        self.grad: np.ndarray | None = None
        self.requires_grad = bool(requires_grad)
        self.name = name
        self._op = ""
        self._parents: tuple[Tensor, ...] = ()
        self._backward = None
        self._retain = False

    # ------------------------------------------------------------------ basics
    @property
    def shape(self) -> tuple[int, ...]:
        """Tuple of axis lengths."""
        return self.data.shape

    @property
    def ndim(self) -> int:
        """Number of axes."""
        return self.data.ndim

    @property
    def size(self) -> int:
        """Number of elements."""
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        """NumPy dtype of the data."""
        return self.data.dtype

    @property
    def is_leaf(self) -> bool:
        """True for tensors not produced by a recorded operation."""
        return self._backward is None

    @property
    def T(self) -> Tensor:
        """Axes reversed (a transpose for matrices)."""
        return self.transpose()

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=4, separator=", ", prefix="Tensor(")
        extra = ", requires_grad=True" if self.requires_grad else ""
        if self.dtype != np.float32:
            extra += f", dtype={self.dtype}"
        return f"Tensor({body}{extra})"

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def __bool__(self) -> bool:
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.data)

    def item(self) -> float:
        """The single value of a one-element tensor, as a Python float."""
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """The underlying NumPy array (shared, not copied)."""
        return self.data

    def tolist(self):
        """The data as nested Python lists."""
        return self.data.tolist()

    def detach(self) -> Tensor:
        """A new leaf sharing this data, cut off from the graph (no gradient flows back)."""
        return Tensor(self.data)

    def requires_grad_(self, flag: bool = True) -> Tensor:
        """Turn gradient tracking on/off for this leaf, in place."""
        self.requires_grad = flag
        return self

    def retain_grad(self) -> Tensor:
        """Also store ``.grad`` for this intermediate (non-leaf) tensor during backward."""
        self._retain = True
        return self

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (sets ``.grad`` to None).

        The old array is recycled: the next ``backward()`` writes the new gradient into it
        rather than into fresh memory (fresh large arrays cost page faults on every step).
        Copy ``.grad`` first if you want to keep it across ``zero_grad()``."""
        self._spare_grad, self.grad = self.grad, None

    # --------------------------------------------------------------- backward
    def backward(self, grad=None) -> None:
        """Backpropagate from this tensor, accumulating ``.grad`` into every leaf it depends on.

        ``grad`` defaults to 1 for a one-element tensor; pass an array of this tensor's shape
        otherwise. The graph is kept, so a second call is allowed and adds to ``.grad`` again.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad (no input had requires_grad=True,"
                " or it was computed under no_grad())"
            )
        if grad is None:
            if self.size != 1:
                raise RuntimeError(
                    f"backward: implicit gradient only for one-element tensors, got shape "
                    f"{self.shape}; pass grad=..."
                )
            grad = np.ones_like(self.data)
        else:
            grad = np.asarray(grad.data if isinstance(grad, Tensor) else grad, dtype=self.dtype)
            if grad.shape != self.shape:
                raise ValueError(
                    f"backward: grad shape {grad.shape} does not match tensor shape {self.shape}"
                )

        grads = {id(self): grad}  # gradient buffers of this pass, by node id
        owned: set[int] = set()  # buffers this pass allocated itself (safe to add in place)
        for node in reversed(_topological_order(self)):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            if node._backward is None or node._retain:  # a leaf (or retain_grad): keep it
                node.grad = (_own_grad(node, g) if node.grad is None
                             else _array(node.grad + g.astype(node.dtype, copy=False)))
            if node._backward is None:
                continue
            parent_grads = node._backward(g)
            for parent, pg in zip(node._parents, parent_grads, strict=True):
                if pg is not None and parent.requires_grad:
                    _accumulate(grads, owned, parent, pg, node._op)

    # ------------------------------------------------------------- arithmetic
    def __add__(self, other) -> Tensor:
        """x + y (broadcasting)."""
        a, b = self, _lift(other, self.dtype)
        data = _broadcast_op(np.add, a, b, "add")

        def _backward(g):
            return unbroadcast(g, a.shape), unbroadcast(g, b.shape)

        return _make(data, (a, b), "add", _backward)

    def __radd__(self, other) -> Tensor:
        return _lift(other, self.dtype) + self

    def __sub__(self, other) -> Tensor:
        """x - y (broadcasting)."""
        a, b = self, _lift(other, self.dtype)
        data = _broadcast_op(np.subtract, a, b, "sub")

        def _backward(g):
            return unbroadcast(g, a.shape), unbroadcast(-g, b.shape)

        return _make(data, (a, b), "sub", _backward)

    def __rsub__(self, other) -> Tensor:
        return _lift(other, self.dtype) - self

    def __mul__(self, other) -> Tensor:
        """x * y elementwise (broadcasting)."""
        a, b = self, _lift(other, self.dtype)
        data = _broadcast_op(np.multiply, a, b, "mul")

        def _backward(g):
            return unbroadcast(g * b.data, a.shape), unbroadcast(g * a.data, b.shape)

        return _make(data, (a, b), "mul", _backward)

    def __rmul__(self, other) -> Tensor:
        return _lift(other, self.dtype) * self

    def __truediv__(self, other) -> Tensor:
        """x / y elementwise (broadcasting)."""
        a, b = self, _lift(other, self.dtype)
        data = _broadcast_op(np.divide, a, b, "div")

        def _backward(g):
            return unbroadcast(g / b.data, a.shape), unbroadcast(-g * data / b.data, b.shape)

        return _make(data, (a, b), "div", _backward)

    def __rtruediv__(self, other) -> Tensor:
        return _lift(other, self.dtype) / self

    def __neg__(self) -> Tensor:
        """-x."""

        def _backward(g):
            return (-g,)

        return _make(-self.data, (self,), "neg", _backward)

    def __pow__(self, exponent) -> Tensor:
        """x ** exponent (a number, or a Tensor: then the exponent gets a gradient too)."""
        a = self
        if isinstance(exponent, Tensor) or np.ndim(exponent) > 0:
            b = _lift(exponent, self.dtype)
            data = _broadcast_op(np.power, a, b, "pow")

            def _backward_tensor(g):
                ga = unbroadcast(g * b.data * a.data ** (b.data - 1), a.shape)
                gb = None
                if b.requires_grad:
                    with np.errstate(divide="ignore", invalid="ignore"):
                        gb = unbroadcast(g * data * np.log(a.data), b.shape)
                return ga, gb

            return _make(data, (a, b), "pow", _backward_tensor)

        p = exponent.item() if isinstance(exponent, np.generic) else exponent

        def _backward(g):
            return (g * p * a.data ** (p - 1),)

        return _make(a.data**p, (a,), f"pow {p}", _backward)

    def __rpow__(self, base) -> Tensor:
        return _lift(base, self.dtype) ** self

    def __matmul__(self, other) -> Tensor:
        """Matrix product like np.matmul: 1-D operands and batched (broadcast) stacks."""
        a, b = self, _lift(other, self.dtype)
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(f"matmul: shapes {a.shape} and {b.shape} do not align (scalar)")
        try:
            data = np.matmul(a.data, b.data)
        except ValueError:
            raise ValueError(f"matmul: shapes {a.shape} and {b.shape} do not align") from None

        def _backward(g):
            # Treat 1-D operands as a row (left) / column (right) matrix, like np.matmul does.
            a2 = a.data if a.ndim > 1 else a.data[None, :]
            b2 = b.data if b.ndim > 1 else b.data[:, None]
            if b.ndim == 1:
                g = np.expand_dims(g, -1)
            if a.ndim == 1:
                g = np.expand_dims(g, -2)
            ga = gb = None
            if a.requires_grad:
                ga = unbroadcast(g @ np.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape)
            if b.requires_grad and b2.ndim == g.ndim == 2 and not b2.flags.c_contiguous:
                gb = (g.T @ a2).T  # b is a transposed weight (x @ W.T): W's grad comes out C
            elif b.requires_grad:
                gb = unbroadcast(np.swapaxes(a2, -1, -2) @ g, b2.shape).reshape(b.shape)
            return ga, gb

        return _make(data, (a, b), "matmul", _backward)

    def __rmatmul__(self, other) -> Tensor:
        return _lift(other, self.dtype) @ self

    # Comparisons give plain boolean arrays (no gradient).
    def __lt__(self, other):
        return self.data < _raw(other)

    def __le__(self, other):
        return self.data <= _raw(other)

    def __gt__(self, other):
        return self.data > _raw(other)

    def __ge__(self, other):
        return self.data >= _raw(other)

    def __eq__(self, other):
        return self.data == _raw(other)

    def __ne__(self, other):
        return self.data != _raw(other)

    # ------------------------------------------------------------- reductions
    def sum(self, axis=None, keepdims: bool = False) -> Tensor:
        """Sum over ``axis`` (int, tuple or None for all)."""
        a = self
        kept = _kept_shape(a.shape, axis)

        def _backward(g):
            return (np.broadcast_to(g.reshape(kept), a.shape),)

        return _make(a.data.sum(axis=axis, keepdims=keepdims), (a,), "sum", _backward)

    def mean(self, axis=None, keepdims: bool = False) -> Tensor:
        """Mean over ``axis`` (int, tuple or None for all)."""
        a = self
        data = a.data.mean(axis=axis, keepdims=keepdims)
        count = a.size // max(np.size(data), 1) if a.size else 1
        kept = _kept_shape(a.shape, axis)

        def _backward(g):
            return (np.broadcast_to(g.reshape(kept) / count, a.shape),)

        return _make(data, (a,), "mean", _backward)

    def max(self, axis=None, keepdims: bool = False) -> Tensor:
        """Maximum over ``axis``; ties share the gradient equally (like ``torch.amax``)."""
        a = self
        full = a.data.max(axis=axis, keepdims=True)
        data = full if keepdims else a.data.max(axis=axis)

        def _backward(g):
            mask = a.data == full
            return (mask * (g.reshape(full.shape) / mask.sum(axis=axis, keepdims=True)),)

        return _make(data, (a,), "max", _backward)

    def min(self, axis=None, keepdims: bool = False) -> Tensor:
        """Minimum over ``axis`` (as ``-max(-x)``)."""
        return -((-self).max(axis=axis, keepdims=keepdims))

    def var(self, axis=None, keepdims: bool = False, ddof: int = 0) -> Tensor:
        """Variance over ``axis`` (``ddof=1`` for the unbiased estimate)."""
        centred = self - self.mean(axis=axis, keepdims=True)
        n = self.size // max(centred.data.sum(axis=axis).size, 1)
        return (centred * centred).sum(axis=axis, keepdims=keepdims) / (n - ddof)

    def argmax(self, axis=None) -> np.ndarray:
        """Index of the maximum (a plain array, no gradient)."""
        return self.data.argmax(axis=axis)

    # ----------------------------------------------------------- shape moves
    def reshape(self, *shape) -> Tensor:
        """Same data, new shape (``reshape(2, 3)`` or ``reshape((2, 3))``; -1 allowed)."""
        if len(shape) == 1 and isinstance(shape[0], tuple | list):
            shape = tuple(shape[0])
        a = self
        try:
            data = a.data.reshape(shape)
        except ValueError:
            raise ValueError(f"reshape: cannot reshape shape {a.shape} into {shape}") from None

        def _backward(g):
            return (g.reshape(a.shape),)

        return _make(data, (a,), "reshape", _backward)

    view = reshape

    def flatten(self, start_axis: int = 0) -> Tensor:
        """Merge the axes from ``start_axis`` on into one."""
        return self.reshape(self.shape[:start_axis] + (-1,))

    def unsqueeze(self, axis: int) -> Tensor:
        """Insert an axis of length 1."""
        return self.reshape(np.expand_dims(self.data, axis).shape)

    def squeeze(self, axis=None) -> Tensor:
        """Remove axes of length 1."""
        return self.reshape(np.squeeze(self.data, axis).shape)

    def transpose(self, *axes) -> Tensor:
        """Permute axes (reverse them when none are given), like ``np.transpose``."""
        if len(axes) == 1 and isinstance(axes[0], tuple | list):
            axes = tuple(axes[0])
        axes = axes or tuple(reversed(range(self.ndim)))
        if sorted(a % max(self.ndim, 1) for a in axes) != list(range(self.ndim)):
            raise ValueError(f"transpose: axes {axes} are not a permutation for shape {self.shape}")
        inverse = np.argsort([a % self.ndim for a in axes])
        a = self

        def _backward(g):
            return (g.transpose(inverse),)

        return _make(a.data.transpose(axes), (a,), "transpose", _backward)

    permute = transpose

    def __getitem__(self, index) -> Tensor:
        """Indexing: slices, integers, integer arrays (repeats add up), boolean masks."""
        index = _clean_index(index)
        a = self
        basic = _is_basic_index(index)

        def _backward(g):
            return (_Scatter(index, g, basic),)

        return _make(a.data[index], (a,), "getitem", _backward)

    def astype(self, dtype) -> Tensor:
        """Cast to another float dtype (the gradient is cast back)."""
        a = self

        def _backward(g):
            return (g.astype(a.dtype),)

        return _make(a.data.astype(dtype), (a,), "astype", _backward)

    # ------------------------------------------------------------ elementwise
    def exp(self) -> Tensor:
        """e**x."""
        a = self
        data = np.exp(a.data)

        def _backward(g):
            return (g * data,)

        return _make(data, (a,), "exp", _backward)

    def log(self) -> Tensor:
        """Natural logarithm."""
        a = self

        def _backward(g):
            return (g / a.data,)

        return _make(np.log(a.data), (a,), "log", _backward)

    def sqrt(self) -> Tensor:
        """Square root."""
        a = self
        data = np.sqrt(a.data)

        def _backward(g):
            return (g * 0.5 / data,)

        return _make(data, (a,), "sqrt", _backward)

    def abs(self) -> Tensor:
        """Absolute value (gradient sign(x), 0 at 0)."""
        a = self

        def _backward(g):
            return (g * np.sign(a.data),)

        return _make(np.abs(a.data), (a,), "abs", _backward)

    def tanh(self) -> Tensor:
        """Hyperbolic tangent."""
        a = self
        data = np.tanh(a.data)

        def _backward(g):
            return (g * (1 - data * data),)

        return _make(data, (a,), "tanh", _backward)

    def sigmoid(self) -> Tensor:
        """Logistic function 1 / (1 + e**-x), computed stably."""
        a = self
        data = _sigmoid(a.data)

        def _backward(g):
            return (g * data * (1 - data),)

        return _make(data, (a,), "sigmoid", _backward)

    def relu(self) -> Tensor:
        """max(x, 0); gradient 1 where x > 0."""
        a = self

        def _backward(g):
            return (g * (a.data > 0),)

        return _make(np.maximum(a.data, 0), (a,), "relu", _backward)

    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor:
        """x where x > 0, else negative_slope * x."""
        a = self
        slope = np.where(a.data > 0, 1, negative_slope).astype(a.dtype)

        def _backward(g):
            return (g * slope,)

        return _make(a.data * slope, (a,), "leaky_relu", _backward)

    def clip(self, min=None, max=None) -> Tensor:
        """Clamp into [min, max]; the gradient passes where min <= x <= max (like torch)."""
        a = self
        inside = np.ones(a.shape, dtype=bool)
        if min is not None:
            inside &= a.data >= min
        if max is not None:
            inside &= a.data <= max

        def _backward(g):
            return (g * inside,)

        data = np.clip(a.data, min, max) if (min is not None or max is not None) else a.data.copy()
        return _make(data, (a,), "clip", _backward)

    clamp = clip

    def softmax(self, axis: int = -1) -> Tensor:
        """exp(x) / sum(exp(x)) along ``axis`` (max-shifted for stability)."""
        a = self
        e = np.exp(a.data - a.data.max(axis=axis, keepdims=True))
        s = e / e.sum(axis=axis, keepdims=True)

        def _backward(g):
            return (s * (g - (g * s).sum(axis=axis, keepdims=True)),)

        return _make(s, (a,), "softmax", _backward)

    def log_softmax(self, axis: int = -1) -> Tensor:
        """x - logsumexp(x) along ``axis`` (stable)."""
        a = self
        shifted = a.data - a.data.max(axis=axis, keepdims=True)
        data = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))

        def _backward(g):
            return (g - np.exp(data) * g.sum(axis=axis, keepdims=True),)

        return _make(data, (a,), "log_softmax", _backward)


# ---------------------------------------------------------------- functions
def tensor(data, requires_grad: bool = False, dtype=None) -> Tensor:
    """Build a Tensor from a copy of ``data`` (lists, numbers, arrays)."""
    if isinstance(data, Tensor):
        data = data.data
    return Tensor(np.array(data, dtype=dtype, copy=True), requires_grad=requires_grad)


def concat(tensors: Iterable[Tensor], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis."""
    ts = tuple(t if isinstance(t, Tensor) else Tensor(t) for t in tensors)
    try:
        data = np.concatenate([t.data for t in ts], axis=axis)
    except ValueError:
        shapes = ", ".join(str(t.shape) for t in ts)
        raise ValueError(f"concat: cannot join shapes {shapes} along axis {axis}") from None
    cuts = np.cumsum([t.shape[axis] for t in ts])[:-1]

    def _backward(g):
        return tuple(np.split(g, cuts, axis=axis))

    return _make(data, ts, "concat", _backward)


def stack(tensors: Iterable[Tensor], axis: int = 0) -> Tensor:
    """Join same-shaped tensors along a new axis."""
    ts = tuple(t if isinstance(t, Tensor) else Tensor(t) for t in tensors)
    try:
        data = np.stack([t.data for t in ts], axis=axis)
    except ValueError:
        shapes = ", ".join(str(t.shape) for t in ts)
        raise ValueError(f"stack: shapes {shapes} differ, cannot stack") from None

    def _backward(g):
        return tuple(np.moveaxis(g, axis, 0))

    return _make(data, ts, "stack", _backward)


def where(condition, a, b) -> Tensor:
    """Elementwise ``a if condition else b`` (condition: a boolean array, broadcast)."""
    cond = np.asarray(_raw(condition), dtype=bool)
    dtype = a.dtype if isinstance(a, Tensor) else b.dtype if isinstance(b, Tensor) else None
    a = _lift(a, dtype or np.float32)
    b = _lift(b, dtype or np.float32)
    try:
        data = np.where(cond, a.data, b.data)
    except ValueError:
        raise ValueError(
            f"where: shapes {cond.shape}, {a.shape} and {b.shape} cannot be broadcast together"
        ) from None

    def _backward(g):
        ga = unbroadcast(np.where(cond, g, 0), a.shape)
        gb = unbroadcast(np.where(cond, 0, g), b.shape)
        return ga, gb

    return _make(data, (a, b), "where", _backward)


# ---------------------------------------------------------------- internals
def _make(data, parents: tuple[Tensor, ...], op: str, backward) -> Tensor:
    """Wrap an op's output; record parents and backward only when a gradient is needed."""
    out = Tensor.__new__(Tensor)
    out.data = np.asarray(data)
    out.grad = None
    out.name = None
    out._op = op
    out._retain = False
    out.requires_grad = _GRAD_ENABLED and any(p.requires_grad for p in parents)
    out._parents = parents if out.requires_grad else ()
    out._backward = backward if out.requires_grad else None
    return out


def _lift(x, dtype) -> Tensor:
    """Numbers and arrays become constant Tensors of ``dtype``; Tensors pass through."""
    if isinstance(x, Tensor):
        return x
    return Tensor(np.asarray(x, dtype=dtype))


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


def _broadcast_op(fn, a: Tensor, b: Tensor, name: str) -> np.ndarray:
    try:
        return fn(a.data, b.data)
    except ValueError:
        raise ValueError(
            f"{name}: shapes {a.shape} and {b.shape} cannot be broadcast together"
        ) from None


def _kept_shape(shape: tuple[int, ...], axis) -> tuple[int, ...]:
    """The shape of a reduction over ``axis`` with ``keepdims=True``: the backward reshapes the
    output gradient to it, then broadcasts. (NumPy lets ``axis`` be 0 or -1 for a 0-d array;
    the shape stays (), where ``np.expand_dims`` would wrongly add an axis.)"""
    if axis is None:
        return (1,) * len(shape)
    axes = {a % max(len(shape), 1) for a in (axis if isinstance(axis, tuple) else (axis,))}
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """Numerically stable logistic function."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _topological_order(root: Tensor) -> list[Tensor]:
    """Nodes reachable from ``root`` (that need a gradient), parents before children.

    Iterative depth-first search with an explicit stack: each node is pushed once to expand
    it and once more to emit it after all its parents.
    """
    order: list[Tensor] = []
    visited: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for parent in node._parents:
            if parent.requires_grad and id(parent) not in visited:
                stack.append((parent, False))
    return order


def _own_grad(leaf: Tensor, g: np.ndarray) -> np.ndarray:
    """``g`` copied into memory that belongs to ``leaf`` alone (the graph may share ``g``), in
    C order like the data: a transposed (F-order) gradient makes every optimizer update stride
    through memory, several times slower. Reuses the array ``zero_grad()`` set aside."""
    spare, leaf._spare_grad = leaf._spare_grad, None
    if isinstance(spare, np.ndarray) and spare.shape == g.shape and spare.dtype == leaf.dtype:
        np.copyto(spare, g)
        return spare
    return g.astype(leaf.dtype, order="C", copy=True)


def _array(x) -> np.ndarray:
    """``x`` as an ndarray. NumPy ufuncs return a NumPy scalar, not a 0-d array, when every
    operand is 0-d (``np.array(3.0) * 2`` is ``np.float64(6.0)``); scalars are immutable, so
    ``buf += g`` on one would only rebind the name ``buf`` and the sum would be lost."""
    return x if isinstance(x, np.ndarray) else np.asarray(x)


def _accumulate(grads: dict, owned: set, parent: Tensor, g, op: str) -> None:
    """Add gradient ``g`` (an array or a _Scatter) for ``parent`` into this pass's buffers.

    Every buffer in ``grads`` is a real ndarray (0-d for a 0-d tensor, never a NumPy scalar),
    so adding in place into an owned buffer works for every shape."""
    key = id(parent)
    buf = grads.get(key)
    if isinstance(g, _Scatter):
        if buf is None:
            buf = np.zeros(parent.shape, dtype=np.result_type(parent.dtype, g.value.dtype))
        elif key not in owned:
            buf = buf.copy()
        g.add_to(buf)
        grads[key] = buf
        owned.add(key)
        return
    g = _array(g)
    if g.shape != parent.shape:
        raise RuntimeError(
            f"backward of {op!r} gave a gradient of shape {g.shape} for an input of shape "
            f"{parent.shape}"
        )
    if buf is None:
        grads[key] = g
    elif key in owned:
        buf += g
    else:
        grads[key] = _array(buf + g)
        owned.add(key)
