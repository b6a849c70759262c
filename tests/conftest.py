"""Shared fixtures. Prefect's environment is set here, before anything imports prefect."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_PREFECT_HOME = tempfile.mkdtemp(prefix="nb2flow-prefect-")
os.environ.update(
    PREFECT_HOME=_PREFECT_HOME,
    DO_NOT_TRACK="1",
    PREFECT_SERVER_ANALYTICS_ENABLED="false",
    PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="90",
    PREFECT_LOGGING_LEVEL="WARNING",
)
os.environ.pop("PREFECT_API_URL", None)

sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "examples"))


@pytest.fixture(scope="session")
def prefect_harness():
    """One ephemeral Prefect server for the whole session (10-15 s to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


@pytest.fixture
def run_flow(prefect_harness, monkeypatch):
    """Import a generated script and run its flow in ``cwd`` with keyword parameters."""

    def run(script: Path, cwd: Path, **params):
        from equivalence import load_script

        monkeypatch.chdir(cwd)
        module, flow = load_script(script)
        monkeypatch.setitem(sys.modules, "__main__", module)
        return flow(**params)

    return run


@pytest.fixture
def taxi_workdir(tmp_path: Path) -> Path:
    """A working directory with two months of synthetic green-taxi data under data/."""
    from make_taxi_data import write_months

    write_months(tmp_path / "data", [(2021, 1), (2021, 2)], rows=1500)
    return tmp_path
