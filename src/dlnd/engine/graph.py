"""``draw``: the computation graph behind a Tensor as Graphviz DOT (and PNG if ``dot`` exists)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .tensor import Tensor


def label(t: Tensor) -> str:
    """A node's two lines: its name and kind (op, param, leaf or const), then its shape."""
    if t._op:
        kind = t._op
    elif t.requires_grad:
        kind = "param" if type(t).__name__ == "Parameter" else "leaf"
    else:
        kind = "const"
    title = f"{t.name}: {kind}" if t.name else kind
    return f"{title}\n{tuple(t.shape)}"


def walk(root: Tensor) -> tuple[list[Tensor], list[tuple[int, int]]]:
    """Every tensor that ``root`` was computed from (``root`` first, each once, numbered as the
    iterative walk meets them) and the edges between them as (parent index, child index), one
    per use of an input."""
    index: dict[int, int] = {}
    found: list[Tensor] = []
    edges: list[tuple[int, int]] = []

    def number(t: Tensor) -> int:
        if id(t) not in index:
            index[id(t)] = len(found)
            found.append(t)
        return index[id(t)]

    seen: set[int] = set()
    todo = [root]
    number(root)
    while todo:
        t = todo.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        for p in t._parents:
            edges.append((number(p), index[id(t)]))
            todo.append(p)
    return found, edges


def to_dot(root: Tensor, rankdir: str = "LR") -> str:
    """DOT source for every tensor that ``root`` was computed from (iterative walk)."""
    nodes, edges = walk(root)
    lines = []
    for i, t in enumerate(nodes):
        text = label(t).replace('"', '\\"').replace("\n", "\\n")
        style = "box" if t._op else "ellipse"
        fill = ', style=filled, fillcolor="#dbe9f6"' if t.is_leaf and t.requires_grad else ""
        lines.append(f'  n{i} [label="{text}", shape={style}{fill}];')
    lines += [f"  n{a} -> n{b};" for a, b in edges]
    return "\n".join(["digraph G {", f"  rankdir={rankdir};", *lines, "}"]) + "\n"


def draw(tensor: Tensor, path=None, rankdir: str = "LR") -> str:
    """Return the graph of ``tensor`` as DOT text (nodes: op name and shape).

    With ``path`` (e.g. ``"graph.png"``), also write ``graph.dot`` and, when the Graphviz
    ``dot`` program is installed, render ``graph.png`` from it.
    """
    dot = to_dot(tensor, rankdir)
    if path is not None:
        path = Path(path)
        dot_path = path.with_suffix(".dot")
        dot_path.parent.mkdir(parents=True, exist_ok=True)
        dot_path.write_text(dot)
        exe = shutil.which("dot")
        if exe is not None:
            subprocess.run(
                [exe, "-Tpng", str(dot_path), "-o", str(path.with_suffix(".png"))],
                check=True,
                capture_output=True,
            )
    return dot
