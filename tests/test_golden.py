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
from nb2flow.pipeline import build

HERE = Path(__file__).parent / "golden"
CASES = sorted((HERE / "cases").glob("*.py"))
UPDATE = os.environ.get("NB2FLOW_UPDATE_GOLDEN") == "1"


def notebook_from_case(case: Path, folder: Path) -> Path:
    nb = jupytext.read(case, fmt="py:percent")
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
    text = build(notebook).text
    expected = HERE / "expected" / f"{case.stem}.py"
    if UPDATE or not expected.exists():
        expected.write_text(text)
        if not UPDATE:
            pytest.fail(f"wrote new golden file {expected}; review it and re-run")
    assert text == expected.read_text()


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_generated_code_is_clean(case: Path, tmp_path: Path) -> None:
    text = build(notebook_from_case(case, tmp_path)).text
    ast.parse(text)
    assert format_code(text) == text, "not black-formatted"
    assert pyflakes_messages(text) == []


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_deterministic(case: Path, tmp_path: Path) -> None:
    one = build(notebook_from_case(case, tmp_path / "a")).text
    two = build(notebook_from_case(case, tmp_path / "b")).text
    assert one == two
