"""The registered projects. Each declaration is light: importing this does not import torch."""

from __future__ import annotations

from dlnd.errors import UsageError
from dlnd.project import Project
from dlnd.projects.bike_sharing import PROJECT as BIKE_SHARING

PROJECTS: dict[str, Project] = {p.name: p for p in [BIKE_SHARING]}


def get(name: str) -> Project:
    if name not in PROJECTS:
        import difflib

        close = difflib.get_close_matches(name, PROJECTS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise UsageError(f"unknown project {name!r}{hint} (see `dlnd list`)")
    return PROJECTS[name]
