"""What every PyTorch project shares: one setup (device, threads, seed, several processes under
torchrun), bf16 autocast (on CUDA, and on the CPU where a config asks), torch.compile on CUDA,
torch's global RNG as trackable state, the step-size schedule, and independent branches run
side by side on the CPU's cores. Imports torch, so only the torch projects import it."""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

import torch

from dlnd.core.errors import UsageError


def resolve_device(name: str) -> str:
    """``auto`` becomes cuda when torch sees a GPU, else cpu; asking for cuda without one is a
    usage error now rather than a torch error mid-run."""
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise UsageError(f"device {name!r} asked for, but torch sees no CUDA GPU")
    return name


def scheduled_lr(lr: float, schedule: str, step: int, total_steps: int) -> float:
    """The step size at ``step``: ``lr`` throughout (``constant``), or falling along a half
    cosine from ``lr`` to 0 over ``total_steps`` (``cosine``). A function of the step alone, so
    a resumed run continues the same schedule."""
    if schedule == "constant":
        return lr
    return 0.5 * lr * (1 + math.cos(math.pi * step / total_steps))


class TorchRNG:
    """torch's global generators (the CPU one and, when present, every CUDA device's) as one
    trackable object: ``run.track(torch_rng=TorchRNG())``."""

    def state_dict(self) -> dict[str, Any]:
        cuda = torch.cuda.get_rng_state_all() if torch.cuda.is_available() else []
        return {"cpu": torch.get_rng_state(), "cuda": list(cuda)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        torch.set_rng_state(state["cpu"])
        if state["cuda"] and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state["cuda"])


