"""Let freed large arrays be reused instead of handed back to the OS (glibc's malloc only).

Every op of the engine returns a fresh NumPy array, so a training step allocates and frees the
same large temporaries again and again. glibc serves blocks above its mmap threshold (128 KiB
at first) straight from the OS and unmaps them on free, so each step page-faults its memory back
in: a third of a small CNN's step time on this project's CPU. Raising the mmap and trim
thresholds keeps freed blocks in the heap for the next step. The setting is process-wide (it
speeds up other NumPy and PyTorch code alike); importing the engine applies it on Linux unless
``DLND_ENGINE_MALLOC=default`` is set. Other platforms and C libraries are left alone.
"""

from __future__ import annotations

import ctypes
import os
import sys

_M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter numbers (malloc.h)
_M_MMAP_THRESHOLD = -3


def keep_freed_memory(mmap_mib: int = 16, trim_mib: int = 128) -> bool:
    """Serve blocks below ``mmap_mib`` MiB from the heap and keep up to ``trim_mib`` MiB of
    freed heap memory; True when glibc accepted both settings."""
    if not sys.platform.startswith("linux") or os.environ.get("DLND_ENGINE_MALLOC") == "default":
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, mmap_mib << 20)) and bool(
        mallopt(_M_TRIM_THRESHOLD, trim_mib << 20)
    )


MALLOC_TUNED = keep_freed_memory()
