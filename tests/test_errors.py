"""Bad input: one clear line naming the file, cell and line; exit 1; no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from nbutil import make_notebook
from typer.testing import CliRunner

from nb2flow.cli import app
from nb2flow.errors import Nb2FlowError
from nb2flow.pipeline import build

runner = CliRunner()


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


CASES = [
    ("missing", lambda p: p / "nope.ipynb", "NB2F001", "nope.ipynb"),
    ("not-json", lambda p: _write(p / "x.ipynb", "{not json"), "NB2F002", "line 1"),
    ("not-notebook", lambda p: _write(p / "x.ipynb", json.dumps({"a": 1})), "NB2F003", ""),
    (
        "nbformat-3",
        lambda p: _write(p / "x.ipynb", json.dumps({"nbformat": 3, "worksheets": []})),
        "NB2F004", "nbformat 3",
    ),
    (
        "r-kernel",
        lambda p: make_notebook(p / "r.ipynb", "x <- 1", kernel="ir", language="R"),
        "NB2F005", "R",
    ),
    (
        "syntax-error",
        lambda p: make_notebook(p / "s.ipynb", "import os", "x = 1\ny = (2 +\n", "print(y)"),
        "NB2F006", "cell 2:line",
    ),
    (
        "nothing-left",
        lambda p: make_notebook(p / "e.ipynb", "import matplotlib.pyplot as plt",
                                "plt.plot([1, 2])", "df"),
        "NB2F007", "",
    ),
    (
        "bad-tag",
        lambda p: make_notebook(p / "t.ipynb", ("code", "x = 1", ["nb2flow:tsk=a"])),
        "NB2F011", "cell 1",
    ),
    ("not-utf8", lambda p: (p / "b.ipynb").write_bytes(b'{"cells": "\xff"}') and p / "b.ipynb",
     "NB2F015", ""),
    (
        "magic-assignment",
        lambda p: make_notebook(p / "m.ipynb", "x = %who_ls"),
        "NB2F013", "cell 1:line 1",
    ),
    (
        "top-level-await",
        lambda p: make_notebook(p / "a.ipynb", "import asyncio",
                                "async def f():\n    return 1",
                                "print(0)\nasync with asyncio.timeout(1):\n    x = 1"),
        "NB2F020", "cell 3:line 2",
    ),
]


@pytest.mark.parametrize("name,make,code,where", CASES, ids=[c[0] for c in CASES])
def test_error_message(tmp_path: Path, name, make, code, where) -> None:
    path = make(tmp_path)
    with pytest.raises(Nb2FlowError) as info:
        build(path)
    assert info.value.code == code
    assert str(path) in info.value.render()
    assert where in info.value.render()
    result = runner.invoke(app, ["convert", str(path)])
    assert result.exit_code == 1
    assert code in result.output
    assert "Traceback" not in result.output


def test_cli_process_prints_no_traceback(tmp_path: Path) -> None:
    nb = make_notebook(tmp_path / "bad.ipynb", "def f(:\n    pass", "f()")
    proc = subprocess.run(
        [sys.executable, "-m", "nb2flow", "convert", str(nb)], capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert f"{nb}:cell 1:line 1: NB2F006" in proc.stderr
    assert "hint:" in proc.stderr


def test_refuses_to_overwrite_a_user_file(tmp_path: Path) -> None:
    nb = make_notebook(tmp_path / "work.ipynb", "x = 1\nprint(x)")
    mine = tmp_path / "work.py"
    mine.write_text("print('my own script')\n")
    result = runner.invoke(app, ["convert", str(nb)])
    assert result.exit_code == 1 and "NB2F008" in result.output
    assert mine.read_text() == "print('my own script')\n"
    result = runner.invoke(app, ["convert", str(nb), "--force"])
    assert result.exit_code == 0, result.output
    assert "nb2flow: source=work.ipynb" in mine.read_text()


def test_hand_edited_script_is_protected(tmp_path: Path) -> None:
    nb = make_notebook(tmp_path / "work.ipynb", "x = 1\nprint(x)")
    assert runner.invoke(app, ["convert", str(nb)]).exit_code == 0
    script = tmp_path / "work.py"
    edited = script.read_text() + "\n# my tweak\n"
    script.write_text(edited)
    make_notebook(tmp_path / "work.ipynb", "x = 2\nprint(x)")
    result = runner.invoke(app, ["convert", str(nb)])
    assert result.exit_code == 1 and "NB2F009" in result.output
    assert script.read_text() == edited


def test_failed_conversion_leaves_existing_files_untouched(tmp_path: Path) -> None:
    nb = make_notebook(tmp_path / "work.ipynb", "x = 1\nprint(x)")
    assert runner.invoke(app, ["convert", str(nb)]).exit_code == 0
    script = tmp_path / "work.py"
    before = script.read_text()
    make_notebook(tmp_path / "work.ipynb", "x = (\n")
    assert runner.invoke(app, ["convert", str(nb)]).exit_code == 1
    assert script.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work.ipynb", "work.py"]


def test_symlinked_output_is_refused(tmp_path: Path) -> None:
    nb = make_notebook(tmp_path / "work.ipynb", "x = 1\nprint(x)")
    target = tmp_path / "elsewhere.py"
    target.write_text("")
    (tmp_path / "work.py").symlink_to(target)
    result = runner.invoke(app, ["convert", str(nb)])
    assert result.exit_code == 1 and "NB2F010" in result.output


def test_awkward_names_convert(tmp_path: Path) -> None:
    nb = make_notebook(tmp_path / "Train Model (v2).ipynb", "import pandas as pd",
                       "df_1 = pd.read_parquet('data/x.parquet')\nprint(len(df_1))")
    result = runner.invoke(app, ["convert", str(nb)])
    assert result.exit_code == 0, result.output
    script = tmp_path / "train_model_v2.py"
    assert "data_1_path: str" in script.read_text()
    assert runner.invoke(app, ["convert", "--check", str(nb)]).exit_code == 0


def test_notify_flags_write_state_hooks(tmp_path: Path) -> None:
    nb = make_notebook(tmp_path / "job.ipynb", "x = 1\nprint(x)")
    result = runner.invoke(app, ["convert", str(nb), "--notify", "failure,completion",
                                 "--notify-block", "slack-webhook/ml-alerts"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "job.py").read_text()
    assert "on_failure=[notify_failure]" in text and "on_completion=[notify_completion]" in text
    other = make_notebook(tmp_path / "other.ipynb", "x = 1\nprint(x)")  # nothing recorded
    result = runner.invoke(app, ["convert", str(other), "--notify", "failure"])
    assert result.exit_code == 1 and "NB2F012" in result.output


def test_verbose_shows_the_lines_and_the_docs_entry(tmp_path: Path) -> None:
    nb = make_notebook(tmp_path / "bad.ipynb", "import os\nx = 1\nprint(x +)\ny = 2", "print(y)")
    quiet = runner.invoke(app, ["convert", str(nb)])
    loud = runner.invoke(app, ["-v", "convert", str(nb)])
    assert quiet.exit_code == loud.exit_code == 1
    assert "print(x +)" in quiet.output and "docs:" not in quiet.output
    assert ">    3 | print(x +)" in loud.output and "     2 | x = 1" in loud.output
    assert "errors/#nb2f006-syntax-error-in-a-code-cell" in loud.output
    assert "Traceback" not in loud.output


def test_every_docs_anchor_exists() -> None:
    """--verbose links each code to its heading in docs/errors.md (as MkDocs slugs it)."""
    from nb2flow.messages import anchor as _anchor
    from nb2flow.errors import CATALOG, WARNINGS

    text = (Path(__file__).resolve().parents[1] / "docs" / "errors.md").read_text()
    from markdown.extensions.toc import slugify

    slugs = {slugify(line[3:].strip(), "-") for line in text.splitlines() if line.startswith("## ")}
    assert sorted({_anchor(code) for code in [*CATALOG, *WARNINGS]} - slugs) == []


def test_use_of_a_name_whose_definition_was_dropped_says_where(tmp_path: Path) -> None:
    """The notebook defines `x`, but in a cell tagged nb2flow:skip: NB2F017 names the
    dropped definition and the way to keep it, not "no cell defines it"."""
    path = make_notebook(tmp_path / "nb.ipynb", ("code", "x = 1", ["nb2flow:skip"]),
                         "print(x)")
    with pytest.raises(Nb2FlowError) as info:
        build(path)
    assert (info.value.code, info.value.message, info.value.where.cell) == (
        "NB2F017", "`x` is used but the statement that defines it (cell 1) was dropped: "
        "tagged nb2flow:skip; remove the tag to keep it", 2)
