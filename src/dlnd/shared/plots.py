"""The pictures projects share, each saved in the run directory as ``<name>.png`` and shown in
TensorBoard as an image (:meth:`dlnd.core.runs.Run.log_figure`):

- :func:`learning_curves`: every metric a run logged per epoch, read back from its
  ``metrics.jsonl`` (so a resumed run draws all its epochs), one panel per kind of metric;
- :func:`ranked_bars`: the most positive and most negative items of a ranking (words by how
  strongly they signal a sentiment); :func:`bars`: one value per item;
- :func:`probabilities_by_label`: how a binary classifier's P(positive) falls for each label;
- :func:`computation_graph`: the graph behind an engine Tensor, by Graphviz ``dot`` when it is
  installed, else drawn here.

Figures are made with :class:`matplotlib.figure.Figure` rather than pyplot: no global state
(no backend is switched, nothing to close) and a layout engine that leaves every label room
without ``tight_layout``'s warnings.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from dlnd.core import runs

SPLITS = ("train", "val", "test")
SPLIT_NAMES = {"train": "training", "val": "validation", "test": "test"}
SPLIT_STYLES = {"train": "--", "val": "-", "test": "-.", "": "-"}
FAMILY_TITLES = {"loss": "Loss", "acc": "Accuracy", "lr": "Learning rate",
                 "ppl": "Perplexity", "mse": "Mean squared error", "r2": "R²"}
COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown",
           "tab:pink", "tab:gray", "tab:olive", "tab:cyan")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")


def figure(width: float, height: float) -> Any:
    """A figure whose layout engine makes room for titles, labels and legends."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def parse(name: str) -> tuple[str, str, str]:
    """(group, split, family) of a metric name: ``val/loss`` -> ("", "val", "loss"),
    ``none/train_acc`` -> ("none", "train", "acc"), ``xor_hidden/loss`` -> ("xor_hidden", "",
    "loss"). Curves of one family share a panel; a group has a colour, a split a line style."""
    prefix, _, leaf = name.rpartition("/")
    split, _, family = leaf.rpartition("_")
    if split not in SPLITS:  # e.g. "train_loss_margin" is not a split of "margin"
        split, family = "", leaf
    if not split and prefix in SPLITS:
        return "", prefix, family
    return prefix, split, family


def history(run: runs.Run, names: Iterable[str] | None = None) -> dict[str, list[tuple[int,
                                                                                          float]]]:
    """(epoch counted from 1, value) of each per-epoch metric the run logged (``names``, or all
    but the final ones), in the order first logged."""
    wanted = None if names is None else set(names)
    out: dict[str, list[tuple[int, float]]] = {}
    for row in runs.read_metrics(run.path):
        name = row["name"]
        if name.startswith("final/") or (wanted is not None and name not in wanted):
            continue
        out.setdefault(name, []).append((row["step"] + 1, row["value"]))
    return out


def learning_curves(run: runs.Run, names: Iterable[str] | None = None, *,
                    name: str = "learning_curves", title: str | None = None,
                    xlabel: str = "epoch") -> Path | None:
    """One panel per family of metrics (loss, accuracy, learning rate ...), one line per metric:
    a colour and a marker per group (model, variant), a line style per split (dashed training,
    solid validation, dash-dot test), so that no curve hides another. ``None`` when the run
    logged no epoch yet."""
    curves = history(run, names)
    if not curves:
        return None
    families: dict[str, list[str]] = {}
    for metric in curves:
        families.setdefault(parse(metric)[2], []).append(metric)
    columns = min(len(families), 3)
    rows = math.ceil(len(families) / columns)
    fig = figure(4.8 * columns, 3.6 * rows)
    axes = list(fig.subplots(rows, columns, squeeze=False).flat)
    used = axes[:len(families)]
    for ax, (family, metrics) in zip(used, families.items(), strict=True):
        _panel(ax, family, metrics, curves, xlabel)
    for ax in axes[len(families):]:  # the panels left over in the last row
        ax.set_visible(False)
    legends = [ax.get_legend_handles_labels() for ax in used]
    keyed = [(h, labels) for h, labels in legends if len(labels) > 1]
    if len(keyed) > 1 and all(labels == keyed[0][1] for _, labels in keyed):
        fig.legend(*keyed[0], loc="outside right upper", fontsize=8)  # one for all panels
    else:
        for ax, (_, labels) in zip(used, legends, strict=True):
            if len(labels) > 4:  # beside the panel, not over its curves
                ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
            elif len(labels) > 1:
                ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    last = max(step for points in curves.values() for step, _ in points) - 1
    return save(run, name, fig, step=last)


