"""`nb2flow verify`: the notebook (nbclient) and its flow (a real Prefect run) compared.

The slow tests run real flows (10-50 s each, mostly the ephemeral server starting): there
are four of them, plus the example notebook when it is there.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from nbutil import make_notebook
from typer.testing import CliRunner

from nb2flow.cli import app
from nb2flow.errors import Nb2FlowError
from nb2flow.verify import content, hints, values
from nb2flow.verify.flow_run import flow_error
from nb2flow.verify.mlflow_store import find_runs, rename_paths
from nb2flow.verify.model import DIFFERENT, DROPPED, ONLY_NOTEBOOK, SAME
from nb2flow.verify.workspace import changes, copy_tree, snapshot

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()

IMPORTS = (
    "import json\nimport pickle\nfrom pathlib import Path\n\nimport numpy as np\n"
    "import pandas as pd\nfrom sklearn.datasets import load_diabetes\n"
    "from sklearn.ensemble import RandomForestRegressor\n"
    "from sklearn.linear_model import LinearRegression\n"
    "from sklearn.metrics import mean_squared_error\n"
    "from sklearn.model_selection import train_test_split"
)
SPLIT = (
    "X, y = load_diabetes(return_X_y=True, as_frame=True)\n"
    "X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=1)"
)


def _good(path: Path) -> Path:
    """Seeded forest, a parameter cell, a display cell, three files written by cell 7."""
    return make_notebook(
        path,
        ("markdown", "# Diabetes progression"),
        IMPORTS,
        ("code", "n_estimators = 20\nmodel_path = 'models/model.pkl'", ["parameters"]),
        SPLIT,
        "X_train.describe()",
        "model = RandomForestRegressor(n_estimators=n_estimators, random_state=0)\n"
        "model.fit(X_train, y_train)\npred = model.predict(X_val)\n"
        "rmse = mean_squared_error(y_val, pred) ** 0.5\nprint(f'rmse: {rmse:.6f}')",
        "Path(model_path).parent.mkdir(exist_ok=True)\nwith open(model_path, 'wb') as f:\n"
        "    pickle.dump(model, f)\n"
        "pd.DataFrame({'pred': pred}).to_csv('models/predictions.csv', index=False)\n"
        "with open('models/metrics.json', 'w') as f:\n"
        "    json.dump({'rmse': rmse, 'n_val': len(y_val)}, f)",
    )


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _invoke(args: list[str]):
    result = runner.invoke(app, ["verify", *args])
    if isinstance(result.exception, Nb2FlowError):
        raise result.exception
    return result


# ------------------------------------------------------------------ fast: the parts


def test_labelled_numbers_are_found_in_printed_lines() -> None:
    text = ("rmse: 5.25\nRMSE on validation: 7.1234\naccuracy = 0.93, loss=1e-3\n"
            "r2 0.71\nnp value: np.float64(2.5)\nshape (3, 4)\nno number here\n")
    found = [(label, number) for label, _, number in values.find_values(text)]
    assert found == [("rmse", 5.25), ("RMSE on validation", 7.1234), ("accuracy", 0.93),
                     ("loss", 0.001), ("r2", 0.71), ("np value", 2.5)]
    assert values.shown_number("np.float64(5.5)") == ("5.5", 5.5)
    assert values.shown_number("(100, 3)") is None
    assert values.shown_label("lr.fit(X, y)\nroot_mean_squared_error(y, p)") == \
        ("root_mean_squared_error", 2)


def test_labels_convert_prints_are_read_and_listings_are_not_values() -> None:
    """The flow prints a shown metric under convert's own label, whatever it holds."""
    cell = "lr = LinearRegression().fit(X, y)\np = lr.predict(X)\nmean_squared_error(y, p) ** 0.5"
    label, line = values.shown_label(cell)
    assert (label, line) == ("mean_squared_error(y, p) ** 0.5", 3)
    printed = ("mean_squared_error(y, p) ** 0.5: 0.10000800828604042\n"
               "-rw-r--r-- 1 root root 467 Dec  2 18:11 model.bin\ntotal 12\n"
               "started at 18:11\nrmse: 2.5\n")
    found = [(lab, n) for lab, _, n in values.find_values(printed, frozenset({label}))]
    assert found == [(label, 0.10000800828604042), ("rmse", 2.5)]
    # without the label nb2flow wrote, the line is not mistaken for another value
    assert [lab for lab, _, _ in values.find_values(printed)] == ["rmse"]
    assert values.shown_label("!ls -lh\nnp.sqrt(mean_squared_error(y, p))") == \
        ("np.sqrt(mean_squared_error(y, p))", 2)


