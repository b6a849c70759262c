"""Shared fixtures. Prefect's environment is set here, before anything imports prefect."""

from __future__ import annotations

import importlib.util
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
        monkeypatch.chdir(cwd)
        name = f"nb2flow_generated_{abs(hash((str(script), script.read_text())))}"
        spec = importlib.util.spec_from_file_location(name, script)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        # `python script.py` defines the script's classes in __main__, as the notebook does:
        # pickles written by the flow and by the notebook then name the same module.
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == name:
                value.__module__ = "__main__"
        monkeypatch.setitem(sys.modules, "__main__", module)
        flows = [
            v for v in vars(module).values()
            if type(v).__name__ == "Flow" and getattr(v, "fn", None) is not None
        ]
        assert len(flows) == 1, f"expected one flow in {script}, found {flows}"
        return flows[0](**params)

    return run


@pytest.fixture
def taxi_workdir(tmp_path: Path) -> Path:
    """A working directory with two months of synthetic green-taxi data under data/."""
    from make_taxi_data import write_months

    write_months(tmp_path / "data", [(2021, 1), (2021, 2)], rows=1500)
    return tmp_path
