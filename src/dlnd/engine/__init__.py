"""dlnd.engine: a small reverse-mode autodiff engine on NumPy, readable like micrograd.

    from dlnd.engine import Tensor, nn, optim, F
    x = Tensor([[1.0, 2.0]], requires_grad=True)
    loss = (x @ x.T).sum()
    loss.backward()          # x.grad == [[2., 4.]]

Public API: ``Tensor``, ``tensor``, ``no_grad``, ``check_grads``, ``draw``, ``unbroadcast``,
``concat``, ``stack``, ``where`` and the submodules ``nn``, ``optim``, ``init`` and
``functional`` (also available as ``F``). Only NumPy is imported (and ctypes, to tune glibc's
malloc for many large temporary arrays: see ``memory``).
"""

from . import functional, init, memory, nn, optim
from . import functional as F
from .gradcheck import GradCheckReport, check_grads
from .graph import draw
from .tensor import Tensor, concat, is_grad_enabled, no_grad, stack, tensor, unbroadcast, where

__all__ = [
    "Tensor", "tensor", "no_grad", "is_grad_enabled", "check_grads", "GradCheckReport", "draw",
    "unbroadcast", "concat", "stack", "where", "nn", "optim", "init", "functional", "F",
    "memory",
]  # fmt: skip
