"""Notebooks that ran convert, and the script defines every name it reads (issue 16).

Each case is one of the issue's synthetic reproductions of a class seen in real notebooks.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from flowrun import bad_pyflakes
from nbutil import make_notebook

from nb2flow.errors import Nb2FlowError
from nb2flow.pipeline import ConvertOptions, build


def convert(tmp_path: Path, *cells, **kw):
    path = make_notebook(tmp_path / "nb.ipynb", *cells, **kw)
    result = build(path, ConvertOptions())
    assert bad_pyflakes(result.text) == [], result.text
    return result


def codes(result) -> list[str]:
    return [d.code for d in result.flow.diagnostics]


def test_capture_binds_its_name(tmp_path: Path) -> None:
    result = convert(tmp_path, "import xgboost as xgb",
                     "%%capture output\nprint('training')\nx = 1", "print(output.stdout)",
                     "open('o.txt','w').write(str(x))")
    assert "output = types.SimpleNamespace(" in result.text
    assert "print(output.stdout)" in result.text


def test_continued_shell_line(tmp_path: Path) -> None:
    result = convert(tmp_path, "import pandas as pd\n!wget https://example.com/data.csv \\\n"
                     "    -O data.csv", "df = pd.read_csv('data.csv')\ndf.to_parquet('b.parquet')")
    assert "wget https://example.com/data.csv -O data.csv" in result.text
    assert "NB2W001" in codes(result)


def test_stdlib_module_on_a_path_that_never_ran_is_imported(tmp_path: Path) -> None:
    result = convert(tmp_path, "import pandas as pd\ntry:\n    df = pd.read_csv('a.csv')\n"
                     "except OSError:\n    print('no')\n    sys.exit(1)",
                     "df.to_parquet('b.parquet')")
    assert "import sys\n" in result.text
    assert [d.code for d in result.flow.diagnostics].count("NB2W015") == 1
    [warning] = [d for d in result.flow.diagnostics if d.code == "NB2W015"]
    assert (warning.cell, warning.line) == (1, 6)


def test_a_cell_that_never_ran_is_dropped_when_nothing_needs_it(tmp_path: Path) -> None:
    result = convert(tmp_path, "import pandas as pd", "df = pd.read_csv('a.csv', compression=)",
                     "df = pd.read_csv('a.csv')\ndf.to_parquet('b.parquet')")
    [warning] = [d for d in result.flow.diagnostics if d.code == "NB2W014"]
    assert warning.cell == 2
    assert "compression=)" not in result.text


def test_a_cell_that_never_ran_is_refused_when_kept_code_needs_it(tmp_path: Path) -> None:
    path = make_notebook(tmp_path / "nb.ipynb", "import pandas as pd",
                         "def load(p):\n        '''Docstring indented unlike the body.'''\n"
                         "    return pd.read_csv(p)",
                         "df = load('a.csv')\ndf.to_parquet('b.parquet')")
    with pytest.raises(Nb2FlowError) as info:
        build(path)
    assert info.value.code == "NB2F006"
    assert info.value.where.cell == 2
    assert "cell 3" in info.value.message and "`load`" in info.value.message


def test_a_syntax_error_in_a_cell_that_ran_cleanly_is_still_refused(tmp_path: Path) -> None:
    path = make_notebook(tmp_path / "nb.ipynb", "x = (1 +", "print(2)")
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].execution_count = 1
    nbformat.write(nb, str(path))
    with pytest.raises(Nb2FlowError) as info:
        build(path)
    assert (info.value.code, info.value.where.cell) == ("NB2F006", 1)


def test_a_cell_with_a_saved_error_output_is_dropped(tmp_path: Path) -> None:
    path = make_notebook(tmp_path / "nb.ipynb", "x = (1 +", "print(2)")
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].execution_count = 1
    nb.cells[0].outputs = [nbformat.v4.new_output("error", ename="SyntaxError",
                                                  evalue="invalid syntax", traceback=[])]
    nbformat.write(nb, str(path))
    result = build(path)
    assert "NB2W014" in codes(result)


def test_plot_configuration_goes_with_the_plotting_imports(tmp_path: Path) -> None:
    result = convert(
        tmp_path, "import pandas as pd\nimport matplotlib.pyplot as plt\nimport matplotlib as mpl"
        "\nimport seaborn as sns\n%matplotlib inline\nplt.rcParams['font.size'] = 14\n"
        "mpl.rc('axes', labelsize=14)\nsns.set(font_scale=2)\nplt.style.use('ggplot')\n"
        "mpl.rcParams.update({'axes.grid': True})\nsns.set_theme()",
        "df = pd.read_csv('a.csv')\ndf.to_parquet('b.parquet')")
    assert "plt" not in result.text and "sns" not in result.text and "mpl" not in result.text


@pytest.mark.parametrize("cell", ["ls data/", "pwd", "conda env export", "pip install lightgbm",
                                  "\n%%capture\n!pip install lightgbm"])
def test_automagic_and_a_cell_magic_after_a_blank_line(tmp_path: Path, cell: str) -> None:
    convert(tmp_path, cell, "import pandas as pd\ndf = pd.read_csv('a.csv')\n"
            "df.to_parquet('b.parquet')")


def test_bigquery_cell_magic_binds_a_dataframe(tmp_path: Path) -> None:
    result = convert(tmp_path, "%%bigquery df\nSELECT * FROM t", "df.to_parquet('b.parquet')")
    assert "from google.cloud import bigquery" in result.text
    assert 'df = bigquery.Client().query("SELECT * FROM t\\n").to_dataframe()' in result.text


def test_sql_cell_magic_is_refused_with_its_own_code(tmp_path: Path) -> None:
    path = make_notebook(tmp_path / "nb.ipynb", "%%sql\nSELECT 1", "print(1)")
    with pytest.raises(Nb2FlowError) as info:
        build(path)
    assert info.value.code == "NB2F021" and "%%sql" in info.value.message
    assert (info.value.where.cell, info.value.where.line) == (1, 1)


def test_spark_is_created_and_dbutils_refused(tmp_path: Path) -> None:
    result = convert(tmp_path, "df = spark.read.csv('a.csv')\ndf.write.parquet('b')")
    assert "spark = SparkSession.builder.getOrCreate()" in result.text
    assert "NB2W016" in codes(result)
    path = make_notebook(tmp_path / "d.ipynb", "files = dbutils.fs.ls('/mnt')\nprint(files)")
    with pytest.raises(Nb2FlowError) as info:
        build(path)
    assert info.value.code == "NB2F022" and "dbutils" in info.value.message


def test_output_history_binds_the_shown_value(tmp_path: Path) -> None:
    result = convert(tmp_path, "import pandas as pd", "df = pd.DataFrame({'a': [1, 2, 3]})",
                     "df.a.sum()", "total = _ * 2\nprint(total)")
    assert "_ = df.a.sum()" in result.text
    assert "NB2W017" in codes(result)


def test_out_n_reads_the_cell_that_ran_as_n(tmp_path: Path) -> None:
    path = make_notebook(tmp_path / "nb.ipynb", "x = 20", "x + 1", "x * 3", "print(Out[2] + 1)")
    nb = nbformat.read(path, as_version=4)
    for count, cell in enumerate(nb.cells, start=1):
        cell.execution_count = count
    nbformat.write(nb, str(path))
    result = build(path)
    assert "_2 = x + 1" in result.text and "print(_2 + 1)" in result.text
    assert bad_pyflakes(result.text) == []


def test_output_history_with_nothing_to_bind_is_refused(tmp_path: Path) -> None:
    path = make_notebook(tmp_path / "nb.ipynb", "x = 2", "print(_ * 2)")
    with pytest.raises(Nb2FlowError) as info:
        build(path)
    assert info.value.code == "NB2F023"


def test_pruning_keeps_the_definition_of_what_it_keeps(tmp_path: Path) -> None:
    convert(tmp_path, "import pandas as pd\nimport matplotlib.pyplot as plt\n"
            "from sklearn.impute import SimpleImputer", "data = pd.read_csv('h.csv')",
            "ax = data.plot(x='a', y='b')\nimg = plt.imread(path)\nplt.imshow(img)",
            "data = data.drop('y', axis=1)", "imputer = SimpleImputer()",
            "num = data.drop('cat', axis=1)", "imputer.fit(num)")


def test_a_function_that_only_plots_runs(tmp_path: Path) -> None:
    convert(tmp_path, "import numpy as np\nimport matplotlib.pyplot as plt\n"
            "from sklearn.linear_model import LinearRegression\nimport joblib",
            "X = np.arange(20).reshape(-1, 1)\ny = 2 * X.ravel() + 1",
            "def plot_predictions(preds=None):\n    plt.figure(figsize=(6, 4))\n"
            "    plt.scatter(X, y, c='b')\n    if preds is not None:\n"
            "        plt.scatter(X, preds, c='r')\n    plt.legend()", "plot_predictions()",
            "model = LinearRegression().fit(X, y)\npreds = model.predict(X)\n"
            "plot_predictions(preds)", "joblib.dump(model, 'model.joblib')")


def test_a_title_with_quotes_and_a_percent_in_a_comment(tmp_path: Path) -> None:
    result = convert(tmp_path, ("markdown", '# The \\ "best"'),
                     "import pandas as pd\nrate = 5  # 5% of rows\n"
                     "df = pd.read_csv('a.csv').sample(frac=rate / 100)\n"
                     "df.to_parquet('b.parquet')")
    compile(result.text, "s.py", "exec")
    assert "5%% of rows" in result.text  # argparse formats help with %


def test_display_inside_kept_code_is_imported(tmp_path: Path) -> None:
    result = convert(tmp_path, "import pandas as pd",
                     "def load(p):\n    df = pd.read_csv(p)\n    display(df)\n    return df",
                     "load('a.csv').to_parquet('b.parquet')")
    assert "from IPython.display import display" in result.text
