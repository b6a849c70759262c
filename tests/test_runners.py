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
import threading
from pathlib import Path
from types import SimpleNamespace

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


def _task_states(flow_state) -> dict[str, str]:
    """Task name -> final state name ("Cached", "Completed") of a finished flow run."""
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    run_id = flow_state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run_id])))
    return {run.task_key.rsplit("-", 1)[0]: run.state.name for run in runs}


def test_cached_flow_reuses_finished_steps(tmp_path: Path, taxi_workdir: Path,
                                           run_flow) -> None:
    script = _script(tmp_path, "cached", ConvertOptions(cache=True))
    text = script.read_text()
    assert "cache_key_fn=content_key, persist_result=True" in text
    first_run = _task_states(run_flow(script, taxi_workdir, return_state=True))
    assert set(first_run.values()) == {"Completed"}
    first = _coefficients(taxi_workdir / MODEL)
    # The same parameters again, without the data: only cached results can supply it.
    shutil.rmtree(taxi_workdir / "data")
    (taxi_workdir / MODEL).unlink()
    second_run = _task_states(run_flow(script, taxi_workdir, return_state=True))
    # Training takes DataFrames and sparse matrices read back from the result store: the
    # content key matches, so every step but the one that writes the model is a cache hit.
    assert second_run == {"read_dataframe": "Cached", "feature_engineering": "Cached",
                          "training": "Cached", "saving_model": "Completed"}, second_run
    # Writing the model is an effect: never cached, so the file is written again.
    np.testing.assert_array_equal(_coefficients(taxi_workdir / MODEL), first)


def test_content_key_is_stable_for_equal_data() -> None:
    """The generated cache key: equal DataFrames/arrays/sparse matrices, equal keys."""
    import pandas as pd
    from scipy import sparse

    from nb2flow.plan.helpers import content_key

    namespace: dict = {}
    exec("import hashlib\nimport inspect\nfrom prefect.utilities.hashing import hash_objects\n"
         + content_key(), namespace)

    def step(df, m):
        return df, m

    def other_step(df, m):
        return m, df

    def key(values, fn=step):
        return namespace["content_key"](SimpleNamespace(task=SimpleNamespace(fn=fn)), values)

    df = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    matrix = sparse.random(50, 8, density=0.2, format="csr", random_state=1)
    values = {"df": df, "m": matrix, "y": df["a"].to_numpy(), "n": 3, "both": (df, matrix)}
    copies = {"df": df.copy(), "m": matrix.copy().tocoo(), "y": df["a"].to_numpy().copy(),
              "n": 3, "both": (df.copy(), matrix.copy())}
    assert key(values) == key(copies)
    assert key(values) != key(dict(copies, df=df.assign(a=[1, 2, 4])))  # other data
    assert key(values) != key(values, fn=other_step)  # other code
    assert key({"lock": threading.Lock()}) is None  # cannot be hashed: no caching


def test_ray_flow_trains_the_same_model(tmp_path: Path, taxi_workdir: Path) -> None:
    """``--task-runner ray``: skipped unless ``pip install -e '.[ray]'`` (Ray is a
    separate runtime of several hundred MB; CI installs ``.[dev,dask]`` only)."""
    pytest.importorskip("prefect_ray", reason="the [ray] extra is not installed")
    script = _script(tmp_path, "taxi_ray", ConvertOptions(task_runner="ray"))
    assert "RayTaskRunner" in script.read_text()
    work = tmp_path / "run_ray"
    shutil.copytree(taxi_workdir / "data", work / "data")
    _run_script(script, work)
    plain = _script(tmp_path, "taxi_plain", ConvertOptions(sequential=True))
    reference = tmp_path / "run_plain"
    shutil.copytree(taxi_workdir / "data", reference / "data")
    _run_script(plain, reference)
    np.testing.assert_array_equal(_coefficients(work / MODEL), _coefficients(reference / MODEL))
