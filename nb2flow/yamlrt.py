"""Round-trip YAML editing (ruamel.yaml) that keeps a file's comments, order and style.

ruamel.yaml keeps comments, key order, quotes and anchors, but writes every block with one
indentation and ``None`` as an empty value. :func:`load` measures the file's own
indentation, ``---`` marker and spelling of null, so a file that is loaded and dumped
without changes comes back byte for byte (:func:`round_trips` says whether it does), and
an edit changes only the lines it touches.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.representer import RoundTripRepresenter

_KEY_LINE = re.compile(r"^(?P<lead>\s*(?:-\s+)*)(?P<key>[^\s#'\"\[{][^#]*?|'[^']*'|\"[^\"]*\"):"
                       r"\s*(?:&\S+\s*)?(?:#.*)?$")
_NULL = re.compile(r"(?:^|:|-)\s+(?:null|Null|NULL)\s*(?:#.*)?$", re.M)


@dataclass(frozen=True)
class Style:
    mapping: int = 2  # indentation of a nested mapping
    sequence: int = 2  # indentation of a sequence item's content, dash included
    offset: int = 0  # indentation of the dash
    explicit_start: bool = False  # the file starts with ``---``
    null: bool = True  # write None as ``null`` (else as an empty value)


def guess_style(text: str, default: Style = Style()) -> Style:
    """The indentation a file uses, from its block mappings and sequences.

    For each ``key:`` line that opens a block, the next content line tells the mapping
    indentation (another key) or the sequence indentation and dash offset (a ``-`` item).
    The most common value wins; values a file never shows come from ``default``.
    """
    lines = [
        line for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#") and line.strip() != "---"
    ]
    mappings: Counter[int] = Counter()
    sequences: Counter[tuple[int, int]] = Counter()
    for here, after in zip(lines, lines[1:]):
        m = _KEY_LINE.match(here)
        if m is None:
            continue
        key_col = len(m["lead"])
        stripped = after.lstrip(" ")
        col = len(after) - len(stripped)
        if col < key_col or (col == key_col and not stripped.startswith("- ")
                             and stripped != "-"):
            continue
        if stripped.startswith("- ") or stripped == "-":
            rest = stripped[1:]
            content = col + 1 + (len(rest) - len(rest.lstrip(" ")))
            sequences[(content - key_col, col - key_col)] += 1
        elif col > key_col:
            mappings[col - key_col] += 1
    mapping = mappings.most_common(1)[0][0] if mappings else default.mapping
    if sequences:
        sequence, offset = sequences.most_common(1)[0][0]
    else:
        sequence, offset = default.sequence, default.offset
    return Style(
        mapping=mapping, sequence=max(sequence, offset + 2), offset=offset,
        explicit_start=text.lstrip().startswith("---"),
        null=bool(_NULL.search(text)) or not _has_empty_values(text),
    )


def _has_empty_values(text: str) -> bool:
    """Whether the file writes a null as ``key:`` with nothing after it."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    for here, after in zip(lines, [*lines[1:], ""]):
        m = _KEY_LINE.match(here)
        if m is None:
            continue
        key_col = len(m["lead"])
        col = len(after) - len(after.lstrip(" "))
        if col <= key_col and not (col == key_col and after.lstrip().startswith("-")):
            return True
    return False


class _NullRepresenter(RoundTripRepresenter):
    """Writes None as ``null`` (ruamel's round-trip default writes nothing)."""


_NullRepresenter.add_representer(
    type(None), lambda self, data: self.represent_scalar("tag:yaml.org,2002:null", "null")
)


def yaml_for(style: Style) -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=style.mapping, sequence=style.sequence, offset=style.offset)
    yaml.explicit_start = style.explicit_start
    if style.null:
        yaml.Representer = _NullRepresenter
    return yaml


class YamlSyntaxError(ValueError):
    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


def load(text: str, default: Style = Style()) -> tuple[Any, Style]:
    """Parse YAML for a round trip; raise :class:`YamlSyntaxError` with a 1-based line."""
    style = guess_style(text, default)
    try:
        data = yaml_for(style).load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlSyntaxError(problem, mark.line + 1 if mark else None) from None
    except YAMLError as exc:
        raise YamlSyntaxError(str(exc).splitlines()[0], None) from None
    return data, style


def dump(data: Any, style: Style) -> str:
    out = io.StringIO()
    yaml_for(style).dump(data, out)
    return out.getvalue()


def round_trips(text: str) -> bool:
    """Whether loading and dumping ``text`` unchanged gives back the same text."""
    data, style = load(text)
    return dump(data, style) == text


def block_map(items: dict[str, Any] | None = None) -> CommentedMap:
    new = CommentedMap()
    new.fa.set_block_style()
    for key, value in (items or {}).items():
        new[key] = value
    return new


def block_seq(items: list[Any] | None = None) -> CommentedSeq:
    new = CommentedSeq(items or [])
    new.fa.set_block_style()
    return new


def flow_seq(items: list[Any]) -> CommentedSeq:
    new = CommentedSeq(items)
    new.fa.set_flow_style()
    return new


def line_of(node: Any, key: Any = None) -> int | None:
    """1-based line of ``node`` (or of ``key`` inside it), when ruamel recorded one."""
    try:
        if key is None:
            return node.lc.line + 1
        if isinstance(node, CommentedSeq):
            return node.lc.item(key)[0] + 1
        return node.lc.key(key)[0] + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        return None
