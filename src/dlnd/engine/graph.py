"""``draw``: the computation graph behind a Tensor as Graphviz DOT (and PNG if ``dot`` exists)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .tensor import Tensor


def _label(t: Tensor) -> str:
    if t._op:
        kind = t._op
    elif t.requires_grad:
        kind = "param" if type(t).__name__ == "Parameter" else "leaf"
    else:
        kind = "const"
    title = f"{t.name}: {kind}" if t.name else kind
    return f"{title}\\n{tuple(t.shape)}".replace('"', '\\"')


def to_dot(root: Tensor, rankdir: str = "LR") -> str:
    """DOT source for every tensor that ``root`` was computed from (iterative walk)."""
    ids: dict[int, str] = {}

    def node_id(t: Tensor) -> str:
        return ids.setdefault(id(t), f"n{len(ids)}")

    nodes, edges = [], []
    seen: set[int] = set()
    todo = [root]
    while todo:
        t = todo.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        style = "box" if t._op else "ellipse"
        fill = ', style=filled, fillcolor="#dbe9f6"' if t.is_leaf and t.requires_grad else ""
        nodes.append(f'  {node_id(t)} [label="{_label(t)}", shape={style}{fill}];')
        for p in t._parents:
            edges.append(f"  {node_id(p)} -> {node_id(t)};")
            todo.append(p)
    return "\n".join(["digraph G {", f"  rankdir={rankdir};", *nodes, *edges, "}"]) + "\n"


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
