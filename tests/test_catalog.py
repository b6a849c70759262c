"""Every catalogued error and warning is documented and triggered by at least one test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nb2flow.errors import CATALOG, WARNINGS

ROOT = Path(__file__).resolve().parent.parent
TESTS = [p for p in (ROOT / "tests").rglob("test_*.py") if p.name != "test_catalog.py"]


@pytest.mark.parametrize("code", sorted(CATALOG) + sorted(WARNINGS))
def test_code_is_exercised_by_a_test(code: str) -> None:
    users = [p.name for p in TESTS if code in p.read_text()]
    assert users, f"{code} is never asserted by a test"


@pytest.mark.parametrize("code", sorted(CATALOG) + sorted(WARNINGS))
def test_code_is_documented(code: str) -> None:
    docs = (ROOT / "docs" / "errors.md").read_text()
    assert re.search(rf"^## {code}\b", docs, re.M), f"{code} has no entry in docs/errors.md"


def test_codes_raised_in_the_source_are_catalogued() -> None:
    used = set()
    for path in (ROOT / "nb2flow").rglob("*.py"):
        used |= set(re.findall(r'"(NB2[FW]\d{3})"', path.read_text()))
    assert used <= set(CATALOG) | set(WARNINGS), used - set(CATALOG) - set(WARNINGS)
