"""Every registered project runs end to end in --quick mode on the real data."""

import math

import pytest

import dlnd
from dlnd import projects
from dlnd.core.runs import read_metrics


@pytest.mark.realdata
@pytest.mark.parametrize("name", list(projects.PROJECTS))
def test_quick_run(name, tmp_path, require_data):
    project = projects.get(name)
    require_data(*project.datasets)
    summary = dlnd.run(name, quick=True, out=tmp_path, verbose=False)
    assert summary["status"] == "completed"
    assert summary["metrics"] and all(math.isfinite(v) for v in summary["metrics"].values())
    assert project.primary_metric in summary["metrics"]
    assert read_metrics(summary["run_dir"])
    assert dlnd.load(summary["run_dir"]) is not None
