"""Shared fixtures. Real-data tests use ``real_data``: they skip, with the reason, when the
datasets are not available (set DLND_DATA_DIR to a folder holding them, as CI does)."""

import importlib.util
import os
from pathlib import Path

import pytest

from dlnd.core import datasets


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory, monkeypatch):
    """Never touch the user's cache; never try the network unless a test asks for it."""
    monkeypatch.setenv("DLND_CACHE", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("settings")))
    monkeypatch.setenv("DLND_OFFLINE", "1")


def _require_data(*names: str) -> None:
    for name in names:
        statuses = datasets.status(name, check=False)
        if not all(s.path is not None or s.file.optional for s in statuses):
            where = os.environ.get("DLND_DATA_DIR", "<unset>")
            pytest.skip(f"real data {name!r} not found (DLND_DATA_DIR={where}); "
                        f"run with DLND_DATA_DIR=../shared/data or `dlnd data fetch {name}`")


@pytest.fixture
def require_data():
    """Call with dataset names: skips the test, with the reason, unless they are all here."""
    return _require_data


@pytest.fixture
def bench_script():
    """Call with a script's name: ``bench/NAME.py`` as a module (bench/ is no package)."""
    def load(name: str):
        path = Path(__file__).resolve().parents[1] / "bench" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    return load


@pytest.fixture
def hour_csv():
    _require_data("bike-sharing")
    return Path(datasets.path("bike-sharing", "hour.csv"))


@pytest.fixture(autouse=True, scope="session")
def one_torch_thread_per_test_worker():
    """Under pytest-xdist every worker is a process: one torch thread each, so that two workers
    on two cores do not oversubscribe them (a run that sets ``threads`` still sets its own)."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        import torch

        torch.set_num_threads(1)
        os.environ["OMP_NUM_THREADS"] = "1"  # and in the dlnd processes a test starts


LONGEST = "test_readme.py::test_every_readme_command_works_as_written"


def pytest_collection_modifyitems(items):
    """The longest test (every README command, ~15 minutes on 2 cores) goes first, so that under
    pytest-xdist one worker runs it while the other runs the rest, instead of it starting last
    and running alone."""
    items.sort(key=lambda item: not item.nodeid.endswith(LONGEST))
