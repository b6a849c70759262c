"""The library side of ``nb2flow convert``: :func:`nb2flow.batch.convert_all` decides the
exit status and what is said, without typer."""

from __future__ import annotations

from pathlib import Path

import pytest
from nbutil import make_notebook

from nb2flow.batch import Batch, convert_all, select
from nb2flow.errors import Nb2FlowError
from nb2flow.pipeline import ConvertOptions

CELLS = ["import json", "data = {'a': 1}",
         "with open('out.json', 'w') as f:\n    json.dump(data, f)"]


class Said:
    """An ``echo`` that keeps what it was told, with where it went."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def __call__(self, text: str, err: bool = False, nl: bool = True) -> None:
        self.lines.append(("err" if err else "out", text))

    def text(self, stream: str) -> str:
        return "\n".join(t for s, t in self.lines if s == stream)


def test_check_fails_for_a_missing_script_then_passes_once_written(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    nb = make_notebook(tmp_path / "report.ipynb", *CELLS)
    options = ConvertOptions(deploy=None)
    said = Said()
    assert convert_all([nb], options, Batch(check=True), said) == 1
    assert "NB2F016 missing: " in said.text("err") and said.text("out") == ""
    assert not (tmp_path / "report.py").exists()

    said = Said()
    assert convert_all([nb], options, Batch(), said) == 0
    assert f"{nb} -> {tmp_path / 'report.py'} (created)" in said.text("out")
    said = Said()
    assert convert_all([nb], options, Batch(check=True), said) == 0
    assert said.lines == []


def test_one_failing_notebook_does_not_stop_the_others(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    bad = make_notebook(tmp_path / "bad.ipynb", "import os\nx = 1\nprint(x +)\ny = 2", "print(y)")
    good = make_notebook(tmp_path / "good.ipynb", *CELLS)
    said = Said()
    assert convert_all([bad, good], ConvertOptions(), Batch(verbose=True), said) == 1
    errors = said.text("err")
    assert errors.startswith("error: ") and "NB2F006" in errors and "  hint: " in errors
    assert ">    3 | print(x +)" in errors and "errors/#nb2f006-" in errors
    assert (tmp_path / "good.py").is_file()


def test_the_hook_fails_when_it_wrote_a_script_to_stage(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    nb = make_notebook(tmp_path / "good.ipynb", *CELLS)
    (tmp_path / "pyproject.toml").write_text('[tool.nb2flow]\nnotebooks = ["*.ipynb"]\n')
    assert select([nb], None, hook=True) == [nb]
    said = Said()
    assert convert_all([nb], ConvertOptions(), Batch(hook=True), said) == 1
    assert "review and stage them (git add " in said.text("err")
    said = Said()
    assert convert_all([nb], ConvertOptions(), Batch(hook=True), said) == 0
    assert said.lines == []  # up to date: the hook says nothing


def test_output_takes_one_notebook(tmp_path: Path) -> None:
    with pytest.raises(Nb2FlowError, match="--output takes one notebook"):
        select([tmp_path / "a.ipynb", tmp_path / "b.ipynb"], tmp_path / "x.py", hook=False)
