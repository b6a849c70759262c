"""Run the test-corpus notebooks for real: prepare a working folder, execute with nbclient.

``tests/notebooks/manifest.json`` says, for each corpus notebook, what its working folder needs
(``data``: ``["taxi"]`` for the synthetic green-taxi months, ``folders`` to create beforehand)
and which ``artifacts`` the notebook writes there. The example notebook has the same kind of
entry, ``EXAMPLE_ENTRY``.

Refresh the stored outputs of notebooks after editing them (runs each in a temporary folder):

    .venv/bin/python tests/notebook_runner.py tests/notebooks/magics_taxi.ipynb
    .venv/bin/python tests/notebook_runner.py --all
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "notebooks"
MANIFEST = CORPUS / "manifest.json"
EXAMPLE = ROOT / "examples" / "notebooks" / "duration_prediction.ipynb"
EXAMPLE_ENTRY = {
    "data": ["taxi"],
    "folders": ["models"],  # the author made it by hand; a converted flow must make it itself
    "artifacts": ["models/lin_reg.bin"],
    "description": "The README's example: MLOps-zoomcamp style trip-duration regression.",
}
TAXI_MONTHS = [(2021, 1), (2021, 2), (2021, 3)]
TAXI_ROWS = 2000


def _taxi_generator():
    """``examples/make_taxi_data.py`` as a module, wherever this file is run from."""
    spec = importlib.util.spec_from_file_location(
        "make_taxi_data", ROOT / "examples" / "make_taxi_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_manifest() -> dict[str, dict]:
    """Corpus notebook file name -> manifest entry."""
    return json.loads(MANIFEST.read_text())


def cases() -> list[tuple[Path, dict]]:
    """Every notebook to run, with its entry: the corpus, then the example."""
    corpus = [(CORPUS / name, entry) for name, entry in sorted(load_manifest().items())]
    return corpus + [(EXAMPLE, EXAMPLE_ENTRY)]


def prepare_workdir(tmp: Path, manifest_entry: dict) -> None:
    """Write the data the entry asks for under ``tmp/data`` and create its folders."""
    tmp = Path(tmp)
    tmp.mkdir(parents=True, exist_ok=True)
    for source in manifest_entry.get("data", []):
        if source != "taxi":
            raise ValueError(f"unknown data source {source!r} (known: 'taxi')")
        _taxi_generator().write_months(tmp / "data", TAXI_MONTHS, rows=TAXI_ROWS)
    for folder in manifest_entry.get("folders", []):
        (tmp / folder).mkdir(parents=True, exist_ok=True)


def execute_notebook(path: Path, cwd: Path, timeout: int = 120) -> nbformat.NotebookNode:
    """Execute the notebook at ``path`` top to bottom with ``cwd`` as the kernel's folder."""
    from nbclient import NotebookClient

    nb = nbformat.read(str(path), as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def refresh_outputs(path: Path, entry: dict) -> list[str]:
    """Run ``path`` in a prepared temporary folder and store its outputs in the file.

    Returns the entry's artifacts the run did not write (empty when all is well).
    """
    with tempfile.TemporaryDirectory(prefix="nb2flow-corpus-") as tmp:
        work = Path(tmp)
        prepare_workdir(work, entry)
        nb = execute_notebook(path, work)
        missing = [a for a in entry.get("artifacts", []) if not (work / a).exists()]
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # nbclient's timings: noise in a stored notebook
        if cell.cell_type == "code":
            cell.outputs = _coalesce_streams(cell.outputs)
    nbformat.validate(nb)
    nbformat.write(nb, str(path))
    return missing


def _coalesce_streams(outputs: list) -> list:
    """Join consecutive stdout (or stderr) chunks into one output, as Jupyter shows them."""
    joined: list = []
    for output in outputs:
        last = joined[-1] if joined else None
        if (output.output_type == "stream" and last is not None
                and last.output_type == "stream" and last.name == output.name):
            last.text += output.text
        else:
            joined.append(output)
    return joined


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Re-execute notebooks and store their outputs.")
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to refresh")
    parser.add_argument("--all", action="store_true", help="the whole corpus and the example")
    args = parser.parse_args(argv)
    entries = {path.resolve(): entry for path, entry in cases()}
    todo = list(entries.items()) if args.all else []
    for path in args.notebooks:
        if path.resolve() not in entries:
            parser.error(f"{path}: not in {MANIFEST.relative_to(ROOT)} (add an entry first)")
        todo.append((path.resolve(), entries[path.resolve()]))
    failed = 0
    for path, entry in todo:
        missing = refresh_outputs(path, entry)
        failed += bool(missing)
        print(f"{path.relative_to(ROOT)}: " + (f"MISSING {missing}" if missing else "ok"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
