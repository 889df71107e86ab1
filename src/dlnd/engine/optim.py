"""Optimizers and learning-rate schedules with the same update formulas as ``torch.optim``.

All parameters share one set of hyper-parameters (no parameter groups); the learning rate is
``optimizer.lr``, which the schedules change. ``state_dict()`` returns a flat
``{name: array}`` dict, so ``np.savez(path, **opt.state_dict())`` checkpoints it.
"""

from __future__ import annotations

import math

import numpy as np

from .tensor import Tensor

__all__ = [
    "Optimizer",
    "SGD",
    "Adam",
    "AdamW",
    "RMSprop",
    "LRScheduler",
    "StepLR",
    "CosineAnnealingLR",
]


class Optimizer:
    """Base class: holds the parameters, per-parameter state and hyper-parameters."""

    _hyper: tuple[str, ...] = ("lr",)

    def __init__(self, params, lr: float):
        self.params: list[Tensor] = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        if lr < 0:
            raise ValueError(f"{type(self).__name__}: invalid learning rate {lr}")
        self.lr = float(lr)
        self.state: list[dict] = [{} for _ in self.params]
        # one scratch array per parameter: the update formulas run in place in it, because
        # fresh temporaries the size of a weight matrix cost page faults on every step
        self._work: list[np.ndarray | None] = [None] * len(self.params)

    def zero_grad(self) -> None:
        """Clear the gradients of all parameters (sets them to None, like torch)."""
        for p in self.params:
            p.zero_grad()

    def step(self) -> None:
        """Update every parameter that has a gradient, in place."""
        for i, (p, state) in enumerate(zip(self.params, self.state, strict=True)):
            if p.grad is None:
                continue
            if not isinstance(p.data, np.ndarray):
                # the updates below are in place: on a NumPy scalar (``p.data = p.data * 2``
                # on a 0-d parameter gives one) they would be silently lost
                p.data = np.array(p.data)
            work = self._work[i]
            if work is None or work.shape != p.shape or work.dtype != p.dtype:
                work = self._work[i] = np.empty_like(p.data)
            self._update(p.data, p.grad, state, work)

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict,
                work: np.ndarray) -> None:
        """Update ``param`` in place; ``work`` is scratch space of its shape and dtype."""
        raise NotImplementedError

    def state_dict(self) -> dict[str, np.ndarray]:
        """Hyper-parameters (``hyper.lr`` ...) and per-parameter state (``state.3.exp_avg``)."""
        out = {f"hyper.{k}": np.asarray(getattr(self, k)) for k in self._hyper}
        for i, state in enumerate(self.state):
            for k, v in state.items():
                out[f"state.{i}.{k}"] = np.array(v, copy=True)
        return out

    def load_state_dict(self, state: dict) -> None:
        """Restore what ``state_dict`` returned (for the same parameter list)."""
        new_state: list[dict] = [{} for _ in self.params]
        for key, value in state.items():
            kind, _, rest = key.partition(".")
            if kind == "hyper":
                setattr(self, rest, type(getattr(self, rest))(np.asarray(value).item()))
            elif kind == "state":
                index, _, name = rest.partition(".")
                i = int(index)
                if i >= len(self.params):
                    raise ValueError(
                        f"load_state_dict: state for parameter {i}, but the "
                        f"optimizer has {len(self.params)} parameters"
                    )
                value = np.array(value, copy=True)
                if value.ndim == 0 and np.issubdtype(value.dtype, np.integer):
                    value = int(value)
                elif value.shape != self.params[i].shape:
                    raise ValueError(
                        f"load_state_dict: {key!r} has shape {value.shape}, "
                        f"parameter {i} has shape {self.params[i].shape}"
                    )
                new_state[i][name] = value
            else:
                raise KeyError(f"load_state_dict: unexpected key {key!r}")
        self.state = new_state


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay.

    g = grad + weight_decay * p;  buf = momentum * buf + (1 - dampening) * g (buf = g at first);
    step = g + momentum * buf if nesterov else buf;  p -= lr * step.
    """

    _hyper = ("lr", "momentum", "dampening", "weight_decay", "nesterov")

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ):
        super().__init__(params, lr)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum needs momentum > 0 and dampening = 0")
        self.momentum, self.dampening = float(momentum), float(dampening)
        self.weight_decay, self.nesterov = float(weight_decay), bool(nesterov)

    def _update(self, param, grad, state, work):
        g = grad + self.weight_decay * param if self.weight_decay else grad
        if self.momentum:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = np.array(g, copy=True)
            else:
                buf *= self.momentum
                np.multiply(g, 1 - self.dampening, out=work)
                buf += work
            g = g + self.momentum * buf if self.nesterov else buf
        np.multiply(g, self.lr, out=work)
        param -= work


class Adam(Optimizer):
    """Adam (optionally AMSGrad); ``weight_decay`` is L2 added to the gradient, like torch.

    m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
    p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
    """

    _hyper = ("lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad")

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ):
        super().__init__(params, lr)
        self.beta1, self.beta2 = float(betas[0]), float(betas[1])
        self.eps, self.weight_decay, self.amsgrad = float(eps), float(weight_decay), bool(amsgrad)

    def _decay(self, param, grad):
        return grad + self.weight_decay * param if self.weight_decay else grad

    def _update(self, param, grad, state, work):
        g = self._decay(param, grad)
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
            if self.amsgrad:
                state["max_exp_avg_sq"] = np.zeros_like(param)
        state["step"] += 1
        t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]
        m *= self.beta1
        np.multiply(g, 1 - self.beta1, out=work)
        m += work
        v *= self.beta2
        np.multiply(g, g, out=work)
        work *= 1 - self.beta2
        v += work
        if self.amsgrad:
            np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        # lr / (1 - b1^t) * m / (sqrt(v) / c + eps) with c = sqrt(1 - b2^t), rewritten as
        # lr * c / (1 - b1^t) * m / (sqrt(v) + eps * c): one pass fewer, in place
        c = math.sqrt(1 - self.beta2**t)
        denom = np.sqrt(v, out=work)
        denom += self.eps * c
        step = np.divide(m, denom, out=work)
        step *= self.lr * c / (1 - self.beta1**t)
        param -= step


class AdamW(Adam):
    """Adam with decoupled weight decay: p *= 1 - lr * weight_decay before the Adam step."""

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)

    def _decay(self, param, grad):
        param *= 1 - self.lr * self.weight_decay
        return grad


class RMSprop(Optimizer):
    """RMSprop as in torch: divide by a running RMS of gradients (optionally centred).

    sq = alpha sq + (1-alpha) g^2;  avg = sqrt(sq - mean_g^2 if centered else sq) + eps;
    p -= lr * g / avg  (or through a momentum buffer b = momentum b + g / avg).
    """

    _hyper = ("lr", "alpha", "eps", "weight_decay", "momentum", "centered")

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ):
        super().__init__(params, lr)
        self.alpha, self.eps, self.weight_decay = float(alpha), float(eps), float(weight_decay)
        self.momentum, self.centered = float(momentum), bool(centered)

    def _update(self, param, grad, state, work):
        g = grad + self.weight_decay * param if self.weight_decay else grad
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(param)
            if self.momentum:
                state["momentum_buffer"] = np.zeros_like(param)
            if self.centered:
                state["grad_avg"] = np.zeros_like(param)
        state["step"] += 1
        sq = state["square_avg"]
        sq *= self.alpha
        np.multiply(g, g, out=work)
        work *= 1 - self.alpha
        sq += work
        if self.centered:
            ga = state["grad_avg"]
            ga *= self.alpha
            ga += (1 - self.alpha) * g
            avg = np.sqrt(sq - ga * ga) + self.eps
        else:
            avg = np.sqrt(sq) + self.eps
        if self.momentum:
            buf = state["momentum_buffer"]
            buf *= self.momentum
            buf += g / avg
            param -= self.lr * buf
        else:
            param -= self.lr * g / avg


class LRScheduler:
    """Base schedule: ``step()`` once per epoch (after ``optimizer.step()``) sets optimizer.lr."""

    def __init__(self, optimizer: Optimizer):
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.last_epoch = 0

    def lr_at(self, epoch: int) -> float:
        raise NotImplementedError

    def step(self) -> None:
        self.last_epoch += 1
        self.optimizer.lr = self.lr_at(self.last_epoch)

    def get_last_lr(self) -> float:
        return self.optimizer.lr

    def state_dict(self) -> dict[str, np.ndarray]:
        return {"last_epoch": np.asarray(self.last_epoch), "base_lr": np.asarray(self.base_lr)}

    def load_state_dict(self, state: dict) -> None:
        self.last_epoch = int(np.asarray(state["last_epoch"]))
        self.base_lr = float(np.asarray(state["base_lr"]))


class StepLR(LRScheduler):
    """lr = base_lr * gamma ** (epoch // step_size)."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1):
        super().__init__(optimizer)
        self.step_size, self.gamma = int(step_size), float(gamma)

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** (epoch // self.step_size)


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0):
        super().__init__(optimizer)
        self.T_max, self.eta_min = int(T_max), float(eta_min)

    def lr_at(self, epoch: int) -> float:
        cos = (1 + math.cos(math.pi * epoch / self.T_max)) / 2
        return self.eta_min + (self.base_lr - self.eta_min) * cos
