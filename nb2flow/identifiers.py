"""Identifiers nb2flow makes up: snake_case from text, and a name no one else has taken."""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable

_STOPWORDS = {"the", "a", "an", "of", "and", "our", "my", "to", "for", "with", "some"}


def snake(text: str, drop_stopwords: bool = False) -> str:
    """``"1. Train the Model"`` -> ``train_model`` (at most six words)."""
    text = re.sub(r"^\s*(\d+[.)]?|step\s+\d+[:.]?)\s+", "", text, flags=re.IGNORECASE)
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    words = re.findall(r"[A-Za-z0-9]+", text.lower())
    if drop_stopwords:
        kept = [w for w in words if w not in _STOPWORDS]
        words = kept or words
    name = "_".join(words[:6])
    if name and name[0].isdigit():
        name = f"n{name}"
    return name


def unique(base: str, taken: set[str], suffix: str = "",
           key: Callable[[str], str] = str) -> str:
    """``base`` if free (and not a keyword), else ``base + suffix``, else ``base_2``, ...;
    ``key`` maps a candidate to the form ``taken`` holds."""
    if key(base) not in taken and not keyword.iskeyword(base):
        return base
    if suffix and key(f"{base}{suffix}") not in taken:
        return f"{base}{suffix}"
    i = 2
    while key(f"{base}_{i}") in taken:
        i += 1
    return f"{base}_{i}"
