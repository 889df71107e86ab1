"""Opt-in: let freed large arrays be reused instead of handed back to the OS (glibc's malloc).

Every op of the engine returns a fresh NumPy array, so a training step allocates and frees the
same large temporaries again and again. glibc serves blocks above its mmap threshold (128 KiB
at first) straight from the OS and unmaps them on free, so each step page-faults its memory back
in: a third of a small CNN's step time on this project's CPU. Raising the mmap and trim
thresholds keeps freed blocks in the heap for the next step.

The setting is process-wide: it changes how every library in the process (NumPy, PyTorch, ...)
gets memory. So importing the engine never applies it; a program that owns its process (the
``dlnd`` command line, when it trains the engine's projects) calls ``tune_allocator()`` once.
``DLND_ENGINE_MALLOC=default`` turns the call into a no-op; other platforms and C libraries are
left alone.
"""

from __future__ import annotations

import ctypes
import os
import sys

__all__ = ["tune_allocator", "allocator_tuned"]

_M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter numbers (malloc.h)
_M_MMAP_THRESHOLD = -3

_tuned = False  # whether tune_allocator() changed this process's malloc settings


def tune_allocator(mmap_mib: int = 16, trim_mib: int = 128) -> bool:
    """Serve blocks below ``mmap_mib`` MiB from the heap and keep up to ``trim_mib`` MiB of
    freed heap memory, for the whole process. True when glibc accepted both settings; False
    (and nothing changed) off Linux/glibc or with ``DLND_ENGINE_MALLOC=default``."""
    global _tuned
    if not sys.platform.startswith("linux") or os.environ.get("DLND_ENGINE_MALLOC") == "default":
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mmap_ok = bool(mallopt(_M_MMAP_THRESHOLD, mmap_mib << 20))
    trim_ok = bool(mallopt(_M_TRIM_THRESHOLD, trim_mib << 20))
    _tuned = _tuned or mmap_ok or trim_ok
    return mmap_ok and trim_ok


def allocator_tuned() -> bool:
    """True once ``tune_allocator()`` has changed this process's malloc settings."""
    return _tuned