def test_copied_tree_reaches_every_parent_path_the_notebook_names(tmp_path: Path) -> None:
    from nb2flow.verify.workspace import tree_root

    work = tmp_path / "a" / "b" / "c"
    assert tree_root(work, ["df = pd.read_csv('data/x.csv')"]) == work
    assert tree_root(work, ["df = pd.read_csv('../data/x.csv')", "!cp ../../x.csv ."]) == \
        tmp_path / "a"
    assert tree_root(work, ["p = Path('..') / 'models'"]) == tmp_path / "a" / "b"


def test_mlflow_runs_pair_by_content_and_dropped_cells_runs_are_grouped() -> None:
    """56 runs in the notebook (50 of a dropped search), 6 in the flow: no false difference."""
    from types import SimpleNamespace

    from nb2flow.ir import Dropped, Placement
    from nb2flow.verify.compare import mlflow_rows
    from nb2flow.verify.mlflow_store import MlflowRun, pair_runs

    def run(i: int, params: dict, rmse: float, cell: int) -> MlflowRun:
        return MlflowRun("taxi", f"r{i}", i, dict(params), {"rmse": rmse}, cell=cell)

    nb_runs = [run(i, {"max_depth": str(i)}, 6.0 + i, 19 + i % 3) for i in range(50)]
    nb_runs += [run(100 + i, {"alpha": str(i)}, 5.0 + i, 24) for i in range(6)]
    for i, r in enumerate(sorted(nb_runs, key=lambda r: r.start), start=1):
        r.key = f"taxi/run {i}"
    fl_runs = [run(200 + i, {"alpha": str(5 - i)}, 10.0 - i, 0) for i in range(6)]
    pair_runs(nb_runs, fl_runs)
    assert {r.key for r in fl_runs} == {f"taxi/run {i}" for i in range(51, 57)}
    flow = SimpleNamespace(
        dropped=[Dropped(c, None, "experiment: a search whose best values are pasted later",
                         "") for c in (19, 20, 21)],
        placements=[Placement(24, 1, "task", "train_best_model")])
    rows = mlflow_rows(nb_runs, fl_runs, 1e-6, flow)
    assert [r.status for r in rows].count(SAME) == 12  # 6 runs x (param, metric)
    dropped = [r for r in rows if r.status == DROPPED]
    assert [(r.name, r.cells) for r in dropped] == [
        ("taxi: 50 run(s) logged by cells 19-21", (19, 20, 21))]
    assert dropped[0].detail.endswith("`nb2flow convert --keep-experiments` keeps them")
    assert len(rows) == 13


# A real Prefect 3.8 console log (a flow whose task prints and whose second task fails).
LOG = """\
23:57:05.822 | INFO    | Flow run 'amorphous-manul' - Beginning flow run 'amorphous-manul' for flow 'demo'
23:57:05.829 | INFO    | Flow run 'amorphous-manul' - flowprint: 1.5
23:57:05.911 | INFO    | Task run 'train_model-3ef' - root_mean_squared_error: 5.123456789123
23:57:05.913 | INFO    | Task run 'train_model-3ef' - multi
line: 2.5
23:57:05.920 | INFO    | Task run 'train_model-3ef' - Finished in state Completed()
23:57:05.928 | ERROR   | Task run 'boom-efd' - Task run failed with exception: ValueError('bad value here')
Traceback (most recent call last):
  File "/venv/lib/python3.11/site-packages/prefect/task_engine.py", line 1044, in call_task_fn
    result = call_with_parameters(self.task.fn, parameters)
             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "RUN/f.py", line 11, in boom
    raise ValueError("bad value here")
ValueError: bad value here
23:57:05.941 | ERROR   | Task run 'boom-efd' - Finished in state Failed('Task run encountered an exception ValueError: bad value here')
23:57:06.883 | ERROR   | Flow run 'amorphous-manul' - Encountered exception during execution: ValueError('bad value here')
Traceback (most recent call last):
  File "RUN/f.py", line 16, in demo
    boom(n)
ValueError: bad value here
"""


