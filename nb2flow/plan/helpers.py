"""Helper functions copied into generated scripts, kept as real modules in
``templates/helpers/`` (linted, and importable by tests).

A helper file is: comments, the imports the helper needs, then the helper's code, copied
as is. Upper-case ``YEAR``/``MONTH`` in ``scheduled_month.py`` are placeholders for the
names of the flow's year and month parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..render import template_dir


@dataclass(frozen=True)
class Helper:
    imports: tuple[str, ...]  # import lines the helper needs in the script
    source: str  # its code, without a trailing newline


@lru_cache(maxsize=None)
def helper(name: str) -> Helper:
    """The helper ``templates/helpers/<name>.py``."""
    text = (template_dir() / "helpers" / f"{name}.py").read_text(encoding="utf-8")
    head, sep, code = text.partition("\ndef ")
    imports = tuple(line for line in head.splitlines() if line.startswith(("import ", "from ")))
    return Helper(imports, (sep.lstrip("\n") + code).rstrip("\n"))


def scheduled_month(year: str, month: str) -> str:
    """``scheduled_month`` for parameters named ``year`` and ``month``."""
    source = helper("scheduled_month").source
    return re.sub(r"\bMONTH\b", month, re.sub(r"\bYEAR\b", year, source))


def content_key() -> str:
    """The cache key function of ``--cache`` (``content_key`` and ``_content``)."""
    return helper("content_key").source
