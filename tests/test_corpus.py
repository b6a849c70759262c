"""The test corpus (tests/notebooks, 13 styles): golden scripts, clean code, same artifacts.

Equivalence: the notebook's kept cells run with nbclient in one folder; the generated flow
runs under a real Prefect run (session harness) in another, prepared the same way (except
that the folders the notebook's author made by hand are not made for the flow: it must
create them). Every artifact the manifest lists must be produced by both and be equal by
content (pickles, parquet, CSV, JSON and NumPy files by value, others by bytes).
Regenerate the golden scripts with ``NB2FLOW_UPDATE_GOLDEN=1 pytest tests/test_corpus.py``.
"""

from __future__ import annotations

import ast
import os
import shutil
from pathlib import Path

import pytest
from equivalence import execute, kept_notebook
from notebook_runner import CORPUS, load_manifest, prepare_workdir
from test_golden import pyflakes_messages

from nb2flow.formatting import format_code
from nb2flow.pipeline import build
from nb2flow.verify.content import compare_files

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


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_corpus_flow_reproduces_notebook(name: str, tmp_path: Path, run_flow) -> None:
    entry = MANIFEST[name]
    notebook = _copy(name, tmp_path / "src")
    result = build(notebook)
    script = tmp_path / "src" / f"{Path(name).stem}_flow.py"
    script.write_text(result.text)
    nb_dir, flow_dir = tmp_path / "nb", tmp_path / "flow"
    prepare_workdir(nb_dir, entry)
    prepare_workdir(flow_dir, {**entry, "folders": []})
    execute(kept_notebook(notebook, result.flow), nb_dir)
    run_flow(script, flow_dir)
    for artifact in entry["artifacts"]:
        ours, theirs = flow_dir / artifact, nb_dir / artifact
        assert theirs.exists(), f"the notebook did not write {artifact}"
        assert ours.exists(), f"the flow did not write {artifact}"
        if ours.suffix == ".png":  # inline backend vs Agg: bytes and tight bbox differ
            from matplotlib.image import imread

            assert imread(ours).size > 0 and imread(theirs).size > 0, artifact
            continue
        assert compare_files(theirs, ours, rtol=1e-9) is None, artifact