def test_prefect_log_gives_values_by_task_and_the_failing_task(tmp_path: Path) -> None:
    log = LOG.replace("RUN", str(tmp_path))
    found = [(v.label, v.number, v.task) for v in values.flow_values("", log)]
    assert found == [("flowprint", 1.5, "flow"), ("root_mean_squared_error", 5.123456789123,
                                                  "train_model"), ("line", 2.5, "train_model")]
    error = flow_error(log, tmp_path, 1)
    assert (error.where, error.task, error.exception) == \
        ("task boom", "boom", "ValueError: bad value here")
    assert error.output[-3:] == ['File "f.py", line 11, in boom',
                                 '    raise ValueError("bad value here")',
                                 "ValueError: bad value here"]
    assert not any("site-packages" in line for line in error.output)


def test_models_and_tables_compare_by_content_within_tolerance(tmp_path: Path) -> None:
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import LinearRegression

    X, y = load_diabetes(return_X_y=True)
    a, b = LinearRegression().fit(X, y), LinearRegression().fit(X, y)
    b.coef_ = b.coef_ * (1 + 1e-9)  # numerical noise: same model
    c = LinearRegression().fit(X[:300], y[:300])
    for name, model in (("a", a), ("b", b), ("c", c)):
        with open(tmp_path / f"{name}.bin", "wb") as f:  # found by its bytes, not its name
            pickle.dump({"model": model, "note": "x"}, f)
    assert (tmp_path / "a.bin").read_bytes() != (tmp_path / "b.bin").read_bytes()
    assert content.compare_files(tmp_path / "a.bin", tmp_path / "b.bin", 1e-6) is None
    found = content.compare_files(tmp_path / "a.bin", tmp_path / "c.bin", 1e-6)
    assert found.startswith("pickle: ['model'].coef_[0]:"), found

    df = pd.DataFrame({"x": [1.0, 2.0], "k": ["a", "b"]})
    df.to_parquet(tmp_path / "a.parquet")
    df.assign(x=[1.0, 2.0 + 1e-12]).to_parquet(tmp_path / "b.parquet")
    df.assign(x=[1.0, 2.5]).to_parquet(tmp_path / "c.parquet")
    assert content.compare_files(tmp_path / "a.parquet", tmp_path / "b.parquet", 1e-6) is None
    assert "x" in content.compare_files(tmp_path / "a.parquet", tmp_path / "c.parquet", 1e-6)

    (tmp_path / "a.json").write_text(json.dumps({"rmse": 5.0000000001, "n": [1, 2]}))
    (tmp_path / "b.json").write_text(json.dumps({"rmse": 5.0, "n": [1, 2]}))
    (tmp_path / "c.json").write_text(json.dumps({"rmse": 5.0, "n": [1, 3]}))
    assert content.compare_files(tmp_path / "a.json", tmp_path / "b.json", 1e-6) is None
    assert content.compare_files(tmp_path / "b.json", tmp_path / "c.json", 1e-6) == \
        "json: ['n'][1]: 2 vs 3"

    np.save(tmp_path / "a.npy", np.arange(4.0))
    np.save(tmp_path / "b.npy", np.arange(4.0) + [0, 0, 0, 1])
    assert content.compare_files(tmp_path / "a.npy", tmp_path / "b.npy", 1e-6) == \
        "array: ndarray[3]: 3.0 vs 4.0 (1 of 4 differ)"
    (tmp_path / "a.txt").write_text("one\ntwo\n")
    (tmp_path / "b.txt").write_text("one\nthree\n")
    assert content.compare_files(tmp_path / "a.txt", tmp_path / "b.txt", 1e-6) == \
        "bytes differ; line 2: 'two' vs 'three'"


