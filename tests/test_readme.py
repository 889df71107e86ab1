"""The README's commands, run as a learner would type them, in the order it gives them.

Each ``dlnd ...`` line of the README's shell blocks runs through the CLI in a fresh folder and must
exit 0. Changes are only those that keep the test short, made by rule and listed here: training
commands get ``--quick`` (``course`` also ``--only bike-sharing``), and a sweep's trials train
one epoch (``--set epochs=1``: the course's 12-run char-rnn grid of quick runs took ~500 s alone,
and this test ~1,040 s of the suite's ~1,090 s on its CI worker); a run directory the README
names as an example (``runs/bike-sharing/20261128T...``, ``runs/bike-sharing/A``) stands for a run
made here (an interrupted one for ``--resume``); the files it names (``my.toml``, ``story.txt``)
are written first. Lines for other programs (``make``, ``tensorboard``) are skipped. The Python
block runs as written.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from dlnd.app import cli
from dlnd.core.runs import KILL_AFTER_STEP_ENV, find_runs

README = Path(__file__).resolve().parents[1] / "README.md"
TRAINING = {"run", "sweep", "course"}
EXAMPLE_RUN = re.compile(r"^runs/([a-z0-9-]+)/[A-Za-z0-9-]+$")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(), flags=re.S)


def readme_commands() -> list[list[str]]:
    """Every ``dlnd`` command line of the README's ``sh`` blocks, comments removed."""
    lines = [line for block in blocks("sh") for line in block.splitlines()]
    return [shlex.split(line, comments=True) for line in lines if line.startswith("dlnd ")]


def shortened(argv: list[str]) -> list[str]:
    """The command with ``--quick`` where it trains (the rule in the module docstring)."""
    command = argv[1]
    if command not in TRAINING or "--quick" in argv or "--resume" in argv or "--help" in argv:
        return argv
    extra = ["--quick"] + (["--only", "bike-sharing"] if command == "course" else [])
    if command == "sweep" and not any(arg.startswith("epochs=") for arg in argv):
        extra += ["--set", "epochs=1"]
    return argv + extra


def interrupted_run(project: str) -> Path:
    """A quick run SIGKILLed right after its first checkpoint, as ``--resume`` expects."""
    out = Path("killed")
    env = {**os.environ, KILL_AFTER_STEP_ENV: "0"}
    done = subprocess.run([sys.executable, "-m", "dlnd", "run", project, "--quick", "--out",
                           str(out)], env=env, capture_output=True, text=True)
    assert done.returncode == -9, done.stderr
    (run_dir,) = find_runs(out, project)
    return run_dir


def with_runs_made_here(argv: list[str]) -> list[str]:
    """Example run directories replaced by runs of the same project made in this folder."""
    resumed = "--resume" in argv
    result, used = [], set()
    for arg in argv:
        match = EXAMPLE_RUN.match(arg)
        if match and not Path(arg).exists():
            project = match.group(1)
            if resumed:
                arg = str(interrupted_run(project))
            else:  # e.g. `dlnd compare runs/bike-sharing/A runs/bike-sharing/B`
                arg = str(next(d for d in reversed(find_runs(Path("runs"), project))
                               if d not in used))
                used.add(Path(arg))
        result.append(arg)
    return result


def run_cli(argv: list[str]) -> int:
    with contextlib.suppress(SystemExit):  # `--help` prints and exits 0 through argparse
        return cli.main(argv)
    return 0


def test_the_readme_names_commands_to_check():
    commands = readme_commands()
    assert len(commands) >= 20
    assert {"run", "predict", "generate", "sweep", "compare", "course", "data"} <= \
        {argv[1] for argv in commands}


@pytest.mark.realdata
@pytest.mark.slow
def test_every_readme_command_works_as_written(tmp_path, monkeypatch, require_data, capsys):
    require_data("bike-sharing", "imdb", "simpsons", "mnist", "translation", "babi")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my.toml").write_text("hidden_nodes = 12\n")  # the README's `--config my.toml`
    (tmp_path / "story.txt").write_text("Mary moved to the bathroom.\nJohn went to the "
                                        "hallway.\n")  # and its `--story story.txt`
    failures = []
    for argv in readme_commands():
        command = with_runs_made_here(shortened(argv))
        code = run_cli(command[1:])
        if code != 0:
            failures.append(f"{shlex.join(argv)} -> exit {code}: {capsys.readouterr().err}")
    assert not failures, "\n".join(failures)


@pytest.mark.realdata
@pytest.mark.slow
def test_the_readme_python_example_runs(tmp_path, monkeypatch, require_data):
    require_data("bike-sharing")
    monkeypatch.chdir(tmp_path)
    (example,) = [b for b in blocks("python") if "import dlnd" in b]
    namespace: dict = {}
    exec(compile(example, str(README), "exec"), namespace)  # noqa: S102 - our own README
    assert namespace["model"].project == "bike-sharing"


def test_the_readme_times_table_is_the_one_bench_times_makes(bench_script):
    times = bench_script("times")
    results = README.parent / "bench" / "times.jsonl"
    lines = [json.loads(line) for line in results.read_text().splitlines()] \
        if results.exists() else []
    text = README.read_text()
    block = text.split(times.BEGIN, 1)[1].split(times.END, 1)[0]
    assert block.strip() == times.table(lines), "run `python bench/times.py --readme " \
        "bench/times.jsonl` after measuring"


def test_the_times_table_sums_the_course(bench_script):
    times = bench_script("times")
    lines = [{"project": "bike-sharing", "wall_s": 5.0, "metric": "val_loss", "value": 0.125,
              "passed": True},
             {"project": "char-rnn", "wall_s": 1800.0, "metric": "val_loss", "value": 1.2994,
              "passed": True}]
    rows = times.table(lines).splitlines()
    assert "| `bike-sharing` | 5.0 s | val_loss 0.125 | yes |" in rows
    assert "| `char-rnn` | 30.0 min | val_loss 1.299 | yes |" in rows
    missing = len(times.projects.PROJECTS) - 2
    assert rows[-1].startswith(f"| **`dlnd course`** (all of the above, one after the other) | "
                               f"**30.1 min** + {missing} not measured")
