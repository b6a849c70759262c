"""Stage 1: read a .ipynb file into :class:`~nb2flow.ir.Notebook`."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .errors import Location, Nb2FlowError

if TYPE_CHECKING:  # ir imports libcst; the pre-commit fast path must not
    from .ir import Cell, Notebook

TAG_PREFIX = "nb2flow:"


def load(path: str | Path) -> Notebook:
    """Load and check a notebook; every failure is an :class:`Nb2FlowError`."""
    from .ir import Notebook

    path = Path(path)
    where = Location(str(path))
    data = read_json(path)
    cells = tuple(_cell(i, c, where) for i, c in enumerate(data["cells"], start=1))
    return Notebook(path=path, cells=cells, code_hash=code_hash(cells))


def quick_code_hash(path: str | Path) -> str:
    """``load(path).code_hash`` from the JSON alone: no cells built, libcst not imported.

    The pre-commit fast path uses it to tell an up-to-date script in milliseconds.
    """
    path = Path(path)
    where = Location(str(path))
    data = read_json(path)
    return _hash(_parts(i, c, where) for i, c in enumerate(data["cells"], start=1))


def read_json(path: Path) -> dict:
    """The notebook's JSON, checked: a v4 notebook with a list of cells and a Python kernel."""
    where = Location(str(path))
    if not path.is_file():
        raise Nb2FlowError("NB2F001", "no such notebook", where)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Nb2FlowError("NB2F015", f"byte {exc.start} is not UTF-8", where) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Nb2FlowError(
            "NB2F002", f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", where
        ) from None
    if not isinstance(data, dict) or ("cells" not in data and "worksheets" not in data):
        raise Nb2FlowError("NB2F003", "the JSON has no 'cells'", where)
    major = data.get("nbformat")
    if isinstance(major, int) and major < 4 or "worksheets" in data:
        raise Nb2FlowError("NB2F004", f"nbformat {major} is not supported", where)
    if not isinstance(data.get("cells"), list):
        raise Nb2FlowError("NB2F003", "'cells' is not a list", where)
    _check_language(data.get("metadata") or {}, where)
    return data


def _check_language(metadata: dict, where: Location) -> None:
    spec = metadata.get("kernelspec") or {}
    info = metadata.get("language_info") or {}
    language = spec.get("language") or info.get("name") or "python"
    if language.lower() != "python":
        name = spec.get("display_name") or spec.get("name") or language
        raise Nb2FlowError("NB2F005", f"kernel '{name}' runs {language}, not Python", where)


def _parts(number: int, raw: object, where: Location) -> tuple[str, str, tuple[str, ...]]:
    """A raw cell's kind, source and tags: everything the script depends on."""
    if not isinstance(raw, dict) or "cell_type" not in raw:
        raise Nb2FlowError(
            "NB2F003", "a cell has no 'cell_type'", Location(where.path, number)
        )
    source = raw.get("source", "")
    if isinstance(source, list):
        source = "".join(source)
    metadata = raw.get("metadata") or {}
    tags = tuple(str(t) for t in metadata.get("tags") or ())
    return str(raw["cell_type"]), str(source).replace("\r\n", "\n"), tags


def _cell(number: int, raw: dict, where: Location) -> Cell:
    from .ir import Cell

    kind, source, tags = _parts(number, raw, where)
    count = raw.get("execution_count")
    return Cell(
        number=number,
        kind=kind,
        source=source,
        tags=tags,
        execution_count=count if isinstance(count, int) else None,
        error=any(isinstance(o, dict) and o.get("output_type") == "error"
                  for o in raw.get("outputs") or ()),
    )


def code_hash(cells: tuple[Cell, ...]) -> str:
    """Hash what the script depends on: cell kinds, sources and tags, never outputs."""
    return _hash((cell.kind, cell.source, cell.tags) for cell in cells)


def _hash(parts: Iterable[tuple[str, str, tuple[str, ...]]]) -> str:
    digest = hashlib.sha256()
    for kind, source, tags in parts:
        if kind == "raw":
            continue
        digest.update(kind.encode())
        digest.update(b"\0")
        digest.update(source.encode())
        digest.update(b"\0")
        digest.update("\1".join(tags).encode())
        digest.update(b"\2")
    return digest.hexdigest()[:16]