def test_unseeded_randomness_is_found_and_seeded_code_is_not() -> None:
    cells = [
        (2, "import numpy as np\nimport random\nx = np.random.rand(3)"),
        (3, "m = RandomForestRegressor(n_estimators=5)\nk = KMeans(3, random_state=0)"),
        (4, "np.random.seed(1)\ny = np.random.rand(3)\nrng = np.random.default_rng()"),
        (5, "split = train_test_split(X, y, random_state=None)\nrandom.choice([1, 2])"),
        (6, "%time z = KFold(5, shuffle=True)\nKFold(5)"),
    ]
    found = [(f.cell, f.line, f.message.split("(")[0]) for f in hints.unseeded(cells)]
    assert found == [(2, 3, "np.random.rand"), (3, 1, "RandomForestRegressor"),
                     (4, 3, "np.random.default_rng"), (5, 1, "train_test_split"),
                     (5, 2, "random.choice"), (6, 1, "KFold")]


def test_random_state_passed_through_a_params_dict_is_seen() -> None:
    cells = [
        (2, "best = {'n_estimators': 10, 'random_state': 0}\nloose = dict(max_depth=3)"),
        (3, "a = RandomForestRegressor(**best)\nb = RandomForestRegressor(**loose)"),
        (4, "def fit(params):\n    return RandomForestRegressor(**params).fit(X, y)"),
    ]
    found = [(f.cell, f.line, f.fix) for f in hints.unseeded(cells)]
    assert found == [(3, 2, 'add "random_state": 42 to loose')]


def test_columns_made_at_run_time_are_named_in_the_difference(tmp_path: Path) -> None:
    import uuid

    for side in ("a", "b"):
        pd.DataFrame({"ride_id": [str(uuid.uuid4()) for _ in range(4)],
                      "duration": [1.5, 2.0, 3.25, 4.0]}).to_parquet(tmp_path / f"{side}.pq")
    detail = content.compare_files(tmp_path / "a.pq", tmp_path / "b.pq", 1e-6)
    assert "column `ride_id` (uuids) differs: new values on every run" in detail
    assert detail.endswith("every other column is the same")


def test_working_folder_copy_leaves_out_vcs_envs_and_links_folders(tmp_path: Path) -> None:
    src = tmp_path / "project"
    for rel in ("data/a.csv", ".git/HEAD", ".venv/pyvenv.cfg", "env2/pyvenv.cfg",
                "pkg/__pycache__/m.pyc", "big/blob.bin", "nb.ipynb"):
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(rel)
    outside = tmp_path / "shared"
    (outside / "x.parquet").parent.mkdir()
    (outside / "x.parquet").write_text("x")
    (src / "lake").symlink_to(outside, target_is_directory=True)
    copy_tree(src, tmp_path / "copy", exclude=("big",))
    copied = _files(tmp_path / "copy")
    assert set(copied) == {"data/a.csv", "nb.ipynb"}
    assert (tmp_path / "copy" / "lake").is_symlink()  # a linked data folder: linked, not copied
    assert (tmp_path / "copy" / "lake" / "x.parquet").read_text() == "x"
    before = snapshot(tmp_path / "copy")
    (tmp_path / "copy" / "data" / "a.csv").write_text("changed!")
    (tmp_path / "copy" / "out.txt").write_text("new")
    (tmp_path / "copy" / "nb.ipynb").unlink()
    assert changes(before, snapshot(tmp_path / "copy")) == {
        "data/a.csv": "changed", "nb.ipynb": "deleted", "out.txt": "new"}


