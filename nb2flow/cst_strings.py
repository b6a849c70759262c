"""The one libcst transformer that replaces string literals by expressions (a path by its
parameter, a secret by the read of its block)."""

from __future__ import annotations

import libcst as cst


class StringReplacer(cst.CSTTransformer):
    """Replace each string literal whose value is a key of ``mapping`` (plain or implicitly
    concatenated, ``"a" "b"``) by the expression ``mapping[value]`` (Python source).
    ``into_functions=False`` leaves function and lambda bodies alone."""

    def __init__(self, mapping: dict[str, str], into_functions: bool = True):
        self.mapping = mapping
        self.into_functions = into_functions

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return self.into_functions

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return self.into_functions

    def _replace(self, updated):
        try:
            value = updated.evaluated_value
        except Exception:  # noqa: BLE001 - bytes or unusual prefixes: leave as is
            return updated
        if isinstance(value, str) and value in self.mapping:
            return cst.parse_expression(self.mapping[value])
        return updated

    def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString):
        return self._replace(updated)

    def leave_ConcatenatedString(self, original: cst.ConcatenatedString,
                                 updated: cst.ConcatenatedString):
        return self._replace(updated)
