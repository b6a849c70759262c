"""Warnings are printed with their cell and line; conversion still succeeds."""

from __future__ import annotations

from pathlib import Path

import pytest
from nbutil import make_notebook
from typer.testing import CliRunner

from nb2flow.cli import app
from nb2flow.errors import Nb2FlowError
from nb2flow.pipeline import ConvertOptions, build

runner = CliRunner()


def codes(flow) -> list[tuple[str, int | None]]:
    return [(d.code, d.cell) for d in flow.diagnostics]


@pytest.mark.parametrize(
    "cells,options,expected",
    [
        (["!echo hello > out.txt"], {}, ("NB2W001", 1)),
        (["from math import *\nprint(sqrt(2))"], {}, ("NB2W002", 1)),
        (["x = 1", "print(eval('x + 1'))"], {}, ("NB2W004", 2)),
        (["x = 1\n%who_knows_this 3\nprint(x)"], {}, ("NB2W005", 1)),
        (["counter = 0", "def bump():\n    global counter\n    counter += 1",
          "bump()\nprint(counter)"], {}, ("NB2W006", 2)),
        (["x = 1\nprint(x)"], {"subflows": True}, ("NB2W007", None)),
        (["x = 1\nprint(x)"], {"date_params": True}, ("NB2W008", None)),
        (["def f():\n    return missing_name + 1", "print(f)"], {}, ("NB2W009", 1)),
    ],
)
def test_warning(tmp_path: Path, cells, options, expected) -> None:
    nb = make_notebook(tmp_path / "w.ipynb", *cells)
    flow = build(nb, ConvertOptions(**options)).flow
    assert expected in codes(flow)
    out = runner.invoke(app, ["convert", str(nb), *[f"--{k.replace('_', '-')}"
                                                     for k in options]])
    assert out.exit_code == 0, out.output
    assert f"warning {expected[0]}" in out.output


@pytest.mark.parametrize("name,module", [("json", "json"), ("pandas", "pandas"),
                                         ("prefect", "prefect"), ("taxi_model", None)])
def test_script_named_like_a_module_is_flagged(tmp_path: Path, name: str, module) -> None:
    nb = make_notebook(tmp_path / f"{name}.ipynb", "import pandas as pd",
                       "df = pd.DataFrame({'a': [1]})\nprint(len(df))")
    flagged = [d.message for d in build(nb).flow.diagnostics if d.code == "NB2W010"]
    if module is None:
        assert flagged == []
    else:
        assert len(flagged) == 1 and f"`{module}`" in flagged[0]
        renamed = build(nb, ConvertOptions(output=tmp_path / "export.py")).flow
        assert "NB2W010" not in [d.code for d in renamed.diagnostics]  # -o fixes it


def test_undefined_name_is_an_error_with_its_place(tmp_path: Path) -> None:
    nb = make_notebook(tmp_path / "u.ipynb", "a = 1", "b = a + 1\nc = b * df_old")
    with pytest.raises(Nb2FlowError) as info:
        build(nb)
    assert info.value.code == "NB2F017"
    assert info.value.render().endswith("u.ipynb:cell 2:line 2: NB2F017 `df_old` is used but "
                                        "no cell defines it")


def test_check_reports_stale_and_missing_scripts(tmp_path: Path) -> None:
    nb = make_notebook(tmp_path / "s.ipynb", "x = 1\nprint(x)")
    result = runner.invoke(app, ["convert", "--check", str(nb)])
    assert result.exit_code == 1 and "NB2F016 missing" in result.output
    assert runner.invoke(app, ["convert", str(nb)]).exit_code == 0
    assert runner.invoke(app, ["convert", "--check", str(nb)]).exit_code == 0
    make_notebook(tmp_path / "s.ipynb", "x = 2\nprint(x)")
    result = runner.invoke(app, ["convert", "--check", str(nb)])
    assert result.exit_code == 1 and "NB2F016 stale" in result.output
    diff = runner.invoke(app, ["convert", "--diff", str(nb)])
    assert diff.exit_code == 1
    assert "-    x: int = 1," in diff.output and "+    x: int = 2," in diff.output