def test_mlflow_file_store_runs_pair_by_experiment_and_order(tmp_path: Path) -> None:
    """The file store layout MLflow writes: experiments, runs, params, metrics, artifacts."""
    def log_run(root: Path, run_id: str, start: int, alpha: str, rmse: float) -> None:
        exp = root / "mlruns" / "1"
        (exp / "meta.yaml").parent.mkdir(parents=True, exist_ok=True)
        (exp / "meta.yaml").write_text("artifact_location: x\nexperiment_id: '1'\n"
                                       "name: taxi\n")
        run = exp / run_id
        for sub in ("params", "metrics", "artifacts/model"):
            (run / sub).mkdir(parents=True)
        (run / "meta.yaml").write_text(f"run_id: {run_id}\nstart_time: {start}\n")
        (run / "params" / "alpha").write_text(alpha)
        (run / "metrics" / "rmse").write_text(f"{start} {rmse + 1} 0\n{start} {rmse} 1\n")
        (run / "artifacts" / "model" / "model.pkl").write_bytes(pickle.dumps([rmse]))

    sides = []
    for side, ids in (("nb", ("aaa", "bbb")), ("fl", ("ccc", "ddd"))):
        root = tmp_path / side
        log_run(root, ids[0], 10, "0.1", 5.0)
        log_run(root, ids[1], 20, "0.5", 6.0 if side == "nb" else 6.5)
        found = {p: "new" for p in _files(root)}
        runs, dbs = find_runs(root, found, tmp_path / "original")
        sides.append((runs, rename_paths(found, runs, dbs)))
    (nb_runs, nb_names), (fl_runs, fl_names) = sides
    assert [(r.key, r.params, r.metrics) for r in nb_runs] == [
        ("taxi/run 1", {"alpha": "0.1"}, {"rmse": 5.0}),
        ("taxi/run 2", {"alpha": "0.5"}, {"rmse": 6.0})]
    assert set(nb_names) == set(fl_names) == {"mlflow:taxi/run 1/artifacts/model/model.pkl",
                                              "mlflow:taxi/run 2/artifacts/model/model.pkl"}
    from nb2flow.verify.compare import mlflow_rows

    rows = {r.name: r.status for r in mlflow_rows(nb_runs, fl_runs, 1e-6)}
    assert rows == {"taxi/run 1 param alpha": SAME, "taxi/run 1 metric rmse": SAME,
                    "taxi/run 2 param alpha": SAME, "taxi/run 2 metric rmse": DIFFERENT}


def test_hints_name_the_seed_the_skipped_cell_and_the_in_place_change(tmp_path: Path) -> None:
    from nb2flow.pipeline import build
    from nb2flow.verify.compare import add_hints
    from nb2flow.verify.model import Row

    path = make_notebook(
        tmp_path / "o.ipynb",
        "import numpy as np\nimport pandas as pd",
        "df = pd.DataFrame({'a': np.random.rand(3), 'b': [3, 4, 5]})",
        ("code", "df.to_csv('a.csv')", ["nb2flow:task=export"]),
        ("code", "df.drop(columns=['a'], inplace=True)\ndf.to_csv('b.csv')",
         ["nb2flow:task=trim"]),
        ("code", "df.to_json('c.json')", ["nb2flow:skip"]),
        "rng = np.random.default_rng()",
    )
    flow = build(path).flow
    sources = {2: "df = pd.DataFrame({'a': np.random.rand(3), 'b': [3, 4, 5]})",
               3: "df.to_csv('a.csv')",
               4: "df.drop(columns=['a'], inplace=True)\ndf.to_csv('b.csv')",
               5: "df.to_json('c.json')", 6: "rng = np.random.default_rng()"}
    rows = [Row("file", "a.csv", "1 kB", "1 kB", DIFFERENT, (3,), ("export",)),
            Row("file", "c.json", "1 kB", "-", ONLY_NOTEBOOK, (5,))]
    notes = add_hints(rows, flow, hints.unseeded(sorted(sources.items())), sources)
    assert rows[0].hints == [
        "cell 2 line 1: np.random.rand() with no np.random.seed(...) before it: each run "
        "draws different numbers; call np.random.seed(42) first",
        "cell 4 (task trim) changes `df` in place after the notebook used it; the flow may "
        "run that task first or alongside: try `nb2flow convert --sequential`"]
    assert rows[1].hints == ["cell 5 is not in the flow: tagged nb2flow:skip (remove the "
                             "tag, or write the file in a kept cell)"]
    assert notes == ["cell 6 line 1: np.random.default_rng() without a seed: no difference "
                     "came from it this time, but results may change from run to run; pass "
                     "one, e.g. np.random.default_rng(42)"]


