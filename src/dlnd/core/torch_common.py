"""What every PyTorch project shares: one setup (device, threads, seed, several processes under
torchrun), bf16 autocast and torch.compile on CUDA, torch's global RNG as trackable state, and
the step-size schedule. Imports torch, so only the torch projects import it."""

from __future__ import annotations

import contextlib
import math
import os
from dataclasses import dataclass
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

    @property
    def cuda(self) -> bool:
        return self.device.type == "cuda"

    def autocast(self):
        """bf16 autocast on CUDA (tensor cores, no loss scaling needed); nothing on the CPU."""
        if self.cuda:
            return torch.autocast("cuda", dtype=torch.bfloat16)
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
        return text + (f", {self.world} processes" if self.world > 1 else "")


def setup(cfg: Any, run: Any) -> TorchSetup:
    """Prepare torch for a run of ``cfg``: resolve ``cfg.device``, set ``cfg.threads`` (when the
    config has it; the process's previous count is put back when the run closes), seed torch
    with ``cfg.seed`` and, under ``torchrun``, join the process group."""
    threads = getattr(cfg, "threads", 0)
    if threads:
        previous = torch.get_num_threads()
        torch.set_num_threads(threads)
        run.at_close(lambda: torch.set_num_threads(previous))
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
    return TorchSetup(device, rank, world)
