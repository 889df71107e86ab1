"""Layers built from Tensors: ``Module`` and friends, laid out like ``torch.nn``.

A ``Module`` finds its parameters (``Parameter`` attributes), buffers (NumPy arrays named in
``_buffers``) and sub-modules (``Module`` attributes, or lists/tuples of them) by looking at
its attributes, so no registration calls are needed. Parameter names and shapes match torch,
so ``load_state_dict({k: v.numpy() for k, v in torch_module.state_dict().items()})`` works.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from . import functional as F
from . import init
from .tensor import Tensor, stack

__all__ = [
    "Parameter", "Module", "Sequential", "Linear", "Conv2d", "MaxPool2d", "AvgPool2d",
    "BatchNorm1d", "BatchNorm2d", "Dropout", "Embedding", "RNN", "LSTM", "ReLU", "LeakyReLU",
    "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "Flatten", "Identity", "CrossEntropyLoss",
    "MSELoss", "BCEWithLogitsLoss",
]  # fmt: skip


class Parameter(Tensor):
    """A Tensor that a Module trains: ``requires_grad`` is on."""

    def __init__(self, data, requires_grad: bool = True, dtype=None):
        super().__init__(data, requires_grad=requires_grad, dtype=dtype)


class Module:
    """Base class: subclasses set attributes in ``__init__`` and define ``forward``."""

    training = True
    _buffers: tuple[str, ...] = ()

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ----------------------------------------------------------- discovery
    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Direct sub-modules with their attribute names (``name.i`` inside lists)."""
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value
            elif isinstance(value, list | tuple):
                for i, item in enumerate(value):
                    if isinstance(item, Module):
                        yield f"{name}.{i}", item

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and all modules below it (iteratively, depth first)."""
        todo = [(prefix, self)]
        while todo:
            name, module = todo.pop()
            yield name, module
            kids = [(f"{name}.{n}" if name else n, m) for n, m in module.named_children()]
            todo.extend(reversed(kids))

    def modules(self) -> list[Module]:
        return [m for _, m in self.named_modules()]

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) pairs, each parameter once."""
        seen: set[int] = set()
        for prefix, module in self.named_modules():
            for name, value in vars(module).items():
                if isinstance(value, Parameter) and id(value) not in seen:
                    seen.add(id(value))
                    yield (f"{prefix}.{name}" if prefix else name), value

    def parameters(self) -> list[Parameter]:
        """All trainable parameters."""
        return [p for _, p in self.named_parameters()]

    def named_buffers(self) -> Iterator[tuple[str, np.ndarray]]:
        """Non-trained state such as BatchNorm's running statistics."""
        for prefix, module in self.named_modules():
            for name in module._buffers:
                value = getattr(module, name)
                if value is not None:
                    yield (f"{prefix}.{name}" if prefix else name), value

    def num_parameters(self) -> int:
        return sum(p.size for p in self.parameters())

    # ------------------------------------------------------------- modes
    def train(self, mode: bool = True) -> Module:
        """Training mode (dropout active, batch norm uses batch statistics)."""
        for m in self.modules():
            m.training = mode
        return self

    def eval(self) -> Module:
        """Evaluation mode."""
        return self.train(False)

    def zero_grad(self) -> None:
        """Clear every parameter's gradient (see ``Tensor.zero_grad``)."""
        for p in self.parameters():
            p.zero_grad()

    def to(self, dtype) -> Module:
        """Cast parameters and floating buffers to ``dtype`` (e.g. np.float64 for checks)."""
        for p in self.parameters():
            p.data = p.data.astype(dtype)
            p.grad = None
        for _, module in self.named_modules():
            for name in module._buffers:
                value = getattr(module, name)
                if value is not None and np.issubdtype(value.dtype, np.floating):
                    setattr(module, name, value.astype(dtype))
        return self

    # --------------------------------------------------------- state dict
    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of all parameters and buffers by dotted name."""
        state = {name: p.data.copy() for name, p in self.named_parameters()}
        state.update((name, np.array(b, copy=True)) for name, b in self.named_buffers())
        return state

    def load_state_dict(self, state, strict: bool = True) -> None:
        """Copy values into the existing parameters/buffers (in place; shapes must match)."""
        targets = {name: p.data for name, p in self.named_parameters()}
        targets.update(self.named_buffers())
        missing = [k for k in targets if k not in state]
        unexpected = [k for k in state if k not in targets]
        if strict and (missing or unexpected):
            raise KeyError(f"load_state_dict: missing keys {missing}, unexpected keys {unexpected}")
        for name, target in targets.items():
            if name not in state:
                continue
            value = np.asarray(state[name])
            if value.shape != target.shape:
                raise ValueError(
                    f"load_state_dict: {name!r} has shape {value.shape} in the state dict but "
                    f"{target.shape} in the model"
                )
            target[...] = value

    def save(self, path) -> None:
        """Write the state dict to an ``.npz`` file."""
        np.savez(path, **self.state_dict())

    def load(self, path) -> Module:
        """Read a state dict written by ``save``."""
        with np.load(path) as f:
            self.load_state_dict({k: f[k] for k in f.files})
        return self

    # --------------------------------------------------------------- repr
    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        kids = list(self.named_children())
        if not kids:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}("]
        for name, m in kids:
            lines.append("  (" + name + "): " + repr(m).replace("\n", "\n  "))
        return "\n".join(lines) + "\n)"


class Sequential(Module):
    """Apply modules one after the other; names are "0", "1", ... like torch."""

    def __init__(self, *modules: Module):
        self.layers = list(modules)

    def named_children(self):
        for i, m in enumerate(self.layers):
            yield str(i), m

    def forward(self, x):
        for m in self.layers:
            x = m(x)
        return x

    def __getitem__(self, i):
        return self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)


class Linear(Module):
    """y = x @ W.T + b with W (out_features, in_features); torch's default init."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, rng=None):
        self.in_features, self.out_features = in_features, out_features
        shape = (out_features, in_features)
        self.weight = Parameter(init.lecun_uniform(shape, rng))
        bound = 1 / math.sqrt(in_features)
        self.bias = Parameter(init.uniform(out_features, -bound, bound, rng)) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}"


