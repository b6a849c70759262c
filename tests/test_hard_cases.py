"""Hard cases with a defined behaviour (issue 9), one test each; docs/reliability.md has the
table. Either the script compiles, passes pyflakes and its flow (run through the tasks'
``.fn``, no Prefect server: ``flowrun.run_flow_fn``) prints the same lines and writes the
same files as the notebook's cells run top to bottom, or nb2flow raises the documented
error. A test marked ``xfail(strict=True)`` asserts the correct behaviour of a known bug;
the fix removes the marker.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from flowrun import bad_pyflakes, run_cells, run_flow_fn, same_prints
from nbutil import make_notebook

from nb2flow.errors import CATALOG, Nb2FlowError
from nb2flow.pipeline import ConvertOptions, build


def convert(tmp_path: Path, *cells, name: str = "nb.ipynb", **nb_kwargs):
    path = make_notebook(tmp_path / "src" / name, *cells, **nb_kwargs)
    return path, build(path, ConvertOptions())


def assert_equivalent(tmp_path: Path, *cells, name: str = "nb.ipynb",
                      allow: tuple[str, ...] = (), expect_prints=None, expect_files=None,
                      eager_too: bool = True):
    """Convert, check the script, run flow and notebook, compare. Returns the result."""
    path, result = convert(tmp_path, *cells, name=name)
    text = result.text
    compile(text, "script.py", "exec")
    messages = [m for m in bad_pyflakes(text) if not any(a in m for a in allow)]
    assert messages == [], text
    script = path.with_suffix(".py")
    script.write_text(text)
    code = [c for c in cells if isinstance(c, str)]
    if expect_prints is None:
        nb_dir = tmp_path / "notebook"
        nb_dir.mkdir()
        expect_prints, expect_files, _ = run_cells(code, nb_dir)
    modes = (False, True) if eager_too else (False,)
    for eager in modes:
        flow_dir = tmp_path / f"flow-{eager}"
        flow_dir.mkdir()
        printed, files = run_flow_fn(script, flow_dir, eager=eager)
        assert same_prints(printed, expect_prints), (printed, expect_prints, text)
        assert files == (expect_files or {}), text
    return result


def diagnostics(result) -> list[str]:
    return [d.code for d in result.flow.diagnostics]


def assert_error(tmp_path: Path, path: Path, code: str) -> Nb2FlowError:
    with pytest.raises(Nb2FlowError) as info:
        build(path)
    assert info.value.code == code and code in CATALOG
    assert str(path) in info.value.render()
    return info.value


# ------------------------------------------------------------------ names and scopes


def test_name_defined_in_one_branch_and_used_later(tmp_path: Path) -> None:
    assert_equivalent(
        tmp_path,
        "import json",
        "x = 3\nif x > 2:\n    v = 1",
        "w = v * 10\nprint(w)",
        "if x > 5:\n    v = 2\nprint(v)",
    )


def test_del(tmp_path: Path) -> None:
    assert_equivalent(
        tmp_path,
        "xs = [1, 2]\ny = xs[0]",
        "t = len(xs)\ndel xs",
        "print(y, t)",
        "xs = [t, t]\nprint(xs)",
    )


def test_del_of_a_name_never_defined(tmp_path: Path) -> None:
    path = make_notebook(tmp_path / "nb.ipynb", "y = 1\nprint(y)", "del x")
    assert_error(tmp_path, path, "NB2F017")


def test_global_statement_at_module_level_function(tmp_path: Path) -> None:
    result = assert_equivalent(
        tmp_path,
        "counter = 0\ndef bump():\n    global counter\n    counter += 1",
        "bump()\nbump()",
        "print(counter)",
    )
    assert "NB2W006" in diagnostics(result)


def test_global_statement_on_a_name_that_changes(tmp_path: Path) -> None:
    assert_equivalent(
        tmp_path,
        "import json",
        "y = len('abc')\nitems = [y]",
        "def bump():\n    global y\n    y = (y + 1) % 1000\nitems.append(y)\nbump()",
        "print(json.dumps({'y': y, 'items': items}))",
    )


#: A function declaring `global a`, defined in one step and called in two later ones: in
#: the notebook each call changes `a` (prints 2, 6, 18). In the flow the ``def`` moves into
#: each step that calls it, where ``global`` becomes ``nonlocal`` of that task's `a`.
GLOBAL_ACROSS_STEPS = (("markdown", "## Load"), "a = len('ab')\nprint(a)",
                       "def bump():\n    global a\n    a = a * 3",
                       ("markdown", "## Report"), "bump()\nprint(a)",
                       ("markdown", "## Again"), "bump()\nprint(a)")


def test_global_statement_in_a_function_called_in_another_step(tmp_path: Path) -> None:
    result = assert_equivalent(tmp_path, *GLOBAL_ACROSS_STEPS)
    assert "NB2W006" in diagnostics(result)
    assert [t.name for t in result.flow.tasks] == ["load", "report", "again"]
    assert result.text.count("def bump():") == 2  # one copy in each calling step


def test_top_level_global_statement(tmp_path: Path) -> None:
    assert_equivalent(tmp_path, "x = 1", "x = 1", "global x", "print(x)")


def test_exploration_only_has_nothing_to_run(tmp_path: Path) -> None:
    """A notebook that reads, saves, logs, prints and trains nothing: NB2F007, not a flow
    that builds a value and throws it away."""
    path = make_notebook(
        tmp_path / "nb.ipynb", "import pandas as pd\nimport matplotlib.pyplot as plt",
        "df = pd.DataFrame({'a': [1, 2, 3]})\ndf.head()", "df.a.plot()\nplt.show()")
    error = assert_error(tmp_path, path, "NB2F007")
    assert "nothing left to run" in error.render()


def test_undefined_decorator(tmp_path: Path) -> None:
    path = make_notebook(tmp_path / "nb.ipynb", "@dec\ndef h():\n    pass", "print(1)")
    assert_error(tmp_path, path, "NB2F017")


def test_nonlocal(tmp_path: Path) -> None:
    assert_equivalent(
        tmp_path,
        "def make():\n    n = 0\n    def inc():\n        nonlocal n\n        n += 1\n"
        "        return n\n    return inc",
        "inc = make()\ninc()",
        "print(inc())",
    )


def test_star_import(tmp_path: Path) -> None:
    result = assert_equivalent(
        tmp_path,
        "from math import *",
        "r = sqrt(16)\nprint(r)",
        allow=("import *", "may be undefined"),  # pyflakes cannot see through a star
    )
    assert "NB2W002" in diagnostics(result)
    assert "from math import *" in result.text


def test_name_reassigned_in_several_steps(tmp_path: Path) -> None:
    """Each task gets the version of ``x`` that the notebook had at that point."""
    assert_equivalent(
        tmp_path,
        "x = [1]\nprint(len(x))",
        "y = len(x) + 1\nprint(y)",
        "x = [10, 20, 30]\nprint(x)",
        "z = len(x) + y\nprint(z)",
        "x = 'done'\nprint(x, y, z)",
    )


def test_in_place_mutation_passed_between_tasks(tmp_path: Path) -> None:
    assert_equivalent(
        tmp_path,
        "import json\nimport os",
        "## Load\nd = {'a': 1}\nlst = [1]\nprint(d)",
        "d['b'] = 2\nlst.append(5)\nlst.sort(reverse=True)\nprint(lst)",
        "d['c'] = len(lst)\nd.update(e=lst[0])\nprint(sorted(d.items()))",
        "os.makedirs('out', exist_ok=True)\nwith open('out/result.json', 'w') as f:\n"
        "    json.dump({'d': d, 'lst': lst}, f, sort_keys=True)",
    )


def test_mutation_through_an_alias(tmp_path: Path) -> None:
    assert_equivalent(
        tmp_path, "import json", "ys = [0]", "xs = ys\nxs.append(1)", "print(json.dumps(ys))",
    )


def test_mutation_through_an_alias_after_an_in_place_extension(tmp_path: Path) -> None:
    """`items += [3]` extends the same list: `items` still aliases `ys`, so `ys += [4]`
    changes `items` too even though `ys` is rebound right after (found by a property run)."""
    assert_equivalent(
        tmp_path,
        "ys = [1, 2]\nitems = ys",
        "items += [3]",
        "ys += [4]\nys = [0]",
        "print(items, ys)",
    )


def test_mutation_through_a_notebook_function(tmp_path: Path) -> None:
    result = assert_equivalent(
        tmp_path,
        "import json",
        "ys = [1]",
        "x = len(ys)\nprint(x)",
        "def push(target, v):\n    target.append(v)",
        "push(ys, 5)",
        "print(json.dumps({'x': x, 'ys': ys}))",
    )
    assert "\nys = [1]" not in result.text  # a mutated list is not module state


def test_function_reads_a_global_defined_after_it(tmp_path: Path) -> None:
    assert_equivalent(
        tmp_path,
        "def show():\n    print('total', total)",
        "total = 5",
        "show()",
        "total = 6",
        "show()",
    )


def test_execution_counts_out_of_order_warn(tmp_path: Path) -> None:
    path = make_notebook(tmp_path / "nb.ipynb", "a = 1", "b = a + 1", "print(a, b)")
    data = json.loads(path.read_text())
    for cell, count in zip(data["cells"], (3, 1, 2)):
        cell["execution_count"] = count
    path.write_text(json.dumps(data))
    result = build(path)
    warned = [d for d in result.flow.diagnostics if d.code == "NB2W003"]
    # one warning for the notebook, naming every late cell and the first as the example
    assert [(d.cell, d.message) for d in warned] == [(
        2, "cell ran as [1] after [3], and so did cell 3: the script follows the document "
        "order",
    )]
    # the script follows the document order, as "Restart & Run All" does
    (tmp_path / "run").mkdir()
    script = tmp_path / "nb.py"
    script.write_text(result.text)
    assert run_flow_fn(script, tmp_path / "run")[0] == ["1 2"]


def test_eval_is_kept_with_a_warning(tmp_path: Path) -> None:
    result = assert_equivalent(
        tmp_path, "y = eval('1 + 2')\nprint(y)", "exec('print(y * 2)')",
    )
    assert diagnostics(result).count("NB2W004") == 2


def test_exec_defining_a_name_is_refused(tmp_path: Path) -> None:
    """nb2flow cannot see names exec defines: NB2F017 at the first use."""
    path = make_notebook(tmp_path / "nb.ipynb", "y = 3", "exec('z = y * 2')", "print(z)")
    error = assert_error(tmp_path, path, "NB2F017")
    assert "cell 3" in error.render()


def test_exec_error_names_exec(tmp_path: Path) -> None:
    path = make_notebook(tmp_path / "nb.ipynb", "y = 3", "exec('z = y * 2')", "print(z)")
    error = assert_error(tmp_path, path, "NB2F017")
    assert "exec" in error.message


def test_main_guard_in_a_cell(tmp_path: Path) -> None:
    assert_equivalent(
        tmp_path,
        "x = 2",
        "if __name__ == '__main__':\n    x = x * 10\n    print('main ran', x)",
        "print(x)",
    )


def test_top_level_await(tmp_path: Path) -> None:
    path = make_notebook(tmp_path / "nb.ipynb", "async def f():\n    return 1",
                         "x = await f()\nprint(x)")
    error = assert_error(tmp_path, path, "NB2F020")
    assert "cell 2" in error.render()


# ---------------------------------------------------- names the template itself uses

_TEMPLATE_NAMES = ["main", "flow", "task", "argparse"]


def assert_nothing_shadowed(text: str) -> None:
    """No module-level name of the script is bound twice (a def replacing an import, the
    CLI entry point replacing the flow ...), and the entry point is what the guard runs."""
    tree = ast.parse(text)
    bound: list[str] = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound += [a.asname or a.name.split(".")[0] for a in node.names]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.append(node.name)
    assert len(bound) == len(set(bound)), (bound, text)
    guard = tree.body[-1]
    assert isinstance(guard, ast.If) and "__main__" in ast.unparse(guard.test)
    entry = guard.body[0].value.func.id
    main = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == entry)
    assert not main.decorator_list and "parse_args" in ast.unparse(main)


@pytest.mark.parametrize("stem", _TEMPLATE_NAMES)
def test_notebook_named_like_a_template_name(tmp_path: Path, stem: str) -> None:
    """``main.ipynb`` must not give a flow function ``main`` that the CLI entry point
    then replaces (the flow would call itself forever)."""
    result = assert_equivalent(tmp_path, "x = 2", "print(x * 3)", name=f"{stem}.ipynb")
    assert_nothing_shadowed(result.text)


@pytest.mark.parametrize("fn", _TEMPLATE_NAMES)
def test_notebook_function_named_like_a_template_name(tmp_path: Path, fn: str) -> None:
    """The notebook's code is kept as written; the script renames its own names
    (``cli_main``, ``@prefect.flow``, ``import argparse as cli_argparse``)."""
    result = assert_equivalent(tmp_path, f"def {fn}(v):\n    return v * 5",
                               f"r = {fn}(1)\nprint(r)")
    assert_nothing_shadowed(result.text)
    assert f"def {fn}(v):" in result.text


def test_step_named_like_a_template_name(tmp_path: Path) -> None:
    """A section or tag that would name a task ``main`` or ``flow`` gets another name."""
    result = assert_equivalent(
        tmp_path, ("markdown", "# Main"), "rows = [1, 2, 3]\ntotal = sum(rows)",
        ("markdown", "# Flow"), "double = total * 2\nprint(double)",
    )
    assert_nothing_shadowed(result.text)
    _, tagged = convert(tmp_path / "tagged", "rows = [1, 2, 3]",
                        ("code", "print(sum(rows))\nprint(rows)", ["nb2flow:task=main"]))
    assert bad_pyflakes(tagged.text) == [] and "def main_step(" in tagged.text
    assert_nothing_shadowed(tagged.text)


# ------------------------------------------------------------------ size and encodings


def test_very_long_cell(tmp_path: Path) -> None:
    body = "t = 0\n" + "\n".join(f"t = (t + {i}) % 1000" for i in range(2000))
    result = assert_equivalent(tmp_path, body, "print(t)", eager_too=False)
    assert result.text.count("t = (t + ") == 2000


def test_utf8_bom_is_read(tmp_path: Path) -> None:
    path = make_notebook(tmp_path / "src" / "nb.ipynb", "x = 'caf\u00e9'", "print(x)")
    raw = path.read_bytes()
    path.write_bytes(b"\xef\xbb\xbf" + raw)
    text = build(path).text
    plain = make_notebook(tmp_path / "plain" / "nb.ipynb", "x = 'caf\u00e9'", "print(x)")
    assert text == build(plain).text


def test_latin1_notebook_is_refused(tmp_path: Path) -> None:
    path = make_notebook(tmp_path / "nb.ipynb", "x = 'caf\u00e9'", "print(x)")
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))
    error = assert_error(tmp_path, path, "NB2F015")
    assert "byte" in error.message


# -------------------------------------------------------------- IPython and metadata


def test_ipython_only_syntax(tmp_path: Path) -> None:
    """``!cmd`` and ``%%bash`` run through subprocess (NB2W001); ``x?`` is dropped."""
    path, result = convert(
        tmp_path,
        "import os\nos.makedirs('out', exist_ok=True)",
        "!echo hi > out/shell.txt",
        "%%bash\necho there > out/bash.txt",
        "x = 1\nx?",
        "print(x)",
    )
    text = result.text
    compile(text, "nb.py", "exec")
    assert bad_pyflakes(text) == []
    assert diagnostics(result).count("NB2W001") == 2
    assert "x?" not in text
    script = path.with_suffix(".py")
    script.write_text(text)
    (tmp_path / "run").mkdir()
    printed, files = run_flow_fn(script, tmp_path / "run")
    assert printed == ["1"]
    assert files == {"out/shell.txt": b"hi\n", "out/bash.txt": b"there\n"}


def test_widgets_metadata_and_attachments(tmp_path: Path) -> None:
    cells = ["import json", ("markdown", "## Data\n![chart](attachment:chart.png)"),
             "d = {'a': 1}\nprint(json.dumps(d))"]
    path = make_notebook(tmp_path / "src" / "nb.ipynb", *cells)
    data = json.loads(path.read_text())
    data["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "state": {"abc": {"model_name": "IntSliderModel", "state": {"value": 3}}},
        "version_major": 2, "version_minor": 0}}
    data["cells"][1]["attachments"] = {"chart.png": {"image/png": "iVBORw0KGgo="}}
    data["cells"][2]["outputs"] = [{"output_type": "display_data", "metadata": {},
                                    "data": {"application/vnd.jupyter.widget-view+json": {
                                        "model_id": "abc", "version_major": 2,
                                        "version_minor": 0}}}]
    path.write_text(json.dumps(data))
    plain = make_notebook(tmp_path / "plain" / "nb.ipynb", *cells)
    text = build(path).text
    assert text == build(plain).text  # metadata, attachments and outputs change nothing
    assert "iVBORw0KGgo" not in text
    compile(text, "nb.py", "exec")
    script = tmp_path / "nb.py"
    script.write_text(text)
    (tmp_path / "run").mkdir()
    assert run_flow_fn(script, tmp_path / "run")[0] == ['{"a": 1}']


@pytest.mark.parametrize("kernel,language", [("ir", "R"), ("julia-1.10", "julia")])
def test_other_kernels_are_refused(tmp_path: Path, kernel: str, language: str) -> None:
    path = make_notebook(tmp_path / "nb.ipynb", "x <- 1", kernel=kernel, language=language)
    error = assert_error(tmp_path, path, "NB2F005")
    assert language in error.message


# ------------------------------------------------------------- determinism (machines)


def test_script_is_the_same_in_any_folder(tmp_path: Path) -> None:
    """No absolute path, no timestamp: two folders give byte-identical scripts."""
    cells = ["import json\nimport os", "# Report",
             "d = {'n': 3}\nos.makedirs('out', exist_ok=True)",
             "with open('out/result.json', 'w') as f:\n    json.dump(d, f)",
             "print(d)"]
    one = make_notebook(tmp_path / "a" / "report.ipynb", *cells)
    two = make_notebook(tmp_path / "b" / "c" / "d" / "report.ipynb", *cells)
    first, second = build(one).text, build(two).text
    assert first == second
    assert str(tmp_path) not in first and "/tmp" not in first
    import re

    assert not re.search(r"\b20\d\d-\d\d-\d\d|\d\d:\d\d:\d\d", first), "timestamp"
    assert build(one).text == first  # and the same twice


def test_function_reads_a_global_that_changes_after_its_def(tmp_path: Path) -> None:
    """g reads `a` when called: the loop's value, not the value at `def` time."""
    assert_equivalent(
        tmp_path,
        "a = 0\nxs = [1]",
        "def g():\n    return a + len(xs)",
        "while a < 30:\n    a += 7\nprint(g())",
        "a = g()",
        "a = a * 2\nprint(g())",
    )


