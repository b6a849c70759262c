"""The shape of the code: no module of nb2flow/ over 400 lines, no function over 80.

The exceptions below are the modules and functions not split yet; the lists are strict
both ways: a new offender fails, and so does an exception that no longer offends (remove
it from the list)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "nb2flow"
MODULE_LINES = 400
FUNCTION_LINES = 80

LONG_MODULES = {
    "analyze.py", "classify.py", "secrets.py",
}
LONG_FUNCTIONS = {
    ("analyze.py", "propagate"), ("analyze.py", "stmt"), ("classify.py", "_code_cell"),
    ("semantics/facts.py", "_call"),
}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), path.read_text(encoding="utf-8")


def test_modules_at_most_400_lines() -> None:
    long = {name for name, text in _modules() if len(text.splitlines()) > MODULE_LINES}
    assert long - LONG_MODULES == set(), "split these modules"
    assert LONG_MODULES - long == set(), "no longer too long: remove from LONG_MODULES"


def test_functions_at_most_80_lines() -> None:
    long = set()
    for name, text in _modules():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if node.end_lineno - node.lineno + 1 > FUNCTION_LINES:
                    long.add((name, node.name))
    assert long - LONG_FUNCTIONS == set(), "split these functions"
    assert LONG_FUNCTIONS - long == set(), "no longer too long: remove from LONG_FUNCTIONS"


def test_plan_orchestrates_in_under_80_lines() -> None:
    assert len((PACKAGE / "plan" / "__init__.py").read_text().splitlines()) < 80