class Conv2d(Module):
    """2-D convolution with weight (out, in, kh, kw); torch's default init."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        bias: bool = True,
        rng=None,
    ):
        kh, kw = F._pair(kernel_size)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = (kh, kw), stride, padding
        shape = (out_channels, in_channels, kh, kw)
        self.weight = Parameter(init.lecun_uniform(shape, rng))
        bound = 1 / math.sqrt(in_channels * kh * kw)
        self.bias = Parameter(init.uniform(out_channels, -bound, bound, rng)) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self):
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}"
        )


class MaxPool2d(Module):
    """Max pooling over windows (stride defaults to kernel_size)."""

    def __init__(self, kernel_size, stride=None, padding=0):
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding

    def forward(self, x):
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(MaxPool2d):
    """Average pooling over windows."""

    def forward(self, x):
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding)


class _BatchNorm(Module):
    _buffers = ("running_mean", "running_var", "num_batches_tracked")
    _dims: tuple[int, ...] = ()

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
    ):
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = Parameter(init.ones(num_features)) if affine else None
        self.bias = Parameter(init.zeros(num_features)) if affine else None
        if track_running_stats:
            self.running_mean = init.zeros(num_features)
            self.running_var = init.ones(num_features)
            self.num_batches_tracked = np.array(0, dtype=np.int64)
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in self._dims:
            raise ValueError(
                f"{type(self).__name__}: expected input with {' or '.join(map(str, self._dims))}"
                f" dimensions, got shape {x.shape}"
            )
        momentum = self.momentum
        if self.training and self.num_batches_tracked is not None:
            self.num_batches_tracked += 1
            if momentum is None:  # cumulative moving average
                momentum = 1.0 / float(self.num_batches_tracked)
        return F.batch_norm(
            x,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            self.training,
            momentum if momentum is not None else 0.0,
            self.eps,
        )

    def extra_repr(self):
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"


class BatchNorm1d(_BatchNorm):
    """Batch norm for (N, C) or (N, C, L) inputs."""

    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch norm for (N, C, H, W) inputs."""

    _dims = (4,)


