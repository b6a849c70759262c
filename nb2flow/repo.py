"""Where a project ends: the search for pyproject.toml, prefect.yaml or the pre-commit
configuration walks up from a folder and stops at the git work tree's root."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path


def up_to_repo(start: Path) -> Iterator[Path]:
    """``start`` and its parents, up to and including the first holding ``.git``."""
    for folder in [start, *start.parents]:
        yield folder
        if (folder / ".git").exists():
            return


def git_root(start: Path) -> Path | None:
    """The git work tree holding ``start`` (resolved), or None outside one."""
    start = start.resolve()
    return next((f for f in [start, *start.parents] if (f / ".git").exists()), None)


def find_upward(start: Path, name: str) -> Path | None:
    """The nearest file ``name`` from ``start`` upward, not above the git root."""
    return next((f / name for f in up_to_repo(start) if (f / name).is_file()), None)