@dataclass
class TorchSetup:
    """Where and how a torch project trains: made by :func:`setup`.

    ``rank``/``world`` are this process's place in a ``torchrun`` job (0 and 1 otherwise): each
    process trains on its :meth:`share` of every batch and :meth:`wrap` makes the model a
    DistributedDataParallel one, so gradients are averaged over all processes."""

    device: torch.device
    rank: int = 0
    world: int = 1
    cpu_bf16: bool = False  # autocast to bfloat16 on this CPU (see ``cpu_computes_bf16``)

    @property
    def cuda(self) -> bool:
        return self.device.type == "cuda"

    def autocast(self):
        """bf16 autocast on CUDA (tensor cores, no loss scaling needed), and on the CPU when the
        config asked for it (``cpu_bf16``); nothing otherwise."""
        if self.cuda:
            return torch.autocast("cuda", dtype=torch.bfloat16)
        if self.cpu_bf16:
            return torch.autocast("cpu", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def wrap(self, model: torch.nn.Module, compile: bool = False) -> torch.nn.Module:
        """The module to train with: DDP under torchrun, ``torch.compile``d on CUDA when asked.
        Save and evaluate the unwrapped ``model``."""
        net = model
        if self.world > 1:
            net = torch.nn.parallel.DistributedDataParallel(
                model, device_ids=[self.device.index] if self.cuda else None)
        if compile and self.cuda:
            net = torch.compile(net)
        return net

    def share(self, batch: Any) -> Any:
        """This process's rows of a batch (the whole batch when training alone)."""
        if self.world == 1:
            return batch
        size = len(batch)
        if size % self.world:
            raise UsageError(f"a batch of {size} does not split over {self.world} processes; "
                             f"choose a batch size divisible by {self.world}")
        part = size // self.world
        return batch[self.rank * part:(self.rank + 1) * part]

    def describe(self) -> str:
        """The device as summaries show it, e.g. ``cpu, 2 threads`` or ``cuda:0, 4 processes``."""
        text = str(self.device) if self.cuda else f"cpu, {torch.get_num_threads()} thread(s)"
        text += ", bf16" if self.cpu_bf16 else ""
        return text + (f", {self.world} processes" if self.world > 1 else "")


def cpu_computes_bf16() -> bool:
    """Whether oneDNN computes bfloat16 on this CPU (AVX-512 or AMX), rather than emulating it
    more slowly than float32."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # a torch built without oneDNN
        return False


def flushes_denormals() -> bool:
    """Whether this thread's CPU arithmetic turns denormal floats into 0 (a probe: no getter)."""
    return (torch.tensor([1e-40]) * 1.0).item() == 0.0


def setup(cfg: Any, run: Any) -> TorchSetup:
    """Prepare torch for a run of ``cfg``: resolve ``cfg.device``, set ``cfg.threads`` (when the
    config has it; the process's previous count is put back when the run closes), seed torch
    with ``cfg.seed``, flush denormal numbers to zero on the CPU for the run, autocast to
    bfloat16 on a CPU that computes it when the config has ``bf16`` on and, under ``torchrun``,
    join the process group."""
    threads = getattr(cfg, "threads", 0)
    if threads:
        previous = torch.get_num_threads()
        torch.set_num_threads(threads)
        run.at_close(lambda: torch.set_num_threads(previous))
    # Floats below ~1e-38 (an LSTM's gradients fading along a long story) take some CPUs a
    # slow path per operation: babi's RNN on qa3's ~400-word stories ran 4.3x slower with them
    # on a Xeon here (2 epochs: 104.5 s against 24.5 s flushed, the same test accuracy).
    flushed = flushes_denormals()
    if torch.set_flush_denormal(True):
        run.at_close(lambda: torch.set_flush_denormal(flushed))
    device = torch.device(resolve_device(cfg.device))
    rank, world = 0, int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1:
        import torch.distributed as dist

        if not dist.is_initialized():
            dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
            run.at_close(dist.destroy_process_group)
        rank = dist.get_rank()
        if device.type == "cuda":
            device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", rank)))
            torch.cuda.set_device(device)
    # Each process draws its own dropout masks (seed + rank); the weights still start equal,
    # as DDP copies rank 0's into every process when the model is wrapped.
    torch.manual_seed(cfg.seed + rank)  # seeds every CUDA device too
    cpu_bf16 = device.type == "cpu" and getattr(cfg, "bf16", False) and cpu_computes_bf16()
    return TorchSetup(device, rank, world, cpu_bf16)


# ----- independent branches on separate cores -----

_branch_threads: ThreadPoolExecutor | None = None


def _branches() -> ThreadPoolExecutor:
    global _branch_threads
    if _branch_threads is None:
        _branch_threads = ThreadPoolExecutor(os.cpu_count() or 2, thread_name_prefix="dlnd-branch")
    return _branch_threads


def _branch_forward(call, module, x, grad: bool):
    with torch.set_grad_enabled(grad):  # grad mode is per thread
        if grad:
            x = x.detach().requires_grad_()  # the branch's own graph starts here
        return x, call(module, x)


def _branch_backward(module, x, out, grad_out):
    parameters = list(module.parameters())
    trained = [p for p in parameters if p.requires_grad]
    grads = iter(torch.autograd.grad(out, [x, *trained], grad_out, allow_unused=True))
    grad_x = next(grads)
    return grad_x, *[next(grads) if p.requires_grad else None for p in parameters]


@contextlib.contextmanager
def _threads_shared_by(branches: int):
    """torch's thread count is one for the whole process: while the branches run (the caller
    waits), each gets its share of it instead of every branch starting as many threads as
    there are cores (measured: 350-390 instead of 418-453 ms per sentiment-RNN step)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(max(1, threads // branches))
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _run_branches(jobs: list[Callable[[], Any]]) -> list:
    with _threads_shared_by(len(jobs)):
        futures = [_branches().submit(job) for job in jobs]
        return [f.result() for f in futures]


class _SideBySide(torch.autograd.Function):
    """Each branch's forward and backward on a thread of its own; the branches' graphs are
    kept apart (their inputs detached) so that each backward runs on its own thread too."""

    @staticmethod
    def forward(ctx, call, modules, *inputs_then_parameters):
        inputs = inputs_then_parameters[:len(modules)]
        ctx.modules = modules
        ctx.branches = _run_branches([partial(_branch_forward, call, m, x, True)
                                      for m, x in zip(modules, inputs, strict=True)])
        return tuple(out.detach() for _, out in ctx.branches)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, *grad_outputs):
        grads = _run_branches([partial(_branch_backward, m, x, out, g) for m, (x, out), g
                               in zip(ctx.modules, ctx.branches, grad_outputs, strict=True)])
        del ctx.branches  # the branches' graphs
        return (None, None, *[g[0] for g in grads], *[p for g in grads for p in g[1:]])


def side_by_side(modules: Sequence[torch.nn.Module], inputs: Sequence[torch.Tensor],
                 call: Callable[[Any, torch.Tensor], torch.Tensor] = lambda m, x: m(x)
                 ) -> list[torch.Tensor]:
    """``call(modules[i], inputs[i])`` for each i, the branches side by side on the CPU's
    threads, forward and backward: what the two directions of a bidirectional RNN need. A
    recurrent layer's steps are too small to share two cores well, and PyTorch runs a CPU
    graph's backward on one thread, so the directions otherwise take turns; side by side, the
    sentiment RNN's training step took 315-387 ms instead of 425-446 (see its README). A branch
    may use only its module's parameters and its input. On a GPU or one thread the branches
    simply run one after the other."""
    if torch.get_num_threads() < 2 or any(x.device.type != "cpu" for x in inputs):
        return [call(m, x) for m, x in zip(modules, inputs, strict=True)]
    if not torch.is_grad_enabled():
        return [out for _, out in _run_branches([partial(_branch_forward, call, m, x, False)
                                                 for m, x in zip(modules, inputs, strict=True)])]
    parameters = [p for m in modules for p in m.parameters()]
    return list(_SideBySide.apply(call, list(modules), *inputs, *parameters))