class Dropout(Module):
    """Zero elements with probability p during training; identity in eval mode."""

    def __init__(self, p: float = 0.5, rng=None):
        self.p, self.rng = p, rng

    def forward(self, x):
        return F.dropout(x, self.p, self.training, self.rng)

    def extra_repr(self):
        return f"p={self.p}"


class Embedding(Module):
    """Lookup table: integer indices (...) -> vectors (..., embedding_dim); N(0, 1) init."""

    def __init__(self, num_embeddings: int, embedding_dim: int, rng=None):
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.weight = Parameter(init.normal((num_embeddings, embedding_dim), rng=rng))

    def forward(self, indices):
        return F.embedding(indices, self.weight)

    def extra_repr(self):
        return f"{self.num_embeddings}, {self.embedding_dim}"


class _Recurrent(Module):
    """Shared parts of RNN and LSTM: torch's parameter names, shapes and init, input layout."""

    _gates = 1

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        rng=None,
    ):
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.batch_first, self.bias = batch_first, bias
        bound = 1 / math.sqrt(hidden_size)
        rows = self._gates * hidden_size
        for layer in range(num_layers):
            cols = input_size if layer == 0 else hidden_size
            names = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if bias else [])
            shapes = [(rows, cols), (rows, hidden_size), (rows,), (rows,)]
            for name, shape in zip(names, shapes, strict=False):
                value = init.uniform(shape, -bound, bound, rng)
                setattr(self, f"{name}_l{layer}", Parameter(value))

    def _layer(self, k: int):
        """(weight_ih, weight_hh, bias_ih, bias_hh) of layer ``k`` (biases may be None)."""
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        return tuple(getattr(self, f"{name}_l{k}", None) for name in names)

    def _prepare(self, x: Tensor, states):
        """To time-major (T, N, I); unbatched (T, I) input gets a batch axis of 1."""
        x = x if isinstance(x, Tensor) else Tensor(x)
        if x.ndim not in (2, 3) or x.shape[-1] != self.input_size:
            raise ValueError(
                f"{type(self).__name__}: input shape {x.shape} does not match input_size "
                f"{self.input_size} (expected (T, N, {self.input_size}))"
            )
        batched = x.ndim == 3
        if not batched:
            x = x.unsqueeze(1)
            states = [s.unsqueeze(1) for s in states]
        elif self.batch_first:
            x = x.transpose(1, 0, 2)
        n = x.shape[1]
        want = (self.num_layers, n, self.hidden_size)
        for s in states:
            if s.shape != want:
                raise ValueError(
                    f"{type(self).__name__}: state shape {s.shape} does not match expected {want}"
                )
        return x, states, batched

    def _finish(self, out: Tensor, states, batched):
        if not batched:
            return out.squeeze(1), [s.squeeze(1) for s in states]
        if self.batch_first:
            out = out.transpose(1, 0, 2)
        return out, states

    def _zeros(self, x: Tensor) -> Tensor:
        n = x.shape[1] if x.ndim == 3 and not self.batch_first else x.shape[0]
        shape = (self.num_layers, n, self.hidden_size)
        if x.ndim == 2:
            shape = (self.num_layers, self.hidden_size)
        return Tensor(np.zeros(shape, dtype=x.dtype))

    def extra_repr(self):
        return f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}"


