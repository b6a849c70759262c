from pathlib import Path

import pytest

from nbutil import make_notebook

from nb2flow.classify import classify, code_of
from nb2flow.errors import Nb2FlowError
from nb2flow.ir import DISPLAY, IMPORT, KEEP, PLOT
from nb2flow.load import load
from nb2flow.prune import prune


def roles(tmp_path: Path, *cells, **kw):
    c = classify(load(make_notebook(tmp_path / "n.ipynb", *cells)), **kw)
    return c


def test_statement_roles(tmp_path):
    c = roles(
        tmp_path,
        "import pandas as pd\nimport matplotlib.pyplot as plt",
        "df = pd.DataFrame({'a': [1, 2]})\ndf.head()\nplt.plot(df.a)\nprint(len(df))\ndf.shape",
        "fig, ax = plt.subplots()\nax.set_title('x')",
        "df.plot(kind='bar')",
        "display(df)",
        "for c in df.columns:\n    plt.hist(df[c])",
    )
    kept = [(s.cell, code_of(s.node).strip(), s.role) for s in c.statements]
    assert kept == [
        (1, "import pandas as pd", IMPORT),
        (2, "df = pd.DataFrame({'a': [1, 2]})", KEEP),
        (2, "print(len(df))", KEEP),
    ]
    reasons = {(d.cell, d.line): d.reason for d in c.dropped}
    assert reasons[(1, 2)] == "plotting import"
    assert reasons[(2, 2)] == "displayed value"
    assert reasons[(2, 3)] == "plot"
    assert reasons[(2, 5)] == "displayed value (last line)"
    assert reasons[(3, None)] == "only plots"
    assert reasons[(4, None)] == "only plots"
    assert reasons[(6, None)] == "only plots"


def test_scikit_learn_displays_are_plots(tmp_path):
    """``ConfusionMatrixDisplay.from_estimator(...)`` draws a figure: a plot, not work."""
    c = roles(
        tmp_path,
        "from sklearn.metrics import ConfusionMatrixDisplay, RocCurveDisplay",
        "ConfusionMatrixDisplay.from_estimator(clf, X, y)",
        "disp = RocCurveDisplay.from_predictions(y, p)\ndisp.plot()",
    )
    reasons = {(d.cell, d.line): d.reason for d in c.dropped}
    assert reasons[(2, None)] == "only plots"
    assert reasons[(3, None)] == "only plots"


def test_metric_shown_on_last_line_is_printed(tmp_path):
    c = roles(tmp_path, "from sklearn.metrics import r2_score\nr2_score(y, p)")
    assert code_of(c.statements[-1].node).strip() == "print('r2_score:', r2_score(y, p))"


def test_savefig_keeps_its_figure(tmp_path):
    c = roles(
        tmp_path,
        "import matplotlib.pyplot as plt",
        "plt.plot([1, 2])\nplt.savefig('reports/fig.png')",
        "plt.plot([3])",
    )
    kept = [code_of(s.node).strip() for s in c.statements]
    assert kept == ["import matplotlib.pyplot as plt", "plt.plot([1, 2])",
                    "plt.savefig('reports/fig.png')"]


def test_keep_tag_and_flag(tmp_path):
    c = roles(tmp_path, ("code", "df = 1\ndf", ["nb2flow:keep"]), "df")
    assert [s.role for s in c.statements] == [KEEP, KEEP]
    c = roles(tmp_path, "df = 1\ndf", keep_exploration=True)
    assert [s.role for s in c.statements] == [KEEP, KEEP]


def test_execution_order_warning(tmp_path):
    nb = make_notebook(tmp_path / "n.ipynb", "a = 1", "b = a")
    import json

    data = json.loads(nb.read_text())
    data["cells"][0]["execution_count"] = 5
    data["cells"][1]["execution_count"] = 2
    nb.write_text(json.dumps(data))
    c = classify(load(nb))
    assert [d.code for d in c.diagnostics] == ["NB2W003"]
    assert c.diagnostics[0].cell == 2


