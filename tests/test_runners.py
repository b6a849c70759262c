"""Generated flows that use the machine: concurrent submission, Dask, and caching.

The example notebook is converted three ways (concurrent by default, ``--sequential``,
``--task-runner dask`` on a local Dask cluster of worker processes) and each flow trains the
same model as the others; with ``--cache`` a second run with the same parameters reuses
the finished steps (it even runs without the data files) but still writes the model.
"""

from __future__ import annotations

import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nb2flow.pipeline import ConvertOptions, convert

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "notebooks" / "duration_prediction.ipynb"
MODEL = Path("models") / "lin_reg.bin"
pytestmark = pytest.mark.slow


def _script(folder: Path, name: str, options: ConvertOptions) -> Path:
    notebook = folder / f"{name}.ipynb"
    shutil.copy(EXAMPLE, notebook)
    return convert(notebook, options).script


def _coefficients(model_file: Path) -> np.ndarray:
    with open(model_file, "rb") as f:
        dv, lr = pickle.load(f)
    return np.append(lr.coef_, lr.intercept_)


def _run_script(script: Path, work: Path) -> None:
    """``python script.py`` as a user runs it: Dask's worker processes import ``__main__``."""
    result = subprocess.run([sys.executable, str(script)], cwd=work, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_concurrent_sequential_and_dask_flows_train_the_same_model(
    tmp_path: Path, taxi_workdir: Path, run_flow
) -> None:
    variants = {
        "concurrent": ConvertOptions(),
        "sequential": ConvertOptions(sequential=True),
        "dask": ConvertOptions(task_runner="dask"),
    }
    models = {}
    for name, options in variants.items():
        script = _script(tmp_path, f"taxi_{name}", options)
        text = script.read_text()
        if name == "sequential":
            assert ".submit(" not in text
        else:
            assert "read_dataframe.submit(train_path)" in text
        work = tmp_path / f"run_{name}"
        shutil.copytree(taxi_workdir / "data", work / "data")
        if name == "dask":  # a local Dask cluster of worker processes
            assert "task_runner=DaskTaskRunner(" in text
            _run_script(script, work)
        else:
            run_flow(script, work)
        models[name] = _coefficients(work / MODEL)
    np.testing.assert_array_equal(models["concurrent"], models["sequential"])
    np.testing.assert_array_equal(models["dask"], models["sequential"])


def test_cached_flow_reuses_finished_steps(tmp_path: Path, taxi_workdir: Path, run_flow) -> None:
    script = _script(tmp_path, "cached", ConvertOptions(cache=True))
    text = script.read_text()
    assert "cache_policy=INPUTS + TASK_SOURCE" in text and "persist_result=True" in text
    run_flow(script, taxi_workdir)
    first = _coefficients(taxi_workdir / MODEL)
    # The same parameters again, without the data: only cached results can supply it.
    shutil.rmtree(taxi_workdir / "data")
    (taxi_workdir / MODEL).unlink()
    run_flow(script, taxi_workdir)
    # Writing the model is an effect: never cached, so the file is written again.
    np.testing.assert_array_equal(_coefficients(taxi_workdir / MODEL), first)
