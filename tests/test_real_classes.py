"""Classes of failures seen on the broad corpus of real notebooks (issue 16), one synthetic
reproduction each: the script compiles, has no undefined names and its flow prints and
writes what the notebook does, or nb2flow refuses with the documented code."""

from __future__ import annotations

from pathlib import Path

import pytest
from nbutil import make_notebook
from test_hard_cases import assert_equivalent

from nb2flow.errors import Nb2FlowError
from nb2flow.pipeline import build


def test_function_called_only_by_a_function_that_moves(tmp_path: Path) -> None:
    # fastai course22 05: ``one_epoch`` is called only inside ``train_model``; both read
    # globals redefined later, so both move to the step that calls ``train_model``
    assert_equivalent(
        tmp_path,
        "x = 1",
        "def step(a):\n    return a + x",
        "def train(n):\n    return [step(i) for i in range(n)]",
        "print(train(3))",
        "x = 10",
        "def step(a):\n    return a * x",
        "print(train(3))",
        "open('o.txt', 'w').write(str(train(2)))",
    )


def test_except_name_is_not_a_variable_after_the_handler(tmp_path: Path) -> None:
    # manuelgilm MLflow 2_1/5_1: Python deletes ``e`` at the end of ``except ... as e``; the
    # step must not return it (NameError when no exception was raised) nor pass it on
    assert_equivalent(
        tmp_path,
        "import json",
        "try:\n    json.loads('{}')\nexcept ValueError as e:\n    print('bad', e)",
        "data = json.loads('[1, 2]')",
        "try:\n    json.loads('[')\nexcept ValueError as e:\n    print('bad again', type(e).__name__)",
        "open('o.txt', 'w').write(str(data))",
    )


def test_function_called_in_a_branch_before_its_definition(tmp_path: Path) -> None:
    # yasumorishima birdclef: a disabled branch of cell 24 calls a function cell 28 defines;
    # the def (which reads a global changed later) goes before its first caller
    result = assert_equivalent(
        tmp_path,
        "import random\nk = 1\nflag = random.random() > 2",
        "if flag:\n    print(g(1))",
        "k = 2\ndef g(a):\n    return a + k",
        "open('o.txt', 'w').write(str(g(2)))",
        "k = 3",
        "print(g(0))",
    )
    assert "def g" in result.text


def test_commented_out_savefig_does_not_keep_a_plot(tmp_path: Path) -> None:
    # marcopeix CH08: ``# plt.savefig(...)`` kept the plot, whose series a deleted cell
    # computed (NB2F017)
    path = make_notebook(
        tmp_path / "nb.ipynb", "import pandas as pd\nimport matplotlib.pyplot as plt",
        "df = pd.DataFrame({'a': [1, 2]})\ndf.to_csv('a.csv', index=False)",
        "fig, ax = plt.subplots()\nax.plot(df['a'][1:], smoothed)\nax.set_xlabel('Date')\n"
        "plt.tight_layout()\n# plt.savefig('figures/f.png')", counts=[1, 2, 3])
    result = build(path)
    assert "smoothed" not in result.text and "to_csv" in result.text


def test_unused_code_reading_a_name_from_a_deleted_cell_is_dropped(tmp_path: Path) -> None:
    # its cell ran (an execution count, no error): a cell deleted since defined the name
    cells = ["import pandas as pd",
             "df = pd.DataFrame({'a': [1, 2]})\ndf.to_csv('a.csv', index=False)",
             "scaled = df.a * factor"]
    path = make_notebook(tmp_path / "nb.ipynb", *cells, counts=[1, 2, 3])
    result = build(path)
    assert "factor" not in result.text and "to_csv" in result.text
    assert [d.cell for d in result.flow.diagnostics if d.code == "NB2W018"] == [3]
    with pytest.raises(Nb2FlowError) as info:  # never ran: the notebook fails there
        build(make_notebook(tmp_path / "never.ipynb", *cells))
    assert info.value.code == "NB2F017"


