"""The golden cases (``golden/cases``) executed, not only compared as text.

Each case's notebook runs whole in a kernel (nbclient) in one folder; its script, built with
the case's own options (``--subflows``, ``--date-params``, ``--data-dir`` ...), runs in
another folder with the same input data but without the folders the notebook's author made
by hand (the flow must make them). The flow runs twice: under the hostile stand-in
scheduler of ``flowrun.py`` (not for ``--date-params``, which reads the run's scheduled
time) and under Prefect on the session's test server. Any difference
from the notebook must be one nb2flow reported (``equivalence.py``).

Two cases cannot run here, and say why: ``secrets`` talks to AWS S3 and a PostgreSQL server;
``monthly_mlflow`` needs MLflow, which the dev dependencies do not install.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from equivalence import assert_same_effects, run_flow, run_notebook
from flowrun import flow_effects
from test_golden import CASES, case_options, notebook_from_case

from nb2flow.pipeline import build

pytestmark = pytest.mark.slow


def _taxi(folder: Path, months, duration: bool = False) -> None:
    from make_taxi_data import write_months

    for path in write_months(folder / "data", months, rows=600):
        if duration:  # the monthly cases read a prepared `duration` column
            df = pd.read_parquet(path)
            df["duration"] = (df.lpep_dropoff_datetime
                              - df.lpep_pickup_datetime).dt.total_seconds() / 60
            df.to_parquet(path)


def _csv(folder: Path) -> None:
    (folder / "data").mkdir(parents=True, exist_ok=True)
    rows = "\n".join(f"{i / 10},{i * 3 % 7}" for i in range(12))
    (folder / "data" / "input.csv").write_text("a,b\n" + rows + "\n")


def _iris(folder: Path) -> None:
    from sklearn.datasets import load_iris

    (folder / "data").mkdir(parents=True, exist_ok=True)
    frame = load_iris(as_frame=True).frame.rename(columns={"target": "species"})
    frame.to_csv(folder / "data" / "iris.csv", index=False)


#: case -> (how to prepare its input data, folders the author made by hand)
SETUP = {
    "caps_settings": (_iris, ["models"]),
    "headless_cells": (None, ["outputs"]),
    "hyperparameter_search": (None, ["models"]),
    "monthly_paths_in_parameters": (lambda d: _taxi(d, [(2021, 1), (2021, 2)], True),
                                    ["models"]),
    "params_and_magics": (_csv, []),
    "sections_subflows": (None, ["out"]),
    "tags_and_functions": (None, []),
    "taxi_headings": (lambda d: _taxi(d, [(2021, 1), (2021, 2)]), ["models"]),
}
CANNOT_RUN = {
    "secrets": "writes to AWS S3 and a PostgreSQL server: no such services in tests",
    "monthly_mlflow": "needs MLflow, which the dev dependencies do not install",
}


def test_every_case_is_run_or_says_why() -> None:
    assert {c.stem for c in CASES} == set(SETUP) | set(CANNOT_RUN)


def _prepare(folder: Path, stem: str, with_folders: bool) -> Path:
    make, folders = SETUP[stem]
    folder.mkdir(parents=True)
    if make:
        make(folder)
    if with_folders:
        for name in folders:
            (folder / name).mkdir()
    return folder


@pytest.mark.parametrize("case", [c for c in CASES if c.stem in SETUP], ids=lambda c: c.stem)
def test_golden_case_flow_computes_what_its_notebook_computes(
        case: Path, tmp_path: Path, prefect_harness) -> None:
    notebook = notebook_from_case(case, tmp_path / "src")
    result = build(notebook, case_options(case))
    script = notebook.with_suffix(".py")
    script.write_text(result.text)
    ran = run_notebook(notebook, _prepare(tmp_path / "nb", case.stem, with_folders=True))
    assert ran.files or ran.prints, "the notebook did nothing: nothing to compare"
    if "date_params=true" not in case.read_text().splitlines()[0]:
        # --date-params reads the run's scheduled time: only inside a real flow run
        stand_in = flow_effects(script, _prepare(tmp_path / "stand-in", case.stem, False))
        assert_same_effects(ran, stand_in, result, context="stand-in")
    prefect = run_flow(script, _prepare(tmp_path / "prefect", case.stem, False))
    assert_same_effects(ran, prefect, result, context="Prefect")
