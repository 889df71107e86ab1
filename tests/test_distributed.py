"""Several processes under torchrun, on the CPU (gloo): the same command as a single-process run
trains a text model with DistributedDataParallel and leaves one run record where users look."""

import json
import os
import subprocess
import sys

import pytest

import dlnd
from dlnd.core.runs import KILL_AFTER_STEP_ENV, find_runs, read_metrics

SUMMARY_KEYS = {"project", "run_dir", "status", "metrics", "target", "criteria", "passed",
                "wall_s", "device", "config", "versions", "git_commit", "finished"}
PROCESSES = 2

CASES = {
    "char-rnn": ("char-rnn", "anna", []),
    # A tail cluster of 13 rare words and windows of 16 x 4 tokens: most steps leave its
    # parameters out of the loss, which DistributedDataParallel refuses unless the loss keeps
    # every parameter in use.
    "tv-script-rare-word-cluster": ("tv-script", "simpsons",
                                    ["--set", "softmax_cutoffs=200,850", "--set", "seq_len=4"]),
}


def torchrun(project: str, out, settings: list[str], env=None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               "--nproc_per_node", str(PROCESSES), "-m", "dlnd", "run", project, *settings]
    if "--resume" not in settings:
        command += ["--quick", "--set", "device=cpu", "--out", str(out)]
    return subprocess.run(command, capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})})


@pytest.mark.realdata
@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_torchrun_trains_on_several_processes_and_leaves_one_run(case, tmp_path, require_data):
    project, dataset, settings = CASES[case]
    require_data(dataset)
    done = torchrun(project, tmp_path, settings)
    assert done.returncode == 0, done.stderr[-3000:]

    (run_dir,) = find_runs(tmp_path, project)  # rank 0's, where users look
    summary = json.loads((run_dir / "summary.json").read_text())
    assert SUMMARY_KEYS <= summary.keys() and summary["status"] == "completed"
    assert summary["run_dir"] == str(run_dir)
    assert summary["device"].endswith(f"{PROCESSES} processes")
    steps = {m["step"] for m in read_metrics(run_dir) if m["name"] == "val/loss"}
    assert steps == set(range(summary["config"]["epochs"]))

    (other,) = find_runs(tmp_path / ".ranks" / "rank1", project)  # out of sight
    other_summary = json.loads((other / "summary.json").read_text())
    timed = {"train_s", "tokens_per_s"}
    assert ({k: v for k, v in other_summary["metrics"].items() if k not in timed}
            == {k: v for k, v in summary["metrics"].items() if k not in timed})  # one model

    assert dlnd.load(run_dir).generate(length=10, seed=1)


@pytest.mark.realdata
@pytest.mark.slow
def test_a_killed_torchrun_job_resumes_with_the_same_command(tmp_path, require_data):
    require_data("anna")
    killed = torchrun("char-rnn", tmp_path, [], env={KILL_AFTER_STEP_ENV: "0"})
    assert killed.returncode != 0
    (run_dir,) = find_runs(tmp_path, "char-rnn")
    assert not (run_dir / "summary.json").exists()
    done = torchrun("char-rnn", tmp_path, ["--resume", str(run_dir)])
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["status"] == "completed" and summary["device"].endswith("2 processes")
