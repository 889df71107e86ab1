"""The registered projects: every subpackage here that declares ``PROJECT``, in course order.

Declarations are light: importing them does not import torch.
"""

from __future__ import annotations

import importlib
import pkgutil

from dlnd.core.errors import UsageError
from dlnd.core.project import Project


def _discover() -> dict[str, Project]:
    found = [importlib.import_module(f"{__name__}.{info.name}").PROJECT
             for info in pkgutil.iter_modules(__path__) if info.ispkg]
    return {p.name: p for p in sorted(found, key=lambda p: (p.order, p.name))}


PROJECTS: dict[str, Project] = _discover()


def get(name: str) -> Project:
    if name not in PROJECTS:
        import difflib

        close = difflib.get_close_matches(name, PROJECTS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise UsageError(f"unknown project {name!r}{hint} (see `dlnd list`)")
    return PROJECTS[name]
