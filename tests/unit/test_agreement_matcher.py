"""The statement matcher of benchmarks/agreement.py: what counts as the same statement."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "agreement.py"
_spec = importlib.util.spec_from_file_location("agreement", _PATH)
agreement = importlib.util.module_from_spec(_spec)
sys.modules["agreement"] = agreement
_spec.loader.exec_module(agreement)


def kept(notebook_stmt: str, script: str) -> bool:
    (stmt,) = ast.parse(notebook_stmt).body
    return agreement.is_kept(stmt, agreement.index_script(ast.parse(script)))


@pytest.mark.parametrize("stmt, script", [
    # a path literal turned into a parameter, a config lookup or a constant
    ("df = pd.read_parquet('data/green_2021-01.parquet')",
     "def read(path: str):\n    df = pd.read_parquet(path)\n    return df"),
    ("df = pd.read_csv('a.csv', sep=';')", "df = pd.read_csv(config['data']['csv'], sep=SEP)"),
    ("df = pd.read_parquet(f'data/{month}.parquet')",
     "df = pd.read_parquet(train_path)"),
    # a literal setting that became a parameter, an option or a keyword
    ("year = 2021", "def main(year: int = 2021):\n    pass"),
    ("TEST_SIZE = 0.2", "ap.add_argument('--test-size', type=float)"),
    ("test_size = 0.2", "split(df, test_size=cfg.test_size)"),
    # a shown value and a print of it
    ("rmse", "print(rmse)"),
    ("root_mean_squared_error(y_val, y_pred)", "print(root_mean_squared_error(y_val, y_pred))"),
    # the same value computed under another name, or returned
    ("X_train = dv.fit_transform(train_dicts)", "return dv.fit_transform(dicts)"),
    ("df = df.select(pl.all().exclude('x')).join(cats, on='id')",
     "def join(events, categories):\n"
     "    clean = events.select(pl.all().exclude('x')).join(categories, on='id')\n"
     "    return clean"),
    # imports: any of the same names
    ("from sklearn.metrics import f1_score, accuracy_score",
     "from sklearn.metrics import f1_score"),
    # compound statements: the same header, or half of the body
    ("def read_dataframe(filename):\n    return pd.read_parquet(filename)",
     "@task(retries=3)\ndef read_dataframe(path: str) -> pd.DataFrame:\n"
     "    return pd.read_csv(path)"),
    ("with mlflow.start_run():\n    mlflow.log_param('a', 1)\n    booster = xgb.train(params)",
     "def train():\n    booster = xgb.train(best_params)\n    mlflow.log_param('a', a)"),
])
def test_equivalent_statements_match(stmt, script):
    assert kept(stmt, script)


@pytest.mark.parametrize("stmt, script", [
    # another model's training is not the kept one, even with the same arguments
    ("lr.fit(X_train, y_train)", "booster.fit(X_train, y_train)"),
    ("lr = Lasso(0.01)", "model = XGBRegressor(max_depth=6)"),
    # a literal setting whose name the script never binds
    ("alpha = 0.5", "model = Lasso(0.5)"),
    # a loop over other things, with a different body
    ("for name in models:\n    fit(name)\n    score(name)", "for f in files:\n    load(f)"),
    ("import seaborn as sns", "import pandas as pd"),
    # a print of a value is not every print
    ("print(score)", "print(rmse)"),
    ("print('x_train shape:', x_train.shape)", "print('Test loss:', score[0])"),
])
def test_different_statements_do_not_match(stmt, script):
    assert not kept(stmt, script)


def test_magics_and_shell_lines_are_not_units():
    cell = "%matplotlib inline\n!pip install xgboost\nfiles = !ls\nimport pandas as pd\ndf?\n"
    body = agreement.parse_cell(cell)
    assert [ast.unparse(s) for s in body if agreement.is_unit(s)] == ["import pandas as pd"]
    assert agreement.parse_cell("%%bash\necho hi\n") == []
    timed = agreement.parse_cell("%%time\nmodel.fit(X, y)\n")
    assert [ast.unparse(s) for s in timed] == ["model.fit(X, y)"]
    # an indented shell line keeps the loop parseable
    loop = agreement.parse_cell("for f in files:\n    !gunzip {f}\n    n += 1\n")
    assert isinstance(loop[0], ast.For)


def test_scores():
    assert agreement.prf(person=10, tool=8, both=8) == (0.8, 1.0, pytest.approx(8 / 9))
    assert agreement.prf(person=10, tool=0, both=0) == (0.0, 0.0, 0.0)


def test_a_literal_moved_to_a_secret_or_the_environment_still_matches():
    stmt = "engine = create_engine('postgresql://u:pw@host/db')"
    assert kept(stmt, "engine = create_engine(Secret.load('connection-string').get())")
    assert kept(stmt, "engine = create_engine(os.getenv('DATABASE_URL'))")
    assert not kept(stmt, "engine = create_engine(build_url(user, host))")


def test_a_metric_computed_in_the_notebook_matches_one_printed_in_the_script():
    assert kept("r2 = r2_score(y_test, y_pred)", "print('R2 =', r2_score(y_test, y_pred))")
    assert kept("mae = mean_absolute_error(y, p)",
                "logger.info(f'MAE {mean_absolute_error(y, p):.2f}')")
    assert not kept("r2 = r2_score(y_test, y_pred)", "print('R2 =', r2)")


def test_a_print_of_text_only_matches_the_same_text():
    assert kept("print('Labels:')", "def main():\n    print('Labels:')")
    assert not kept("print('K-fold cross-validation results:')", "print('Saved the model')")
