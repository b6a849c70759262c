"""IPython's own reading of magic, shell and help syntax, line positions kept.

``IPython.core.inputtransformer2.TransformerManager`` is what IPython runs on a cell before
Python sees it: its token transformers turn ``!cmd``, ``x = !cmd``, ``%magic args``,
``x = %magic``, ``name?``, ``/f x``, ``,f a b`` and ``;f a b`` into plain Python
(``get_ipython().system('cmd')``, ``get_ipython().run_line_magic('magic', 'args')`` ...),
and know what is inside a string or a bracket. :func:`calls` runs them and reads the
resulting ``get_ipython()`` calls back as :class:`Call` records for ``magics`` to map.

IPython costs about 0.35 s to import (its interactive shell comes with the package), so it
is imported only for a cell that has this syntax (``magics.translate`` is called only for
cells that do not parse as Python).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

#: A line IPython's token transformers may change (escapes at a line start, after ``=``, or
#: a trailing ``?``); other cells do not import IPython.
_SYNTAX = re.compile(r"^\s*[!%?/,;]|^[^#]*=\s*[!%]|\?\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Call:
    """One ``get_ipython()`` call IPython wrote for a line: ``kind`` is ``system``,
    ``getoutput`` or ``run_line_magic``; ``args`` its literal arguments; ``target`` the
    assigned names (``x = !ls``) or None."""

    kind: str
    args: tuple[str, ...]
    target: str | None


def transform(lines: list[str]) -> list[tuple[str, int]]:
    """IPython's token transforms of ``lines``: for each line of the result, its text and
    how many of the input lines it stands for (a ``!cmd \\`` continued line is one)."""
    if not _SYNTAX.search("\n".join(lines)):
        return [(line, 1) for line in lines]
    from IPython.core.inputtransformer2 import (  # noqa: PLC0415 - 0.35 s, only here
        TokenTransformBase,
        TransformerManager,
        make_tokens_by_line,
    )

    manager = TransformerManager()
    current = [line + "\n" for line in lines]
    spans = [1] * len(current)
    for _ in range(500):  # IPython's TRANSFORM_LOOP_LIMIT
        found = [t for t in (cls.find(make_tokens_by_line(current))
                             for cls in manager.token_transformers) if t]
        for transformer in sorted(found, key=TokenTransformBase.sortby):
            try:
                new = transformer.transform(current)
            except SyntaxError:
                continue
            start, gone = transformer.start_line, len(current) - len(new)
            spans[start:start + gone + 1] = [sum(spans[start:start + gone + 1])]
            current = new
            break
        else:
            break
    return [(line.rstrip("\n"), span) for line, span in zip(current, spans)]


def call_of(line: str) -> Call | None:
    """The ``get_ipython()`` call of a transformed line, or None for plain Python."""
    if "get_ipython()" not in line:
        return None
    try:
        tree = ast.parse(line.strip())
    except SyntaxError:
        return None
    if len(tree.body) != 1:
        return None
    stmt = tree.body[0]
    target = None
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target, value = ast.unparse(stmt.targets[0]), stmt.value
    elif isinstance(stmt, ast.Expr):
        value = stmt.value
    else:
        return None
    func = value.func if isinstance(value, ast.Call) else None
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call)
            and isinstance(func.value.func, ast.Name) and func.value.func.id == "get_ipython"
            and func.attr in ("system", "getoutput", "run_line_magic")):
        return None
    try:
        args = tuple(ast.literal_eval(a) for a in value.args)
    except ValueError:
        return None
    if not all(isinstance(a, str) for a in args):
        return None
    return Call(func.attr, args, target)
