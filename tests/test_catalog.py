"""Every catalogued error and warning is documented and asserted by at least one test.

A code counts as tested only where a test asserts it was raised or emitted: the code is in
an ``assert`` (``info.value.code == "NB2F010"``, ``"NB2W006" in diagnostics(result)``,
``"... NB2F016 stale" in output``; not ``not in`` or ``!=``), an argument of an
``assert_*`` helper (``assert_error(..., "NB2F017")``), or a value of a
``pytest.mark.parametrize`` table whose test asserts on that parameter. A code that only
appears in a file (a list of codes that must never occur, a comment) does not count.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from nb2flow.errors import CATALOG, WARNINGS

ROOT = Path(__file__).resolve().parent.parent
TESTS = [p for p in (ROOT / "tests").rglob("test_*.py") if p.name != "test_catalog.py"]


_CODE = re.compile(r"NB2[FW]\d{3}")


def _codes(node: ast.AST) -> set[str]:
    """Codes in the string literals (f-strings' text included) under ``node``."""
    return {code for n in ast.walk(node) if isinstance(n, ast.Constant)
            and isinstance(n.value, str) for code in _CODE.findall(n.value)}


def _asserted_in_assert(node: ast.Assert) -> set[str]:
    found = set()
    for part in ast.walk(node.test):
        if isinstance(part, ast.Compare) and not any(
                isinstance(op, (ast.NotIn, ast.NotEq, ast.IsNot)) for op in part.ops):
            found |= _codes(part)
        elif isinstance(part, ast.Call):
            found |= _codes(part)
    return found


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def asserted_codes(source: str) -> set[str]:
    """The codes a test module asserts were raised or emitted (see the module docstring)."""
    found: set[str] = set()
    tree = ast.parse(source)
    tables = {t.id: n.value for n in tree.body if isinstance(n, ast.Assign)
              for t in n.targets if isinstance(t, ast.Name)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            found |= _asserted_in_assert(node)
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name.startswith("assert"):
                found |= set().union(*(_codes(a) for a in node.args),
                                     *(_codes(k.value) for k in node.keywords))
        elif isinstance(node, ast.FunctionDef):
            asserted = set().union(*(_names(a.test) for a in ast.walk(node)
                                     if isinstance(a, ast.Assert)))
            for deco in node.decorator_list:
                if (isinstance(deco, ast.Call) and getattr(deco.func, "attr", "") ==
                        "parametrize" and deco.args and isinstance(deco.args[0], ast.Constant)):
                    params = {p.strip() for p in deco.args[0].value.split(",")}
                    if params & asserted:
                        values = [tables.get(a.id, a) if isinstance(a, ast.Name) else a
                                  for a in deco.args[1:]]
                        found |= set().union(*(_codes(v) for v in values))
            # `flagged = [d for d in diagnostics if d.code == "NB2W010"]`, then asserted
            for assign in ast.walk(node):
                if isinstance(assign, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id in asserted for t in assign.targets):
                    for part in ast.walk(assign.value):
                        if isinstance(part, ast.Compare) and all(
                                isinstance(op, (ast.Eq, ast.In)) for op in part.ops):
                            found |= _codes(part)
    return found


def test_catalog_rule_ignores_codes_that_are_not_asserted() -> None:
    assert asserted_codes('NEVER = {"NB2F006"}\ndef test_x():\n    assert c not in NEVER\n'
                          '    assert "NB2F007" not in out\n    # NB2F008\n') == set()
    assert asserted_codes('def test_x():\n    assert e.code == "NB2F010"\n'
                          '    assert_error(t, p, "NB2F017")\n'
                          '    assert f"{p}: NB2F016 stale" in out\n') == {
        "NB2F010", "NB2F017", "NB2F016"}


_ASSERTED = {p.name: asserted_codes(p.read_text()) for p in TESTS}


@pytest.mark.parametrize("code", sorted(CATALOG) + sorted(WARNINGS))
def test_code_is_exercised_by_a_test(code: str) -> None:
    users = [name for name, codes in _ASSERTED.items() if code in codes]
    assert users, f"{code} is never asserted by a test (raised or emitted)"


@pytest.mark.parametrize("code", sorted(CATALOG) + sorted(WARNINGS))
def test_code_is_documented(code: str) -> None:
    docs = (ROOT / "docs" / "errors.md").read_text()
    assert re.search(rf"^## {code}\b", docs, re.M), f"{code} has no entry in docs/errors.md"


def test_codes_raised_in_the_source_are_catalogued() -> None:
    used = set()
    for path in (ROOT / "nb2flow").rglob("*.py"):
        used |= set(re.findall(r'"(NB2[FW]\d{3})"', path.read_text()))
    assert used <= set(CATALOG) | set(WARNINGS), used - set(CATALOG) - set(WARNINGS)
