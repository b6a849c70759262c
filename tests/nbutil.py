"""Build small notebooks in tests: ``make_notebook(path, "code", ("markdown", "# Title"))``."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def make_notebook(path: Path, *cells, kernel: str = "python3", language: str = "python",
                  counts: list[int] | None = None) -> Path:
    """Cells are code strings, or tuples ``(kind, source)`` / ``(kind, source, tags)``;
    ``counts``, the execution count of each cell (None: never ran)."""
    built = []
    for i, cell in enumerate(cells):
        if isinstance(cell, str):
            cell = ("code", cell)
        kind, source, *rest = cell
        tags = list(rest[0]) if rest else []
        new = new_code_cell if kind == "code" else new_markdown_cell
        node = new(source)
        if tags:
            node.metadata["tags"] = tags
        if counts and kind == "code":
            node.execution_count = counts[i]
        built.append(node)
    nb = new_notebook(
        cells=built,
        metadata={
            "kernelspec": {"name": kernel, "language": language, "display_name": kernel},
            "language_info": {"name": language},
        },
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path
