"""Run a notebook's kept cells with nbclient, to compare with the flow nb2flow made of it."""

from __future__ import annotations

from pathlib import Path

import nbformat

from nb2flow.ir import Flow


def kept_notebook(path: Path, flow: Flow) -> nbformat.NotebookNode:
    """The notebook without the cells nb2flow dropped entirely (plots, displays, experiments).

    Cells the flow keeps in part run whole: their dropped lines only show values.
    """
    nb = nbformat.read(path, as_version=4)
    placed = {p.cell for p in flow.placements}
    nb.cells = [
        cell for number, cell in enumerate(nb.cells, start=1)
        if cell.cell_type == "code" and number in placed
    ]
    return nb


def execute(nb: nbformat.NotebookNode, cwd: Path, timeout: int = 300) -> list[str]:
    """Execute in ``cwd``; return the text each cell printed."""
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(cwd)}}).execute()
    printed = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                printed.append(output["text"])
    return printed
