"""The MLOps Zoomcamp orchestration notebook (issue 15's worked example), converted and run.

``tests/notebooks/zoomcamp/orchestration_taxi.ipynb`` is the course's
``duration_prediction_original.ipynb`` (DataTalksClub/mlops-zoomcamp, commit 86e42886,
``cohorts/2023/03-orchestration/prefect/3.3/``) with its outputs removed. The course's
hand-written flow of it reads the data (with retries), adds the features and trains the
XGBoost model it logs to MLflow with the pickled preprocessor.

- Static: what ``build`` keeps and what it reports, by default and with
  ``keep_experiments``.
- Runs (slow; one xdist group, so the notebook runs once for both flows). The oracle is the
  notebook run top to bottom in a real kernel (nbclient), on synthetic green-taxi months
  (``examples/make_taxi_data.py``, written as the CSV files the notebook reads), in a folder
  of its own with its own ``sqlite:///mlflow.db``. After each cell the test reads that
  database, so every MLflow run is attributed to the cell that logged it. Each flow runs as
  ``python script.py`` against the session's Prefect server, in another folder prepared the
  same way (without the ``models/`` folder the author had made by hand). Every file, printed
  line and MLflow run of the notebook (its parameters, user tags, latest metrics, artifacts
  with their bytes, logged models with their files) must be the flow's, except those of a
  cell nb2flow reported dropping; and the flow must log nothing more.

The notebook was written for 2022's libraries. Three settings, the same for the kernel and
for the flows' processes, make it run today, and run the same way twice:

- ``mean_squared_error(..., squared=False)`` is gone from scikit-learn (1.6): a
  ``sitecustomize`` on ``PYTHONPATH`` gives the keyword back (the root of the error).
- ``HYPEROPT_FMIN_SEED``: hyperopt's documented seed of ``fmin`` without ``rstate``, so the
  50 search runs draw the same parameters in the notebook and in the flow.
- ``OMP_NUM_THREADS=1``: XGBoost on 300 trips is tens of times slower with threads on a
  loaded 2-core machine.

Estimators built without a seed (the model zoo's scikit-learn models log
``random_state: None``) are compared by what they log, not by their metric values or the
bytes of their models, which change from one run to the next.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import shutil
import sqlite3
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest
from equivalence import assert_same_effects, reported_drops, run_notebook, run_script
from notebook_runner import ROOT
from typer.testing import CliRunner

from nb2flow.cli import app
from nb2flow.options import ConvertOptions
from nb2flow.pipeline import build

NOTEBOOK = ROOT / "tests" / "notebooks" / "zoomcamp" / "orchestration_taxi.ipynb"
ROWS = 300  # trips a month
LASSO, SEARCH, FINAL, ZOO = 16, 22, 24, 26  # cells (numbered from 1, markdown included)
ZOO_MODELS = ("RandomForestRegressor", "GradientBoostingRegressor", "ExtraTreesRegressor",
              "LinearSVR")
SITECUSTOMIZE = '''\
import inspect

import sklearn.metrics as _metrics

_mean_squared_error = _metrics.mean_squared_error
if "squared" not in inspect.signature(_mean_squared_error).parameters:
    def mean_squared_error(y_true, y_pred, *, squared=True, **kwargs):
        value = _mean_squared_error(y_true, y_pred, **kwargs)
        return value if squared else value ** 0.5

    _metrics.mean_squared_error = mean_squared_error
'''


def _copy(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(NOTEBOOK, folder / NOTEBOOK.name))


# ------------------------------------------------------------------ static


def test_default_conversion_is_the_course_pipeline(tmp_path: Path) -> None:
    result = build(_copy(tmp_path))
    tasks = {t.name: t for t in result.flow.tasks}
    assert list(tasks) == ["read_dataframe", "configure_mlflow", "build_features",
                           "train_model"]
    assert tasks["read_dataframe"].from_function and tasks["read_dataframe"].retries
    assert "@task(retries=3, retry_delay_seconds=2)\ndef read_dataframe(filename):" in result.text
    assert [c.func for c in result.flow.body].count("read_dataframe") == 2
    # the course's add_features returns X_train, X_val, y_train, y_val, dv
    assert set(tasks["build_features"].outputs) == {"X_train", "X_val", "y_train", "y_val", "dv"}
    train = tasks["train_model"].body
    for needle in ("xgb.train(", "mlflow.log_params(best_params)", 'mlflow.log_metric("rmse"',
                   "pickle.dump(dv, f_out)", "mlflow.log_artifact(preprocessor_path",
                   "mlflow.xgboost.log_model(booster"):
        assert needle in train, needle
    params = {p.name: p.default for p in result.flow.params}
    assert params["train_path"] == "./data/green_tripdata_2021-01.csv"
    assert params["val_path"] == "./data/green_tripdata_2021-02.csv"
    for gone in ("Lasso", "LinearRegression", "fmin", "RandomForestRegressor", "autolog()",
                 "lin_reg", "seaborn"):
        assert gone not in result.text, gone
    reasons = reported_drops(result)
    assert any("experiment" in r and "(Lasso)" in r and "never saved" in r
               for r in reasons[LASSO]), reasons[LASSO]
    assert any("hyperparameter search (fmin)" in r for r in reasons[SEARCH]), reasons[SEARCH]
    assert any("experiment: a loop trains " + ", ".join(ZOO_MODELS) in r
               for r in reasons[ZOO]), reasons[ZOO]


def test_inspect_names_the_experiments(tmp_path: Path) -> None:
    out = CliRunner().invoke(app, ["inspect", str(_copy(tmp_path)), "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    cells = {c["cell"]: c for c in data["cells"]}
    assert cells[LASSO]["status"] == "dropped"
    # the zoo's cell keeps only its import lines (which the script then leaves out: unused)
    assert {k["decision"] for k in cells[ZOO]["kept_lines"]} == {"import"}
    for cell, name in ((LASSO, "Lasso"), (ZOO, "RandomForestRegressor")):
        assert any("experiment" in d["reason"] and name in d["reason"]
                   for d in cells[cell]["dropped_lines"]), cells[cell]
    assert cells[FINAL]["status"] == "kept"
    assert not list(tmp_path.glob("*.py"))


def test_keep_experiments_brings_them_back(tmp_path: Path) -> None:
    result = build(_copy(tmp_path), ConvertOptions(keep_experiments=True))
    tasks = {t.name: t for t in result.flow.tasks}
    assert list(tasks) == ["read_dataframe", "configure_mlflow", "build_features",
                           "train_linear_regression", "train_lasso", "search_hyperparameters",
                           "train_xgboost", "train_models"]
    assert "Lasso(alpha)" in tasks["train_lasso"].body
    assert "fmin(" in tasks["search_hyperparameters"].body
    assert "mlflow.sklearn.autolog()" in tasks["train_models"].body
    assert all(m in tasks["train_models"].body for m in ZOO_MODELS)
    assert not any("experiment" in d.reason for d in result.flow.dropped)


# ------------------------------------------------------------------ runs


@pytest.fixture(scope="module")
def environment(tmp_path_factory) -> dict[str, str]:
    """What the kernel and the flows' processes get (see the module's docstring)."""
    import os

    compat = tmp_path_factory.mktemp("compat")
    (compat / "sitecustomize.py").write_text(SITECUSTOMIZE)
    path = os.pathsep.join(p for p in (str(compat), os.environ.get("PYTHONPATH")) if p)
    return {"PYTHONPATH": path, "HYPEROPT_FMIN_SEED": "15", "OMP_NUM_THREADS": "1",
            "GIT_PYTHON_REFRESH": "quiet"}


def prepare(folder: Path, models_folder: bool) -> Path:
    from make_taxi_data import make_month

    (folder / "data").mkdir(parents=True)
    for month in (1, 2):
        make_month(2021, month, ROWS).to_csv(
            folder / "data" / f"green_tripdata_2021-{month:02d}.csv", index=False)
    if models_folder:  # the author made it by hand; a flow must make it itself
        (folder / "models").mkdir()
    return folder


def _connect(db: Path):
    return closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True))


def run_ids(db: Path) -> list[str]:
    if not db.exists():
        return []
    with _connect(db) as con:
        try:
            return [run for (run,) in con.execute("SELECT run_uuid FROM runs")]
        except sqlite3.OperationalError:  # the tables are not made yet
            return []


def _files(folder: Path) -> dict[str, str]:
    """File -> sha256 of its bytes; an MLmodel file -> its flavors (the rest are ids)."""
    from ruamel.yaml import YAML

    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if path.name == "MLmodel":
            flavors = YAML(typ="safe").load(path.read_text())["flavors"]
            out[name] = json.dumps(flavors, sort_keys=True, default=str)
        else:
            out[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def logged_runs(db: Path) -> dict[str, dict]:
    """Every MLflow run in the database: run id -> what it logged (system tags left out)."""
    with _connect(db) as con:
        runs = {run: {"params": {}, "tags": {}, "metrics": {}, "models": {},
                      "artifacts": _files(Path(uri.removeprefix("file://")))}
                for run, uri in con.execute("SELECT run_uuid, artifact_uri FROM runs")}
        for table, field in (("params", "params"), ("tags", "tags"),
                             ("latest_metrics", "metrics")):
            for key, value, run in con.execute(f"SELECT key, value, run_uuid FROM {table}"):
                if not key.startswith("mlflow."):
                    runs[run][field][key] = value
        for run, name, location in con.execute(
                "SELECT source_run_id, name, artifact_location FROM logged_models"):
            runs[run]["models"][name] = _files(Path(location.removeprefix("file://")))
    for info in runs.values():
        if info["params"].get("random_state") == "None":  # unseeded: names, not values
            info["metrics"] = dict.fromkeys(info["metrics"])
            info["artifacts"] = dict.fromkeys(info["artifacts"])
            info["models"] = {k: dict.fromkeys(v) for k, v in info["models"].items()}
    return runs


@dataclasses.dataclass
class NotebookRun:
    folder: Path
    effects: object
    cells: dict[str, int]  # MLflow run id -> the cell that logged it


@pytest.fixture(scope="module")
def notebook_run(tmp_path_factory, environment) -> NotebookRun:
    folder = prepare(tmp_path_factory.mktemp("notebook"), models_folder=True)
    cells: dict[str, int] = {}

    def after_cell(number: int) -> None:
        for run in run_ids(folder / "mlflow.db"):
            cells.setdefault(run, number)

    with pytest.MonkeyPatch.context() as patch:  # the kernel's environment
        for key, value in environment.items():
            patch.setenv(key, value)
        effects = run_notebook(NOTEBOOK, folder, after_cell=after_cell)
    return NotebookRun(folder, effects, cells)


def _without_mlflow_store(effects):
    """Files and prints; the MLflow store (database, artifacts) is compared run by run.
    Progress bars (hyperopt's tqdm redraws: `` 12%|█▏  | 6/50 [...``) are a
    display of the search's progress, not a result: they are left out on both sides."""
    bar = re.compile(r"^\s*\d+%\|.*\|\s*\d+/\d+ \[")
    files = {k: v for k, v in effects.files.items()
             if k != "mlflow.db" and not k.startswith("mlruns/")}
    prints = [p for p in effects.prints if not bar.match(str(p).lstrip("\r"))]
    return dataclasses.replace(effects, files=files, prints=prints)


def compare_runs(notebook: NotebookRun, flow_db: Path, result) -> tuple[list[str], Counter]:
    """(unexplained differences, cell -> number of notebook runs nb2flow reported dropping)."""
    drops = reported_drops(result)
    ours = logged_runs(notebook.folder / "mlflow.db")
    pool = list(logged_runs(flow_db).values())
    wrong: list[str] = []
    excused: Counter = Counter()
    # runs of kept cells first: a dropped cell's run must not take another's match
    for run in sorted(ours, key=lambda r: bool(drops.get(notebook.cells[r]))):
        info, cell = ours[run], notebook.cells[run]
        if info in pool:
            pool.remove(info)
        elif drops.get(cell):
            excused[cell] += 1
        else:
            wrong.append(f"cell {cell} logged {info}; the flow did not")
    wrong += [f"the flow logged {info}; the notebook did not" for info in pool]
    return wrong, excused


def run_converted(tmp_path: Path, environment: dict, keep_experiments: bool):
    notebook = _copy(tmp_path / "src")
    result = build(notebook, ConvertOptions(keep_experiments=keep_experiments))
    script = notebook.with_suffix(".py")
    script.write_text(result.text)
    folder = prepare(tmp_path / "flow", models_folder=False)
    return result, folder, run_script(script, folder, env=environment)


@pytest.mark.slow
@pytest.mark.xdist_group("orchestration")  # one worker: the notebook runs once
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("keep", [False, True], ids=["default", "keep_experiments"])
def test_flow_logs_what_the_notebook_logs(keep: bool, tmp_path: Path, notebook_run,
                                          environment, prefect_harness) -> None:
    result, folder, flowed = run_converted(tmp_path, environment, keep)

    assert_same_effects(_without_mlflow_store(notebook_run.effects),
                        _without_mlflow_store(flowed), result, context=str(keep))
    wrong, excused = compare_runs(notebook_run, folder / "mlflow.db", result)
    assert wrong == []
    flow_runs = list(logged_runs(folder / "mlflow.db").values())
    if keep:
        assert excused == Counter() and len(flow_runs) == 1 + 50 + 1 + len(ZOO_MODELS)
        return
    # the experiments ran in the notebook, and only there
    assert excused == Counter({LASSO: 1, SEARCH: 50, ZOO: len(ZOO_MODELS)})
    [booster] = flow_runs
    assert set(booster["metrics"]) == {"rmse"}
    assert booster["params"]["max_depth"] == "30" and booster["params"]["seed"] == "42"
    assert set(booster["artifacts"]) == {"preprocessor/preprocessor.b"}
    model = booster["models"]["models_mlflow"]
    assert "xgboost" in json.loads(model["MLmodel"]) and "model.ubj" in model
    final = [r for r, c in notebook_run.cells.items() if c == FINAL]
    assert len(final) == 1
    expected = logged_runs(notebook_run.folder / "mlflow.db")[final[0]]
    assert booster["metrics"]["rmse"] == expected["metrics"]["rmse"]
    assert (folder / "models" / "preprocessor.b").read_bytes() == (
        notebook_run.folder / "models" / "preprocessor.b").read_bytes()
