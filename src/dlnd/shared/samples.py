"""What a generative model writes as it learns: after each epoch, a sample from the network as
trained so far, in TensorBoard's Text dashboard (one entry per epoch, with a slider) and in the
run's ``samples.md``. Watching gibberish turn into words is the lesson of char-rnn and
tv-script."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable
from typing import Any

from dlnd.core import runs


def each_epoch(run: runs.Run, write: Callable[[Any], str], *, after: str = "val/loss",
               model: str = "model", name: str = "samples") -> None:
    """Once ``after`` is logged for an epoch, ``write(network)`` is called with a CPU copy of
    the network the run tracks as ``model`` (set to eval mode; training goes on with its own,
    untouched) and its text is logged. The copy samples with its own generator, so training
    draws the same random numbers as without samples. Call before training starts; a hook the
    run already has (a sweep's pruner) still runs first."""
    previous = run.on_metric

    def on_metric(metric: str, value: float, step: int) -> None:
        if previous is not None:
            previous(metric, value, step)
        if metric != after:
            return
        network = run.tracked(model)  # the network the project trains (lm.fit makes it)
        if network is None:
            return
        snapshot = copy.deepcopy(network).to("cpu").eval()
        with warnings.catch_warnings():  # e.g. a prime word a tiny corpus lacks: not news here
            warnings.simplefilter("ignore")
            text = write(snapshot)
        run.tb.text(name, f"epoch {step + 1}, {after} {value:.4g}:\n\n```\n{text}\n```", step)
        with open(run.path / f"{name}.md", "a", encoding="utf-8") as out:
            out.write(f"## epoch {step + 1} ({after} {value:.4g})\n\n```\n{text}\n```\n\n")

    run.on_metric = on_metric