def test_in_place_extension_is_ordered_after_its_readers(tmp_path: Path) -> None:
    """`ys += [0]` changes the list another step still reads: no race."""
    assert_equivalent(
        tmp_path,
        "import json\nimport os\n%time d = {'k': 0, 'j': 0}\n%time a = d['k']",
        "%time ys = list(range(2))\nys.pop()",
        "%time d = {'k': a, 'j': len(ys)}",
        "%time b = a\n%time n = a",
        "%time a = 0\n%time xs = list(range(1))",
        "%time ys += [0]",
        "os.makedirs('out', exist_ok=True)\nwith open('out/result.json', 'w') as f:\n"
        "    json.dump({'a': a, 'b': b, 'n': n, 'xs': xs, 'ys': ys, 'd': d}, f)",
    )


def test_small_work_on_a_steps_results_joins_that_step(tmp_path: Path) -> None:
    """``y`` computed from the frame the features step built belongs to that step (as in
    the course's ``add_features``); seeding before the training joins the training."""
    result = assert_equivalent(
        tmp_path,
        "import json\nimport random",
        "rows = [{'a': i, 'b': i * 2} for i in range(6)]\n"
        "for r in rows:\n    r['ab'] = r['a'] * r['b']\nX = [[r['a'], r['ab']] for r in rows]",
        "y = [r['b'] for r in rows]",
        "random.seed(0)",
        "weights = [sum(x) / (1 + t) + random.random() for x, t in zip(X, y)]\n"
        "with open('w.json', 'w') as f:\n    json.dump(weights, f)",
    )
    assert [(t.cells, t.outputs) for t in result.flow.tasks] == [
        ((2, 3), ("X", "y")), ((4, 5), ())]