def _panel(ax, family: str, metrics: list[str], curves: dict, xlabel: str) -> None:
    from matplotlib.ticker import MaxNLocator

    parsed = {m: parse(m) for m in metrics}
    groups = list(dict.fromkeys(g for g, _, _ in parsed.values()))
    splits = list(dict.fromkeys(s for _, s, _ in parsed.values()))
    keys = groups if len(groups) > 1 else splits  # what tells the lines apart by colour
    for i, metric in enumerate(metrics):
        group, split, _ = parsed[metric]
        k = keys.index(group if len(groups) > 1 else split)
        epochs, values = zip(*curves[metric], strict=True)
        values = [v if math.isfinite(v) else math.nan for v in values]
        words = [group.replace("_", " ")] if group else []
        if split and len(splits) > 1:
            words.append(f"({SPLIT_NAMES[split]})" if words else SPLIT_NAMES[split])
        # Later lines are drawn thinner on top of earlier ones: equal curves stay visible.
        style = SPLIT_STYLES[split] if len(splits) > 1 else "-"
        ax.plot(epochs, values, style, color=COLOURS[k % len(COLOURS)],
                marker=MARKERS[k % len(MARKERS)], markevery=max(len(epochs) // 12, 1),
                markersize=max(7 - 0.8 * i, 3), linewidth=max(2.6 - 0.3 * i, 1.0),
                label=" ".join(words) or metric, alpha=0.9)
    heading = FAMILY_TITLES.get(family, family)
    if len(splits) == 1 and splits[0] and family != "lr":
        heading += f" ({SPLIT_NAMES[splits[0]]})"
    ax.set_title(heading)
    ax.set_xlabel(xlabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    finite = [v for m in metrics for _, v in curves[m] if math.isfinite(v)]
    if family == "loss" and finite and min(finite) > 0 and max(finite) / min(finite) > 30:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)


def ranked_bars(run: runs.Run, name: str, top: Sequence[tuple[str, float]],
                bottom: Sequence[tuple[str, float]], *, title: str, xlabel: str,
                labels: tuple[str, str] = ("most positive", "most negative")) -> Path:
    """Two horizontal bar charts side by side: ``bottom`` (the most negative items, in red) and
    ``top`` (the most positive, in blue), strongest at the top."""
    rows = max(len(top), len(bottom), 1)
    fig = figure(10, 0.24 * rows + 1.4)
    for ax, items, colour, heading in zip(fig.subplots(1, 2), (bottom, top),
                                          ("tab:red", "tab:blue"), labels[::-1], strict=True):
        words = [w for w, _ in items][::-1]
        ax.barh(range(len(words)), [v for _, v in items][::-1], color=colour)
        ax.set_yticks(range(len(words)), words, fontsize=8)
        ax.set_title(heading)
        ax.set_xlabel(xlabel)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(title)
    return save(run, name, fig)


def bars(run: runs.Run, name: str, values: dict[str, float], *, title: str, xlabel: str
         ) -> Path:
    """One horizontal bar per item, its value written at its end."""
    fig = figure(7, 0.55 * len(values) + 1.3)
    ax = fig.add_subplot()
    labels = list(values)[::-1]
    bars = ax.barh(range(len(labels)), [values[k] for k in labels],
                   color=[COLOURS[(len(labels) - 1 - i) % len(COLOURS)]
                          for i in range(len(labels))])
    ax.bar_label(bars, fmt="%.3g", padding=3, fontsize=9)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel(xlabel)
    ax.set_xlim(0, max(max(values.values(), default=0) * 1.15, 1e-9))
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    return save(run, name, fig)


def probabilities_by_label(run: runs.Run, name: str, p_positive, labels, *, title: str,
                           classes: tuple[str, str] = ("negative", "positive")) -> Path:
    """Histograms of a binary classifier's P(positive), one per true label: a model that has
    learnt piles each label at its own end; an untrained one piles both at 0.5."""
    import numpy as np

    p_positive, labels = np.asarray(p_positive, dtype=float), np.asarray(labels)
    fig = figure(7, 4)
    ax = fig.add_subplot()
    edges = np.linspace(0, 1, 26)
    for value, colour, style in ((0, "tab:red", "//"), (1, "tab:blue", "\\\\")):
        ax.hist(p_positive[labels == value], bins=edges, alpha=0.45, color=colour,
                hatch=style, edgecolor=colour, label=f"{classes[value]} (true label)")
    ax.axvline(0.5, color="k", linestyle=":", linewidth=1)
    ax.set_xlabel(f"P({classes[1]}) given by the model")
    ax.set_ylabel("count")
    ax.set_title(title)
    ax.legend(fontsize=9)
    return save(run, name, fig)


def computation_graph(run: runs.Run, root, name: str = "graph") -> Path:
    """``<name>.dot`` and ``<name>.png`` of the graph behind engine Tensor ``root``: rendered by
    Graphviz when ``dot`` is on the PATH, else drawn here (columns from inputs to the result)."""
    from dlnd.engine import graph

    dot = graph.to_dot(root)
    (run.path / f"{name}.dot").write_text(dot)
    exe = shutil.which("dot")
    if exe is not None:
        done = subprocess.run([exe, "-Tpng"], input=dot.encode(), capture_output=True)
        if done.returncode == 0 and done.stdout.startswith(b"\x89PNG"):
            png = done.stdout
            out = run.path / f"{name}.png"
            runs.write_atomic(out, png)
            width, height = (int.from_bytes(png[i:i + 4], "big") for i in (16, 20))
            run.tb.image(name, png, width, height, 0)
            return out
        run.say(f"Graphviz could not render the graph ({done.stderr.decode().strip()[:200]}); "
                f"drawing it with matplotlib")
    return draw_graph(run, *graph.walk(root), graph.label, name)


def draw_graph(run: runs.Run, nodes: list, edges: list[tuple[int, int]], label, name: str
               ) -> Path:
    """A layered drawing: each operation one column right of its latest input, each input one
    column left of its first use; rows ordered to keep the arrows short."""
    parents: dict[int, list[int]] = {i: [] for i in range(len(nodes))}
    children: dict[int, list[int]] = {i: [] for i in range(len(nodes))}
    for a, b in edges:
        parents[b].append(a)
        children[a].append(b)
    column: dict[int, int] = {}

    def place(i: int) -> int:  # operations: after all their inputs (the graph is acyclic)
        if i not in column:
            ops = [place(p) for p in parents[i] if parents[p]]
            column[i] = max(ops, default=0) + 1
        return column[i]

    for i in range(len(nodes)):
        if parents[i]:
            place(i)
    for i in range(len(nodes)):
        if not parents[i]:  # an input: just before the first operation that uses it
            column[i] = min((column[c] for c in children[i]), default=1) - 1
    layers: dict[int, list[int]] = {}
    for i in sorted(column, key=column.get, reverse=True):
        layers.setdefault(column[i], []).append(i)
    row: dict[int, float] = {}
    for c in sorted(layers, reverse=True):  # from the result back to the inputs
        users = {i: [row[u] for u in children[i] if u in row] for i in layers[c]}
        layers[c].sort(key=lambda i: sum(users[i]) / len(users[i]) if users[i] else 0)
        for r, i in enumerate(layers[c]):
            row[i] = r - (len(layers[c]) - 1) / 2
    width = max(layers) - min(layers) + 1
    height = max(len(v) for v in layers.values())
    fig = figure(2.3 * width + 0.5, 0.95 * height + 0.9)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_xlim(min(layers) - 0.6, max(layers) + 0.6)
    ax.set_ylim(-height / 2, height / 2)
    boxes = {}
    for i, t in enumerate(nodes):
        param = t.is_leaf and t.requires_grad
        shape = "round,pad=0.4" if not t._op else "square,pad=0.4"
        colour = "#dbe9f6" if param else ("#f2f2f2" if t._op else "white")
        boxes[i] = ax.text(column[i], -row[i], label(t), ha="center", va="center", fontsize=8,
                           bbox={"boxstyle": shape, "fc": colour, "ec": "0.3"})
    for a, b in dict.fromkeys(edges):  # x * x: one arrow for both uses
        ax.annotate("", xy=(0, 0.5), xycoords=boxes[b], xytext=(1, 0.5), textcoords=boxes[a],
                    arrowprops={"arrowstyle": "->", "color": "0.35", "shrinkA": 4,
                                "shrinkB": 4})
    ax.set_title("Computation graph of one batch's loss (blue: parameters, boxes: operations)")
    return save(run, name, fig)


def save(run: runs.Run, name: str, fig, step: int = 0) -> Path:
    """``run.log_figure``, without matplotlib's layout warnings (a figure too small for its
    labels still saves, only more cramped: not worth a warning to someone training a model)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="matplotlib")
        return run.log_figure(name, fig, step)
