"""Secrets in the literal parts of f-strings.

``f"postgresql://etl:S3cr3t!@{host}/db"`` and ``f"...?apikey=abc123...&q={city}"`` hold a
secret in their text while the rest is computed. The f-string is scanned as a whole, with
each ``{expression}`` standing as ``{}`` (so a query value or a password that *is* an
expression, ``?apikey={key}``, is not a secret), and each secret in its text becomes one
more replacement field reading it at run time::

    f"postgresql://etl:{Secret.load('etl-password').get()}@{host}/db"

The read uses the quote the f-string does not use, so the script stays valid Python 3.11.
"""

from __future__ import annotations

from typing import Callable

import libcst as cst

from .secret_spans import Span, spans

#: ``read_of(secret, key, kind, text)``: the expression reading the secret at run time.
ReadOf = Callable[[str, str, str, str], str]
PLACEHOLDER = "{}"


def redact_fstrings(node: cst.CSTNode, read_of: ReadOf, key_of) -> cst.CSTNode | None:
    """``node`` with each secret in an f-string's text replaced by a read (``key_of(span,
    name, template)`` names it), or None when it has none."""
    names = _Names()
    node.visit(names)
    fstrings = _FStrings(names.names, read_of, key_of)
    new = node.visit(fstrings)
    return new if fstrings.changed else None


class _Names(cst.CSTVisitor):
    """The name each f-string is bound to: an assignment's target, a keyword, a dict key."""

    def __init__(self) -> None:
        self.names: dict[int, str] = {}

    def _bind(self, value, name: str) -> None:
        if isinstance(value, cst.FormattedString) and name:
            self.names[id(value)] = name

    def visit_Assign(self, node: cst.Assign) -> None:
        for t in node.targets:
            target = t.target
            if isinstance(target, cst.Name):
                self._bind(node.value, target.value)
            elif isinstance(target, cst.Attribute):
                self._bind(node.value, target.attr.value)
            elif isinstance(target, cst.Subscript) and len(target.slice) == 1:
                index = target.slice[0].slice
                if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
                    self._bind(node.value, str(index.value.evaluated_value))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name):
            self._bind(node.value, node.target.value)

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._bind(node.value, node.keyword.value)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        if isinstance(node.key, cst.SimpleString):
            self._bind(node.value, str(node.key.evaluated_value))


class _FStrings(cst.CSTTransformer):
    def __init__(self, names: dict[int, str], read_of: ReadOf, key_of) -> None:
        self.names, self.read_of, self.key_of = names, read_of, key_of
        self.changed = False

    def leave_FormattedString(self, original, updated):
        template, texts = "", []  # texts: (offset in template, index in parts)
        for i, part in enumerate(updated.parts):
            if isinstance(part, cst.FormattedStringText):
                texts.append((len(template), i))
                template += part.value
            else:
                template += PLACEHOLDER
        name = self.names.get(id(original), "")
        found = [sp for sp in spans(template, name) if template[sp.start:sp.end] != PLACEHOLDER]
        if not found:
            return updated
        inner = "'" if '"' in updated.start + updated.end else '"'
        parts = list(updated.parts)
        for offset, i in reversed(texts):
            text = parts[i].value
            cuts = [(max(sp.start, offset) - offset, min(sp.end, offset + len(text)) - offset, sp)
                    for sp in found if sp.start < offset + len(text) and offset < sp.end]
            if cuts:
                parts[i:i + 1] = self._pieces(text, cuts, name, template, inner)
        self.changed = True
        return updated.with_changes(parts=parts)

    def _pieces(self, text: str, cuts: list[tuple[int, int, Span]], name: str, template: str,
                inner: str) -> list[cst.BaseFormattedStringContent]:
        out: list[cst.BaseFormattedStringContent] = []
        last = 0
        for start, end, sp in cuts:
            if start > last:
                out.append(cst.FormattedStringText(text[last:start]))
            read = self.read_of(text[start:end], self.key_of(sp, name, template), sp.kind, text)
            out.append(cst.FormattedStringExpression(
                expression=cst.parse_expression(read.replace('"', inner))))
            last = end
        if last < len(text):
            out.append(cst.FormattedStringText(text[last:]))
        return out