def test_training_steps_are_named_after_their_models(tmp_path: Path) -> None:
    """Several trainings kept (--keep-experiments): each step is named after the model it
    trains, never numbered; ``lr`` is the model it was last built as before the fit."""
    path = make_notebook(
        tmp_path / "nb.ipynb",
        "import pickle\nimport xgboost as xgb\n"
        "from sklearn.linear_model import Lasso, LinearRegression\n"
        "from sklearn.ensemble import RandomForestRegressor, ExtraTreesRegressor",
        "X, y = [[1.0], [2.0], [3.0]], [1.0, 2.0, 3.0]",
        "lr = LinearRegression()\nlr.fit(X, y)\nprint(lr.score(X, y))",
        "lr = Lasso(0.1)\nlr.fit(X, y)\nprint(lr.score(X, y))",
        "booster = xgb.train({'max_depth': 2}, xgb.DMatrix(X, label=y))\n"
        "pickle.dump(booster, open('b.pkl', 'wb'))",
        "for cls in (RandomForestRegressor, ExtraTreesRegressor):\n"
        "    m = cls().fit(X, y)\n    print(m.score(X, y))",
    )
    result = build(path, ConvertOptions(keep_experiments=True))
    assert [t.name for t in result.flow.tasks] == [
        "train_linear_regression", "train_lasso", "train_xgboost", "train_models"]


