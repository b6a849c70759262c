"""Texts from the notebook reach the script through one escaping helper (nb2flow.pycode):
a title or heading with quotes or backslashes gives a script that compiles and keeps them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from nbutil import make_notebook

from nb2flow.pipeline import ConvertOptions, build
from nb2flow.pycode import docstring, string


@pytest.mark.parametrize("text", ['Predict "churn"', 'ends with a quote"', 'a """ b',
                                  "C:\\data\\new", 'mix \\" and """', ""])
def test_literals_round_trip(text: str) -> None:
    assert ast.literal_eval(string(text)) == text
    assert ast.literal_eval(docstring(text)).rstrip(" ") == text.rstrip(" ")


def _docstrings(tree: ast.Module) -> list[str]:
    nodes = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))]
    return [d for n in nodes if (d := ast.get_docstring(n, clean=False)) is not None]


def test_title_description_and_headings_with_quotes(tmp_path: Path) -> None:
    title = 'Predict "churn"'
    description = 'Data in C:\\data; a """quoted""" word'
    nb = make_notebook(
        tmp_path / "quotes.ipynb",
        ("markdown", f"# {title}\n\n{description}"),
        "import json",
        ("markdown", '## Load the "raw" data'),
        "rows = [1, 2, 3]\ntotal = sum(rows)\nprint(total)",
        ("markdown", '## Report "totals"'),
        "with open('out.json', 'w') as f:\n    json.dump({'total': total}, f)",
    )
    result = build(nb, ConvertOptions(subflows=True))
    docs = _docstrings(ast.parse(result.text))  # compiles: no quote ends a docstring early
    assert docs[0].startswith(f"{title}\n\n{description}\n")
    assert title in [d.rstrip(" ") for d in docs]  # the flow function's docstring
    assert any('Load the "raw" data' in d for d in docs)