def test_prune_drops_unsaved_model_and_keeps_saved_one(tmp_path):
    c = prune(roles(
        tmp_path,
        "import pickle\nfrom sklearn.linear_model import Lasso, LinearRegression",
        "X, y = [[1], [2], [3]], [1, 2, 3]",
        "lr = LinearRegression()\nlr.fit(X, y)\nprint(lr.score(X, y))",
        "lasso = Lasso()\nlasso.fit(X, y)\nprint(lasso.score(X, y))",
        "unused = [v * 2 for v in y]",
        "with open('m.bin', 'wb') as f:\n    pickle.dump(lr, f)",
    ))
    kept = [code_of(s.node).strip() for s in c.statements if s.role == KEEP]
    assert kept[0] == "X, y = [[1], [2], [3]], [1, 2, 3]"
    assert "print(lr.score(X, y))" in kept
    assert not any("lasso" in k for k in kept)
    assert not any("unused" in k for k in kept)
    reasons = {d.line: d.reason for d in c.dropped if d.cell == 4}
    assert reasons[2] == ("experiment: `lasso` (Lasso) is trained, never saved; the pipeline "
                          "saves `lr` (LinearRegression) in cell 3")
    assert reasons[3] == ("experiment: evaluates `lasso` (Lasso) (cell 4), which the "
                          "pipeline does not keep")


def test_prune_refuses_a_notebook_with_nothing_to_run(tmp_path):
    with pytest.raises(Nb2FlowError) as info:
        prune(roles(tmp_path, "x = 1", "y = x + 1"))
    assert info.value.code == "NB2F007"


def test_prune_keeps_unknown_effects(tmp_path):
    c = prune(roles(
        tmp_path, "import numpy as np", "np.random.seed(1)", "a = np.random.rand(3)",
        "np.save('a.npy', a)",
    ))
    assert [code_of(s.node).strip() for s in c.statements][1:] == [
        "np.random.seed(1)", "a = np.random.rand(3)", "np.save('a.npy', a)"]


def test_plots_inside_a_loop_that_works_are_removed(tmp_path):
    c = roles(
        tmp_path,
        "import matplotlib.pyplot as plt",
        "scores = {}\nfor k in [1, 2]:\n    fig, ax = plt.subplots()\n    scores[k] = k * 2\n"
        "    ax.plot([k])\n    plt.show()\n    scores\nprint(scores)",
    )
    loop = code_of(c.statements[1].node)
    assert loop == "for k in [1, 2]:\n    scores[k] = k * 2\n"
    lines = sorted(d.line for d in c.dropped if d.cell == 2)
    assert lines == [3, 5, 6, 7]
    assert "plt" not in c.statements[1].facts.reads


def test_shown_metric_expressions_become_prints(tmp_path):
    c = roles(
        tmp_path,
        "import numpy as np\nfrom sklearn.metrics import mean_squared_error as mse_fn\n"
        "y, p = [1.0, 2.0], [1.5, 2.0]",
        "mse_fn(y, p) ** 0.5",
        "np.sqrt(mse_fn(y, p))",
        "-mse_fn(y, p)",
        "len(y) * 2",
    )
    code = [code_of(s.node).strip() for s in c.statements if s.cell > 1]
    assert code == [
        "print('mse_fn(y, p) ** 0.5:', mse_fn(y, p) ** 0.5)",
        "print('np.sqrt(mse_fn(y, p)):', np.sqrt(mse_fn(y, p)))",
        "print('-mse_fn(y, p):', -mse_fn(y, p))",
    ]
    assert [d.reason for d in c.dropped if d.cell == 5] == ["only displayed values"]


def test_assigned_call_of_a_writing_function_is_an_output(tmp_path):
    """`run_id = log_run(...)`: run_id is never read, but the call writes a file."""
    c = prune(roles(
        tmp_path,
        "import json\nimport subprocess",
        "subprocess.run(['true'])",
        "a = [1, 2]\nb = [x * 2 for x in a]",
        "def save(v):\n    with open('out.json', 'w') as f:\n        json.dump(v, f)\n"
        "    return 'run-1'",
        "def log_run(v):\n    return save(v)",
        "run_id = log_run(b)",
    ))
    kept = [code_of(s.node).strip().split("\n")[0] for s in c.statements if s.role == KEEP]
    assert "run_id = log_run(b)" in kept and "b = [x * 2 for x in a]" in kept