class RNN(_Recurrent):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu).

    ``forward(x, h0=None) -> (output, h_n)`` with x (T, N, I) ((N, T, I) if batch_first),
    output (T, N, H), h_n (num_layers, N, H), like torch.nn.RNN.
    """

    def __init__(
        self,
        input_size,
        hidden_size,
        num_layers=1,
        nonlinearity="tanh",
        bias=True,
        batch_first=False,
        rng=None,
    ):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, rng)

    def forward(self, x, h0: Tensor | None = None):
        h0 = self._zeros(x) if h0 is None else h0
        x, (h0,), batched = self._prepare(x, [h0])
        finals = []
        for k in range(self.num_layers):
            w_ih, w_hh, b_ih, b_hh = self._layer(k)
            xw = x @ w_ih.T  # all time steps at once: (T, N, H)
            if b_ih is not None:
                xw = xw + (b_ih + b_hh)
            h, outs = h0[k], []
            for t in range(x.shape[0]):
                pre = xw[t] + h @ w_hh.T
                h = pre.tanh() if self.nonlinearity == "tanh" else pre.relu()
                outs.append(h)
            x = stack(outs)
            finals.append(h)
        out, (h_n,) = self._finish(x, [stack(finals)], batched)
        return out, h_n


class LSTM(_Recurrent):
    """Long short-term memory, gates in torch's order (input, forget, cell, output).

    ``forward(x, (h0, c0)=None) -> (output, (h_n, c_n))``; weights named and shaped like
    ``torch.nn.LSTM`` (weight_ih_l0 is (4H, I)), so they can be copied over directly.
    """

    _gates = 4

    def forward(self, x, state: tuple[Tensor, Tensor] | None = None):
        if state is None:
            state = (self._zeros(x), self._zeros(x))
        x, (h0, c0), batched = self._prepare(x, list(state))
        hs, cs = [], []
        for k in range(self.num_layers):
            w_ih, w_hh, b_ih, b_hh = self._layer(k)
            xw = x @ w_ih.T  # the input's share of the gates, all time steps at once: (T, N, 4H)
            if b_ih is not None:
                xw = xw + (b_ih + b_hh)
            hc = F.lstm_recurrence(xw, h0[k], c0[k], w_hh)  # (T, 2, N, H): h_t and c_t
            x = hc[:, 0]
            hs.append(hc[-1, 0])
            cs.append(hc[-1, 1])
        out, (h_n, c_n) = self._finish(x, [stack(hs), stack(cs)], batched)
        return out, (h_n, c_n)


# ------------------------------------------------------------ simple layers
class ReLU(Module):
    """max(x, 0)."""

    def forward(self, x):
        return x.relu()


class LeakyReLU(Module):
    """x if x > 0 else negative_slope * x."""

    def __init__(self, negative_slope: float = 0.01):
        self.negative_slope = negative_slope

    def forward(self, x):
        return x.leaky_relu(self.negative_slope)


class Sigmoid(Module):
    """Logistic function."""

    def forward(self, x):
        return x.sigmoid()


class Tanh(Module):
    """Hyperbolic tangent."""

    def forward(self, x):
        return x.tanh()


class Softmax(Module):
    """Softmax along ``axis``."""

    def __init__(self, axis: int = -1):
        self.axis = axis

    def forward(self, x):
        return x.softmax(self.axis)


class LogSoftmax(Softmax):
    """Log-softmax along ``axis``."""

    def forward(self, x):
        return x.log_softmax(self.axis)


class Flatten(Module):
    """Merge all axes from ``start_axis`` (default 1: keep the batch axis)."""

    def __init__(self, start_axis: int = 1):
        self.start_axis = start_axis

    def forward(self, x):
        return x.flatten(self.start_axis)


class Identity(Module):
    """Returns its input."""

    def forward(self, x):
        return x


class CrossEntropyLoss(Module):
    """``F.cross_entropy`` as a module."""

    def __init__(self, reduction: str = "mean"):
        self.reduction = reduction

    def forward(self, logits, target):
        return F.cross_entropy(logits, target, self.reduction)


class MSELoss(CrossEntropyLoss):
    """``F.mse_loss`` as a module."""

    def forward(self, pred, target):
        return F.mse_loss(pred, target, self.reduction)


class BCEWithLogitsLoss(CrossEntropyLoss):
    """``F.binary_cross_entropy_with_logits`` as a module."""

    def forward(self, logits, target):
        return F.binary_cross_entropy_with_logits(logits, target, self.reduction)
