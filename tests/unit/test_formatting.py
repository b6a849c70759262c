"""Parallel formatting of big scripts gives black's output byte for byte."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from nb2flow import formatting
from nb2flow.pipeline import build
from nb2flow.render import render

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted((ROOT / "tests" / "notebooks").glob("*.ipynb"))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _raw_sources(tmp_path: Path) -> list[str]:
    from gen_notebook import write

    notebooks = [shutil.copy(nb, tmp_path / nb.name) for nb in CORPUS]
    notebooks.append(write(300, tmp_path / "generated_300.ipynb"))
    return [render(build(nb).flow) for nb in notebooks]


def test_parallel_batches_give_blacks_output(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(formatting, "PARALLEL_LINES", 10)
    monkeypatch.setattr(formatting, "BATCH_LINES", 40)
    sources = _raw_sources(tmp_path)
    cut = 0
    for source in sources:
        batches = formatting.split(source, 3)
        assert "\n".join(batches) == source  # cutting loses nothing
        cut += len(batches) > 1
        whole = formatting._black(source, 88)
        assert formatting.format_code(source, workers=3) == whole  # parallel batches
        assert formatting.format_code(source, workers=1) == whole  # batches, one CPU
    assert cut >= len(sources) - 2  # nearly every script has tasks to cut at


@pytest.mark.parametrize("before", ["# a comment", "@decorator", "x = f(", "y = 1 \\"])
def test_no_cut_where_black_looks_back(before: str) -> None:
    lines = ["import a", "", before, "@task", "def t():", "    pass"]
    assert formatting.split("\n".join(lines), 2) == ["\n".join(lines)]
