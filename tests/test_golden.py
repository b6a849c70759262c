"""Golden files: a notebook in, the exact script out.

Each case is a notebook written in jupytext's percent format under ``golden/cases``
(readable in review); the expected script is ``golden/expected/<case>.py``. A missing
expected file is written and the test fails, so a new case is reviewed in the diff.
Regenerate all after an intended change with::

    NB2FLOW_UPDATE_GOLDEN=1 pytest tests/test_golden.py
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import jupytext
import pytest
from pyflakes.api import check
from pyflakes.reporter import Reporter

from nb2flow.formatting import format_code
from nb2flow.pipeline import ConvertOptions, build

HERE = Path(__file__).parent / "golden"
CASES = sorted((HERE / "cases").glob("*.py"))
UPDATE = os.environ.get("NB2FLOW_UPDATE_GOLDEN") == "1"


def case_options(case: Path) -> ConvertOptions:
    """A case's first line may set options: ``# options: date_params=true cache=true``."""
    first = case.read_text().splitlines()[0]
    values = {}
    if first.startswith("# options:"):
        for item in first.split(":", 1)[1].split():
            key, value = item.split("=")
            values[key] = {"true": True, "false": False}.get(value, value)
    return ConvertOptions(**values)


def notebook_from_case(case: Path, folder: Path) -> Path:
    text = case.read_text()
    if text.startswith("# options:"):
        text = text.split("\n", 1)[1]
    nb = jupytext.reads(text, fmt="py:percent")
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                 "display_name": "Python 3"}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{case.stem}.ipynb"
    jupytext.write(nb, path, fmt="ipynb")
    return path


def pyflakes_messages(source: str, name: str = "<script>") -> list[str]:
    import io

    out, err = io.StringIO(), io.StringIO()
    check(source, name, Reporter(out, err))
    return [line for line in (out.getvalue() + err.getvalue()).splitlines() if line]


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_golden(case: Path, tmp_path: Path) -> None:
    notebook = notebook_from_case(case, tmp_path)
    text = build(notebook, case_options(case)).text
    expected = HERE / "expected" / f"{case.stem}.py"
    if UPDATE or not expected.exists():
        expected.write_text(text)
        if not UPDATE:
            pytest.fail(f"wrote new golden file {expected}; review it and re-run")
    assert text == expected.read_text()


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_generated_code_is_clean(case: Path, tmp_path: Path) -> None:
    text = build(notebook_from_case(case, tmp_path), case_options(case)).text
    ast.parse(text)
    assert format_code(text) == text, "not black-formatted"
    assert pyflakes_messages(text) == []


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_deterministic(case: Path, tmp_path: Path) -> None:
    one = build(notebook_from_case(case, tmp_path / "a"), case_options(case)).text
    two = build(notebook_from_case(case, tmp_path / "b"), case_options(case)).text
    assert one == two
