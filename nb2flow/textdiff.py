"""The unified diff that ``--diff`` and ``--check`` show for every file nb2flow writes."""

from __future__ import annotations

import difflib
from pathlib import Path


def unified_diff(path: Path | str, old: str | None, new: str) -> str:
    """``old`` (None: the file does not exist) against what nb2flow would write."""
    return "".join(difflib.unified_diff(
        (old or "").splitlines(keepends=True), new.splitlines(keepends=True),
        fromfile=str(path), tofile=f"{path} (nb2flow)",
    ))
