"""dlnd.engine: a small reverse-mode autodiff engine on NumPy, readable like micrograd.

    from dlnd.engine import Tensor, nn, optim, F
    x = Tensor([[1.0, 2.0]], requires_grad=True)
    loss = (x @ x.T).sum()
    loss.backward()          # x.grad == [[2., 4.]]

Public API: ``Tensor``, ``tensor``, ``no_grad``, ``check_grads``, ``draw``, ``unbroadcast``,
``concat``, ``stack``, ``where``, ``tune_allocator`` and the submodules ``nn``, ``optim``,
``init``, ``functional`` (also available as ``F``) and ``memory``. Beyond the standard
library only NumPy is imported.
Importing changes nothing outside the engine: ``tune_allocator()`` (glibc's malloc settings
for many large temporary arrays, process-wide) is an explicit opt-in, see ``memory``.
Where to start reading: README.md in this folder.
"""

from . import functional, init, memory, nn, optim
from . import functional as F
from .gradcheck import GradCheckReport, check_grads
from .graph import draw
from .memory import tune_allocator
from .tensor import Tensor, concat, is_grad_enabled, no_grad, stack, tensor, unbroadcast, where

__all__ = [
    "Tensor", "tensor", "no_grad", "is_grad_enabled", "check_grads", "GradCheckReport", "draw",
    "unbroadcast", "concat", "stack", "where", "nn", "optim", "init", "functional", "F",
    "memory", "tune_allocator",
]  # fmt: skip
