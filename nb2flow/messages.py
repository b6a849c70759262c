"""How the commands show things: an error with its hint (and, verbose, its notebook lines
and documentation page), and paths relative to the current folder."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .errors import CATALOG, WARNINGS, Nb2FlowError

DOCS_ERRORS = "https://nb2flow.readthedocs.io/en/latest/errors/"


def show(path: Path) -> Path:
    """A path relative to the current folder when it is inside it."""
    try:
        return path.absolute().relative_to(Path.cwd())
    except ValueError:
        return path


def error_lines(exc: Nb2FlowError, verbose: bool = False) -> list[str]:
    """The lines printed (to stderr) for an error: the message and its hint; with
    ``verbose``, the notebook lines around it and its documentation page too."""
    from .secret_spans import mask

    lines = [f"error: {mask(exc.render())}", f"  hint: {exc.hint}"]
    if verbose:
        lines += context(exc)
        lines.append(f"  docs: {DOCS_ERRORS}#{anchor(exc.code)}")
    return lines


def anchor(code: str) -> str:
    """The heading anchor of a code in docs/errors.md (``## NB2F006 syntax error ...``)."""
    title = CATALOG[code][0] if code in CATALOG else WARNINGS.get(code, "")
    text = re.sub(r"[^\w\s-]", "", f"{code} {title}").strip().lower()
    return re.sub(r"[-\s]+", "-", text)  # as Python-Markdown's toc slugify


def context(exc: Nb2FlowError, around: int = 2) -> list[str]:
    """The cell's lines around the error's line, numbered, the line itself marked."""
    where = exc.where
    if where is None or where.cell is None or where.line is None:
        return []
    try:
        cells = json.loads(Path(where.path).read_text(encoding="utf-8-sig"))["cells"]
        source = cells[where.cell - 1]["source"]
        lines = ("".join(source) if isinstance(source, list) else source).split("\n")
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return []
    from .secret_spans import mask

    first, last = max(1, where.line - around), min(len(lines), where.line + around)
    return [f"  {'>' if n == where.line else ' '} {n:>4} | {mask(lines[n - 1])}"
            for n in range(first, last + 1)]