# ------------------------------------------------------------ fast: bad input, no run


def test_missing_extra_is_named(tmp_path: Path, monkeypatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "nbclient" else real(name, *a))
    nb = make_notebook(tmp_path / "n.ipynb", "x = 1\nprint(f'x: {x}')")
    with pytest.raises(Nb2FlowError) as err:
        _invoke([str(nb), "--workdir", str(tmp_path)])
    assert err.value.code == "NB2F018" and "nb2flow[verify]" in err.value.hint


def test_bad_parameters_and_keep_folder_fail_before_running(tmp_path: Path) -> None:
    nb = _good(tmp_path / "good.ipynb")
    cases = [
        (["-p", "n_trees=3"], "not a parameter of the flow (parameters: metrics_path, "
                              "model_path, n_estimators, predictions_path)"),
        (["-p", "n_estimators=many"], "not a valid int"),
        (["-p", "n_estimators"], "write NAME=VALUE"),
        (["-p", "predictions_path=p.csv"], "no cell of the notebook assigns predictions_path"),
        (["--keep", str(tmp_path)], "exists and is not an empty folder"),
    ]
    for args, message in cases:
        with pytest.raises(Nb2FlowError) as err:
            _invoke([str(nb), "--workdir", str(tmp_path), *args])
        assert err.value.code == "NB2F012" and message in err.value.message, args
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.ipynb"]