def test_folder_of_an_fstring_output_is_created(tmp_path: Path) -> None:
    """``out = f"output/{year}/preds.txt"`` then a write to ``out``: the flow creates the
    folder (the notebook ran where it existed), wherever the f-string was bound."""
    path, result = convert(tmp_path, "year = 2021\nmonth = 2",
                           "out = f'output/{year}/{month:02d}/preds.txt'",
                           "with open(out, 'w') as f:\n    f.write('x')")
    assert "Path(out).parent.mkdir(parents=True, exist_ok=True)" in result.text
    script = path.with_suffix(".py")
    script.write_text(result.text)
    (tmp_path / "run").mkdir()
    assert run_flow_fn(script, tmp_path / "run")[1] == {"output/2021/02/preds.txt": b"x"}


def test_implicitly_concatenated_path_becomes_its_parameter(tmp_path: Path) -> None:
    """``"out/" "metrics.json"`` is one path literal: the parameter replaces all of it."""
    _, result = convert(tmp_path, "import json",
                        "with open('out/' 'metrics.json', 'w') as f:\n    json.dump({'a': 1}, f)")
    assert [p.default for p in result.flow.params] == ["out/metrics.json"]
    assert "'out/' 'metrics.json'" not in result.text and '"out/" "metrics.json"' not in (
        result.text)
