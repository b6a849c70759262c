"""Every corpus notebook and the example run top to bottom, offline, and write their artifacts.

The inputs other tests convert must be real notebooks: each one runs here with nbclient in a
fresh folder prepared as ``tests/notebooks/manifest.json`` says (synthetic taxi data, folders
the author had made by hand); afterwards the files it wrote must be exactly the artifacts the
manifest lists.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from notebook_runner import (
    CORPUS, EXAMPLE, cases, execute_notebook, load_manifest, prepare_workdir,
)

CASES = cases()


@pytest.mark.slow
@pytest.mark.parametrize("path,entry", CASES, ids=[p.stem for p, _ in CASES])
def test_notebook_runs_and_writes_its_artifacts(path: Path, entry: dict, tmp_path: Path) -> None:
    prepare_workdir(tmp_path, entry)
    before = {p for p in tmp_path.rglob("*") if p.is_file()}

    nb = execute_notebook(path, tmp_path)

    missing = [a for a in entry["artifacts"] if not (tmp_path / a).is_file()]
    assert not missing, f"{path.name} did not write {missing}"
    empty = [a for a in entry["artifacts"] if (tmp_path / a).stat().st_size == 0]
    assert not empty, f"{path.name} wrote empty files {empty}"
    written = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")
               if p.is_file() and p not in before}
    assert written == set(entry["artifacts"]), "the manifest must list every file written"
    printed = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
               if o.output_type in ("stream", "execute_result") and o.get("name") != "stderr"]
    assert printed, f"{path.name} shows no result"


def test_manifest_matches_the_corpus() -> None:
    manifest = load_manifest()
    on_disk = {p.name for p in CORPUS.glob("*.ipynb")}
    assert set(manifest) == on_disk
    assert len(on_disk) >= 12
    for name, entry in manifest.items():
        assert set(entry) == {"data", "folders", "artifacts", "description"}, name
        assert set(entry["data"]) <= {"taxi"}, name
        assert entry["artifacts"] and entry["description"], name
        for artifact in entry["artifacts"]:
            assert not Path(artifact).is_absolute() and ".." not in Path(artifact).parts, name


@pytest.mark.parametrize("path", [p for p, _ in CASES], ids=[p.stem for p, _ in CASES])
def test_stored_notebook_is_valid_and_was_run(path: Path) -> None:
    nb = nbformat.read(str(path), as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat == 4 and nb.metadata.kernelspec.name == "python3"
    assert nb.metadata.kernelspec.language == "python"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.execution_count for c in code), "stored without a full run"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert any(c.outputs for c in code)


def test_example_notebook_is_the_readme_one() -> None:
    source = "\n".join(c.source for c in nbformat.read(str(EXAMPLE), as_version=4).cells)
    for needle in ("def read_dataframe(filename):", "lasso = Lasso(alpha=0.01)",
                   "root_mean_squared_error(y_val, y_pred)", "pickle.dump((dv, lr), f_out)",
                   "'models/lin_reg.bin'"):
        assert needle in source
