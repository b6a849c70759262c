"""The example notebook, converted, gives what the notebook gives: same model, same RMSE.

The whole notebook runs with nbclient in one folder, the generated flow under a real Prefect
run in another, on the same synthetic taxi data (``equivalence.py``: every other difference
must be one nb2flow reported).
"""

from __future__ import annotations

import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from equivalence import assert_same_effects, run_flow, run_notebook
from sklearn.metrics import root_mean_squared_error

from nb2flow.pipeline import convert

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "notebooks" / "duration_prediction.ipynb"
pytestmark = pytest.mark.slow


def _prepare(src: Path, dst: Path) -> None:
    shutil.copytree(src / "data", dst / "data")


def _predictions(model_file: Path, val: Path) -> tuple[np.ndarray, float]:
    with open(model_file, "rb") as f:
        dv, lr = pickle.load(f)
    df = pd.read_parquet(val)
    df["duration"] = (df.lpep_dropoff_datetime - df.lpep_pickup_datetime).dt.total_seconds() / 60
    df = df[(df.duration >= 1) & (df.duration <= 60)].copy()
    for c in ("PULocationID", "DOLocationID"):
        df[c] = df[c].astype(str)
    df["PU_DO"] = df["PULocationID"] + "_" + df["DOLocationID"]
    pred = lr.predict(dv.transform(df[["PU_DO", "trip_distance"]].to_dict(orient="records")))
    return pred, root_mean_squared_error(df.duration.values, pred)


def test_flow_reproduces_the_notebook(tmp_path: Path, taxi_workdir: Path,
                                      prefect_harness) -> None:
    work = tmp_path / "project"
    (work / "notebooks").mkdir(parents=True)
    notebook = work / "notebooks" / EXAMPLE.name
    shutil.copy(EXAMPLE, notebook)
    result = convert(notebook)
    script = result.script

    nb_dir, flow_dir = tmp_path / "nb_run", tmp_path / "flow_run"
    for d in (nb_dir, flow_dir):
        d.mkdir()
        _prepare(taxi_workdir, d)
    (nb_dir / "models").mkdir()  # the author made it by hand; the flow must make it itself
    ran = run_notebook(notebook, nb_dir)
    excused = assert_same_effects(ran, run_flow(script, flow_dir), result)
    # what nb2flow left out: the Lasso experiment's score and the exploration prints
    assert all(e.what.startswith("print ") for e in excused), excused
    printed = ran.prints

    model = Path("models") / "lin_reg.bin"
    assert (flow_dir / model).exists(), "the flow did not create models/ and write the model"
    val = taxi_workdir / "data" / "green_tripdata_2021-02.parquet"
    nb_pred, nb_rmse = _predictions(nb_dir / model, val)
    flow_pred, flow_rmse = _predictions(flow_dir / model, val)
    np.testing.assert_allclose(flow_pred, nb_pred, rtol=1e-9)
    assert flow_rmse == pytest.approx(nb_rmse, rel=1e-12)
    assert any(f"{nb_rmse:.4f}" in text for text in printed), printed


def test_script_help_and_non_default_parameters(tmp_path: Path, taxi_workdir: Path,
                                                run_flow) -> None:
    notebook = tmp_path / EXAMPLE.name
    shutil.copy(EXAMPLE, notebook)
    script = convert(notebook).script
    help_text = subprocess.run([sys.executable, str(script), "--help"], capture_output=True,
                               text=True, check=True).stdout
    assert "--train-path" in help_text and "--val-path" in help_text
    assert "default: data/green_tripdata_2021-01.parquet" in " ".join(help_text.split())

    out = taxi_workdir / "elsewhere" / "model.bin"
    run_flow(script, taxi_workdir,
             train_path="data/green_tripdata_2021-02.parquet",
             val_path="data/green_tripdata_2021-01.parquet",
             **{_model_param(script): str(out)})
    assert out.exists()
    swapped, _ = _predictions(out, taxi_workdir / "data" / "green_tripdata_2021-01.parquet")
    assert swapped.shape[0] > 100


def _model_param(script: Path) -> str:
    """The flow parameter that holds the model path (named from the notebook's file name)."""
    text = script.read_text()
    for line in text.splitlines():
        if '= "models/' in line and ":" in line:
            return line.strip().split(":")[0]
    raise AssertionError("no model path parameter in the flow signature")