def test_missing_kernel_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    nb = make_notebook(tmp_path / "k.ipynb", "x = 1\nprint(f'x: {x}')", kernel="nosuchkernel")
    done = subprocess.run([sys.executable, "-m", "nb2flow", "verify", str(nb)], cwd=tmp_path,
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert "NB2F019" in done.stderr and "'nosuchkernel'" in done.stderr
    assert "Traceback" not in done.stderr


# ----------------------------------------------------------- slow: the kernel only


@pytest.mark.slow
def test_notebook_run_names_the_cell_that_wrote_each_file(tmp_path: Path) -> None:
    import nbformat

    from nb2flow.verify.notebook_run import inject, run_notebook

    path = make_notebook(
        tmp_path / "n.ipynb",
        ("markdown", "# Files"),
        "from pathlib import Path\nsize = 3",
        "Path('a.txt').write_text('x' * size)\nprint(f'size: {size}')",
        "Path('out').mkdir()\nPath('out/b.txt').write_text('b')\nPath('in.txt').unlink()",
        "len(Path('a.txt').read_text())",
    )
    (tmp_path / "in.txt").write_text("input")
    nb = nbformat.read(str(path), as_version=4)
    numbers = inject(nb, {"size": "5"}, path)
    assert numbers == [1, 2, None, 3, 4, 5]
    side = run_notebook(nb, numbers, tmp_path, kernel="python3", timeout=120)
    assert side.error is None
    assert side.changes == {"a.txt": "new", "in.txt": "deleted", "out/b.txt": "new"}
    assert side.cells["a.txt"] == [3] and side.cells["out/b.txt"] == [4]
    assert (tmp_path / "a.txt").read_text() == "xxxxx"  # the -p value was used
    assert [(v.label, v.number, v.cell, v.shown) for v in side.values] == [
        ("size", 5.0, 3, False), ("len", 5.0, 5, True)]


# ---------------------------------------------------------- slow: real flow runs (4)


@pytest.mark.slow
def test_faithful_conversion_is_verified_and_the_folder_left_alone(tmp_path: Path,
                                                                   monkeypatch) -> None:
    project = tmp_path / "project"
    _good(project / "good.ipynb")
    (project / "notes.txt").write_text("the user's file")
    before = _files(project)
    monkeypatch.chdir(project)
    keep = tmp_path / "kept"
    result = _invoke(["good.ipynb", "-p", "n_estimators=10", "--keep", str(keep)])
    print(result.output)
    assert result.exit_code == 0, result.output
    assert _files(project) == before  # nothing written, not even the script
    for name in ("models/model.pkl", "models/predictions.csv", "models/metrics.json"):
        line = next(line for line in result.output.splitlines() if name in line)
        assert " same " in line and "7" in line and "save_model" in line, line
    rmse = next(line for line in result.output.splitlines() if " rmse " in line)
    assert " same " in rmse and "train_model" in rmse
    assert "verified: the flow reproduced 3 file(s) and 1 value(s)" in result.output
    # both run folders kept: the -p value reached the notebook and the flow
    for side in ("notebook", "flow"):
        with open(keep / side / "models" / "model.pkl", "rb") as f:
            assert len(pickle.load(f).estimators_) == 10
    assert "Beginning flow run" in (keep / "flow.log").read_text()
    assert (keep / "flow" / "good.py").is_file() and (keep / "notebook.ipynb").is_file()


@pytest.mark.slow
def test_skipped_cell_that_wrote_a_file_is_found(tmp_path: Path) -> None:
    nb = make_notebook(
        tmp_path / "skip.ipynb",
        IMPORTS,
        SPLIT,
        "lr = LinearRegression().fit(X_train, y_train)\n"
        "rmse = mean_squared_error(y_val, lr.predict(X_val)) ** 0.5\nprint('rmse:', rmse)",
        "pd.DataFrame({'pred': lr.predict(X_val)}).to_csv('predictions.csv', index=False)",
        ("code", "Path('models').mkdir(exist_ok=True)\n"
                 "with open('models/lr.pkl', 'wb') as f:\n    pickle.dump(lr, f)",
         ["nb2flow:skip"]),
        "len(X)",
    )
    result = _invoke([str(nb), "--workdir", str(tmp_path), "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["ok"] is False and report["errors"] == []
    rows = {r["name"]: r for r in report["rows"]}
    assert rows["models/lr.pkl"]["status"] == ONLY_NOTEBOOK
    assert rows["models/lr.pkl"]["cells"] == [5]
    assert rows["models/lr.pkl"]["hints"] == [
        "cell 5 is not in the flow: tagged nb2flow:skip (remove the tag, or write the file "
        "in a kept cell)"]
    assert rows["predictions.csv"]["status"] == SAME
    assert rows["rmse"]["status"] == SAME and rows["rmse"]["cells"] == [3]
    assert rows["len"]["status"] == DROPPED  # a displayed value: nb2flow drops it on purpose


@pytest.mark.slow
def test_unseeded_random_model_is_flagged_with_the_seed_hint(tmp_path: Path) -> None:
    nb = make_notebook(
        tmp_path / "rand.ipynb",
        IMPORTS,
        SPLIT,
        "model = RandomForestRegressor(n_estimators=5)\nmodel.fit(X_train, y_train)\n"
        "rmse = mean_squared_error(y_val, model.predict(X_val)) ** 0.5\nprint(f'rmse: {rmse}')",
        "with open('model.pkl', 'wb') as f:\n    pickle.dump(model, f)",
    )
    result = _invoke([str(nb), "--workdir", str(tmp_path)])
    print(result.output)
    assert result.exit_code == 1
    out = " ".join(result.output.split())  # rich may fold long lines
    assert "model.pkl: pickle: RandomForestRegressor.estimators_[0]" in out
    hint = ("hint: cell 3 line 1: RandomForestRegressor(...) without random_state: each run "
            "draws different numbers; pass random_state=42")
    assert out.count(hint) == 2  # on the model and on the printed rmse
    assert "not verified: 2 difference(s)" in out


@pytest.mark.slow
def test_failing_notebook_is_reported_with_the_cell_and_no_nb2flow_traceback(
        tmp_path: Path) -> None:
    make_notebook(
        tmp_path / "err.ipynb",
        "import pandas as pd",
        "df = pd.DataFrame({'a': [1, 2, 3]})\ndf.to_csv('table.csv', index=False)",
        "total = df['b'].sum()\nprint(f'total: {total}')",
        "df.assign(t=total).to_csv('out.csv')",
    )
    done = subprocess.run([sys.executable, "-m", "nb2flow", "verify", "err.ipynb"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "COLUMNS": "120"})
    print(done.stdout, done.stderr)
    assert done.returncode == 1
    assert "notebook failed at cell 3: KeyError: 'b'" in done.stdout
    assert "| ----> 1 total = df['b'].sum()" in done.stdout  # the cell's own frame
    assert "flow failed at task" in done.stdout and "KeyError: 'b'" in done.stdout
    assert "site-packages" not in done.stdout and "nb2flow/" not in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    assert "table.csv" in done.stdout and " same " in done.stdout  # what ran is still compared
    assert sorted(p.name for p in tmp_path.iterdir()) == ["err.ipynb"]


@pytest.mark.slow
def test_notebook_in_a_subfolder_with_a_broken_plot_and_a_listing_is_verified(
        tmp_path: Path, monkeypatch) -> None:
    """Inputs above the notebook's folder are copied, an error in a cell convert drops
    does not decide the verdict, convert's label for ``mse ** 0.5`` is read back, and the
    ``!ls -l`` listing is not taken for a value."""
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    pd.DataFrame({"a": np.arange(40.0), "b": np.arange(40.0) * 2 + 1}).to_csv(
        project / "data" / "x.csv", index=False)
    make_notebook(
        project / "notebooks" / "sub.ipynb",
        "import pickle\nimport pandas as pd\nimport matplotlib.pyplot as plt\n"
        "from sklearn.linear_model import LinearRegression\n"
        "from sklearn.metrics import mean_squared_error",
        "df = pd.read_csv('../data/x.csv')",
        "plt.plot(df.a, df.bb)",
        "lr = LinearRegression().fit(df[['a']], df['b'])\n"
        "mean_squared_error(df['b'], lr.predict(df[['a']])) ** 0.5",
        "with open('model.bin', 'wb') as f:\n    pickle.dump(lr, f)",
        "!ls -l model.bin",
    )
    before = _files(project)
    monkeypatch.chdir(project / "notebooks")
    result = _invoke(["sub.ipynb", "--json"])
    report = json.loads(result.output)
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r["status"] for r in report["rows"]}
    assert rows == {"notebooks/model.bin": SAME,
                    "mean_squared_error(df['b'], lr.predict(df[['a']])) ** 0.5": SAME}
    assert report["errors"] == []
    assert [(e["where"], e["exception"]) for e in report["dropped_errors"]] == [
        ("cell 3", "AttributeError: 'DataFrame' object has no attribute 'bb'")]
    assert _files(project) == before


EXAMPLE = ROOT / "examples" / "notebooks" / "duration_prediction.ipynb"


@pytest.mark.slow
@pytest.mark.skipif(not EXAMPLE.is_file(), reason="the example notebook is not there")
def test_example_notebook_is_verified(tmp_path: Path) -> None:
    from make_taxi_data import write_months

    write_months(tmp_path / "data", [(2021, 1), (2021, 2)], rows=1500)
    (tmp_path / "models").mkdir()  # the notebook's author made it by hand
    result = _invoke([str(EXAMPLE), "--workdir", str(tmp_path), "--json"])
    report = json.loads(result.output)
    rows = {r["name"]: r for r in report["rows"]}
    assert result.exit_code == 0, result.output
    assert rows["models/lin_reg.bin"]["status"] == SAME
    assert rows["RMSE on validation"]["status"] == SAME
    metric = rows["root_mean_squared_error #1"]
    assert metric["status"] == SAME and metric["cells"] == [18]
    lasso = rows["root_mean_squared_error #2"]  # the Lasso experiment, pruned by nb2flow
    assert lasso["status"] == DROPPED and lasso["cells"] == [22]