def test_kept_code_reading_a_name_from_a_deleted_cell_is_refused(tmp_path: Path) -> None:
    path = make_notebook(tmp_path / "nb.ipynb", "import pandas as pd",
                         "df = pd.DataFrame({'a': smoothed})\ndf.to_csv('a.csv')",
                         counts=[1, 2])
    with pytest.raises(Nb2FlowError) as info:
        build(path)
    assert info.value.code == "NB2F017" and "`smoothed`" in info.value.message


def test_name_read_before_the_cell_that_defines_it_is_refused(tmp_path: Path) -> None:
    # PRL-PRG process_results_clean: cell 11 reads `basep`, which cell 20 (run first,
    # execution count 206 < 207) defines; the message named no cell before
    path = make_notebook(tmp_path / "nb.ipynb", "rows = [['a'], ['b']]\nn = 0",
                         "for r in rows:\n    n += set(r) <= set(base)", "base = ['a']",
                         "open('o.txt', 'w').write(str(n))", counts=[1, 3, 2, 4])
    with pytest.raises(Nb2FlowError) as info:
        build(path)
    assert info.value.code == "NB2F017"
    assert info.value.render().endswith(
        "nb.ipynb:cell 2:line 2: NB2F017 `base` is used before cell 3 defines it: the "
        "notebook ran cell 3 first (execution counts 2 and 3); move that definition above "
        "cell 2 or remove the use")


def test_function_that_cannot_be_defined_before_its_early_call_is_refused(
        tmp_path: Path) -> None:
    # yasumorishima birdclef: a branch of cell 24 calls a function of cell 28 that needs a
    # function of cell 26; the script would have an undefined name there
    path = make_notebook(tmp_path / "nb.ipynb", "flag = False",
                         "if flag:\n    print(g(1))", "t = 2\ndef h(a):\n    return a * t",
                         "def g(a):\n    return h(a) + 1", "open('o.txt', 'w').write(str(g(2)))")
    with pytest.raises(Nb2FlowError) as info:
        build(path)
    assert info.value.code == "NB2F017" and "before cell 4 defines it" in info.value.message


def test_function_that_only_plots_is_dropped_with_its_calls(tmp_path: Path) -> None:
    # issue 16 item 10: a notebook function whose body only draws is a plot
    result = assert_equivalent(
        tmp_path,
        "import numpy as np\nimport matplotlib.pyplot as plt\nimport json",
        "X = np.arange(6)\ny = 2 * X + 1",
        "def plot_predictions(preds=None):\n    \"\"\"Draw.\"\"\"\n    plt.figure(figsize=(6, 4))\n"
        "    plt.scatter(X, y, c='b', label='y')\n    if preds is not None:\n"
        "        plt.scatter(X, preds, c='r')\n    plt.legend()",
        "plot_predictions()",
        "preds = y - 1\nplot_predictions(preds)",
        "json.dump([int(v) for v in y], open('y.json', 'w'))",
    )
    assert "plot_predictions" not in result.text and "preds" not in result.text


def test_function_that_also_computes_is_kept(tmp_path: Path) -> None:
    result = assert_equivalent(
        tmp_path,
        "import numpy as np\nimport matplotlib.pyplot as plt\nimport json",
        "def scaled(v):\n    plt.plot(v)\n    return v * 2",
        "json.dump([int(x) for x in scaled(np.arange(3))], open('y.json', 'w'))",
    )
    assert "def scaled" in result.text


def test_name_assigned_only_in_a_comment_says_so(tmp_path: Path) -> None:
    # ContinuumIO model-comparision: the choices are commented out, one is to be picked
    path = make_notebook(tmp_path / "nb.ipynb", "import json",
                         "# uri = 'models:/m/1'\n# uri = 'runs:/<id>/model'\n"
                         "json.dump(uri, open('u.json', 'w'))")
    with pytest.raises(Nb2FlowError) as info:
        build(path)
    assert info.value.message == (
        "`uri` is used but no cell defines it; cell 2 assigns it only in a comment (line 1): "
        "uncomment the value you want")
