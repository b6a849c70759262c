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
_TILDE = re.compile(r"(?:^|:|-)\s+~\s*(?:#.*)?$", re.M)


@dataclass(frozen=True)
class Style:
    mapping: int = 2  # indentation of a nested mapping
    sequence: int = 2  # indentation of a sequence item's content, dash included
    offset: int = 0  # indentation of the dash
    explicit_start: bool = False  # the file starts with ``---``
    null: str = "null"  # how None is written: "null", "~" or "" (an empty value)


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
        null=_null_spelling(text),
    )


def _null_spelling(text: str) -> str:
    """The file's way of writing null, the most frequent one; ``null`` by default."""
    counts = {"null": len(_NULL.findall(text)), "~": len(_TILDE.findall(text)),
              "": _has_empty_values(text)}
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] else "null"


def _has_empty_values(text: str) -> int:
    """How many nulls the file writes as ``key:`` with nothing after it."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    count = 0
    for here, after in zip(lines, [*lines[1:], ""]):
        m = _KEY_LINE.match(here)
        if m is None:
            continue
        key_col = len(m["lead"])
        col = len(after) - len(after.lstrip(" "))
        if col <= key_col and not (col == key_col and after.lstrip().startswith("-")):
            count += 1
    return count


class _NullRepresenter(RoundTripRepresenter):
    """Writes None as ``null`` (ruamel's round-trip default writes nothing)."""


class _TildeRepresenter(RoundTripRepresenter):
    """Writes None as ``~``."""


_NullRepresenter.add_representer(
    type(None), lambda self, data: self.represent_scalar("tag:yaml.org,2002:null", "null")
)
_TildeRepresenter.add_representer(
    type(None), lambda self, data: self.represent_scalar("tag:yaml.org,2002:null", "~")
)


def yaml_for(style: Style) -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=style.mapping, sequence=style.sequence, offset=style.offset)
    yaml.explicit_start = style.explicit_start
    if style.null == "null":
        yaml.Representer = _NullRepresenter
    elif style.null == "~":
        yaml.Representer = _TildeRepresenter
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
        # the context (where the construct began) is where to look, when there is one:
        # an unclosed `[` is noticed only at the end of the file
        mark = exc.context_mark or exc.problem_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            problem = f"{exc.context}: {exc.problem}"
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


# ruamel keeps the comment lines that follow a block on the block's last scalar entry
# (mapping: slot 2 of ``ca.items[key]``; sequence: slot 0 of ``ca.items[index]``), so
# replacing or deleting that entry would drop a comment that introduces the next key.


def _tail(node: Any) -> tuple[Any, Any] | None:
    """The container and key of the innermost last entry of a block."""
    while isinstance(node, (CommentedMap, CommentedSeq)) and len(node):
        key = list(node)[-1] if isinstance(node, CommentedMap) else len(node) - 1
        child = node[key]
        if isinstance(child, (CommentedMap, CommentedSeq)) and len(child) \
                and not child.fa.flow_style():
            node = child
            continue
        return node, key
    return None


def _slot(container: Any) -> int:
    return 2 if isinstance(container, CommentedMap) else 0


def _take_comment(container: Any, key: Any) -> Any:
    entry = container.ca.items.get(key)
    if not entry:
        return None
    token = entry[_slot(container)]
    entry[_slot(container)] = None
    if token is None:
        return None
    value = token.value
    if value.startswith("#"):  # the entry's own end-of-line comment stays with it
        value = "\n" + value.split("\n", 1)[1] if "\n" in value else ""
    if value in ("", "\n"):  # nothing after the end of the line
        return None
    token.value = value
    return token


def _trailing(mapping: Any, key: Any) -> Any:
    """Remove and return the comment lines that follow ``mapping[key]`` (or a seq item)."""
    value = mapping[key]
    tail = _tail(value) if isinstance(value, (CommentedMap, CommentedSeq)) else None
    return _take_comment(*tail) if tail else _take_comment(mapping, key)


def _attach(mapping: Any, key: Any, token: Any) -> None:
    value = mapping[key]
    container, at = (_tail(value) if isinstance(value, (CommentedMap, CommentedSeq))
                     else None) or (mapping, key)
    entry = container.ca.items.setdefault(at, [None, None, None, None])
    slot = _slot(container)
    if entry[slot] is not None:  # keep its end-of-line comment, then the lines after
        token.value = entry[slot].value.rstrip("\n") + token.value
    entry[slot] = token


def set_value(mapping: CommentedMap, key: Any, value: Any) -> None:
    """``mapping[key] = value``, keeping the comment lines that followed the old value."""
    token = _trailing(mapping, key) if key in mapping else None
    mapping[key] = value
    if token is not None:
        _attach(mapping, key, token)


def delete_key(mapping: CommentedMap, key: Any) -> None:
    """``del mapping[key]``, keeping the comment lines that followed it."""
    last = list(mapping)[-1] == key
    token = _trailing(mapping, key) if last else None
    del mapping[key]
    if last:
        mapping.ca.items.pop(key, None)
    if token is not None and len(mapping):
        _attach(mapping, list(mapping)[-1], token)


def insert_key(mapping: CommentedMap, position: int, key: Any, value: Any) -> None:
    """``mapping.insert(position, key, value)``; the comment lines that followed the entry
    before it now follow the new entry (they introduce what came next)."""
    keys = list(mapping)
    token = _trailing(mapping, keys[position - 1]) if 0 < position <= len(keys) else None
    mapping.insert(position, key, value)
    if token is not None:
        _attach(mapping, key, token)


def append_item(seq: CommentedSeq, item: Any) -> None:
    """``seq.append(item)``; comment lines after the old last item move after the new one
    (they introduce what follows the sequence: the next key, or the end of the file)."""
    token = _trailing(seq, len(seq) - 1) if len(seq) else None
    seq.append(item)
    if token is not None:
        _attach(seq, len(seq) - 1, token)


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
