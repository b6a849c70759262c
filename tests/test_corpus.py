"""The test corpus (tests/notebooks, 13 styles): golden scripts, clean code, same artifacts.

Equivalence (``equivalence.py``): the whole notebook runs with nbclient in one folder; the
generated flow runs under a real Prefect run (session harness) in another, prepared the same
way (except that the folders the notebook's author made by hand are not made for the flow:
it must create them). Every file and printed line must be the same, except what nb2flow
reported dropping; every artifact the manifest lists must be written by both.
Regenerate the golden scripts with ``NB2FLOW_UPDATE_GOLDEN=1 pytest tests/test_corpus.py``.
"""

from __future__ import annotations

import ast
import os
import shutil
from pathlib import Path

import pytest
from equivalence import assert_same_effects, run_flow, run_notebook
from notebook_runner import CORPUS, load_manifest, prepare_workdir
from test_golden import pyflakes_messages

from nb2flow.formatting import format_code
from nb2flow.pipeline import build

MANIFEST = load_manifest()
NAMES = sorted(MANIFEST)
GOLDEN = Path(__file__).parent / "golden" / "corpus"
UPDATE = os.environ.get("NB2FLOW_UPDATE_GOLDEN") == "1"
# pyflakes notices that come from the user's own code, kept as written
ALLOWED = ("unable to detect undefined names", "may be undefined, or defined from star",
           "is unused: name is never assigned in scope")


def _copy(name: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(CORPUS / name, folder / name))


@pytest.mark.parametrize("name", NAMES)
def test_corpus_golden_and_clean(name: str, tmp_path: Path) -> None:
    text = build(_copy(name, tmp_path)).text
    expected = GOLDEN / f"{Path(name).stem}.py"
    if UPDATE or not expected.exists():
        expected.write_text(text)
        if not UPDATE:
            pytest.fail(f"wrote new golden file {expected}; review it and re-run")
    assert text == expected.read_text()
    ast.parse(text)
    assert format_code(text) == text
    problems = [m for m in pyflakes_messages(text) if not any(a in m for a in ALLOWED)]
    assert problems == []
    if "savefig" not in text:  # plotting imports stay only for figures saved to files
        assert not any(m in text for m in ("matplotlib", "seaborn", "plotly")), "plot import"


#: Known bugs the oracle shows, asserted as they are (strict: the fix must remove the mark)
KNOWN_BUGS = {
}


@pytest.mark.slow
@pytest.mark.parametrize("name", [pytest.param(n, marks=KNOWN_BUGS.get(n, ()))
                                  for n in NAMES])
def test_corpus_flow_reproduces_notebook(name: str, tmp_path: Path, prefect_harness) -> None:
    entry = MANIFEST[name]
    notebook = _copy(name, tmp_path / "src")
    result = build(notebook)
    script = tmp_path / "src" / f"{Path(name).stem}_flow.py"
    script.write_text(result.text)
    nb_dir, flow_dir = tmp_path / "nb", tmp_path / "flow"
    prepare_workdir(nb_dir, entry)
    prepare_workdir(flow_dir, {**entry, "folders": []})
    ran = run_notebook(notebook, nb_dir)
    flowed = run_flow(script, flow_dir)
    assert_same_effects(ran, flowed, result, context=name)
    for artifact in entry["artifacts"]:
        assert artifact in ran.files, f"the notebook did not write {artifact}"
        assert artifact in flowed.files, f"the flow did not write {artifact}"
