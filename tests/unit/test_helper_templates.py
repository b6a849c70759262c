"""The helper functions copied into generated scripts are real modules
(templates/helpers/*.py): pyflakes-clean, and what the planner copies is their code."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pyflakes.api import check
from pyflakes.reporter import Reporter

from nb2flow.plan.helpers import helper, scheduled_month

HELPERS = sorted((Path(__file__).resolve().parents[2] / "templates" / "helpers").glob("*.py"))


@pytest.mark.parametrize("path", HELPERS, ids=lambda p: p.stem)
def test_helper_is_clean_python(path: Path) -> None:
    out = io.StringIO()
    assert check(path.read_text(), str(path), Reporter(out, out)) == 0, out.getvalue()
    source = helper(path.stem).source
    assert source.startswith("def ") and source in path.read_text()


def test_scheduled_month_takes_the_parameter_names() -> None:
    source = scheduled_month("year_2", "month_2")
    assert "def scheduled_month(year_2: int, month_2: int" in source
    assert "YEAR" not in source and "MONTH" not in source
    assert "when.year" in source  # attributes keep their names
