"""Values built from a secret are built again by each task that uses them.

``engine = create_engine(Secret.load("pg").get())`` in one cell and ``pd.read_sql(q,
engine)`` in another would pass the engine, and the password inside it, from task to task
as a Prefect result. Instead the statement that builds it is copied to the start of each
cell that reads it (as :func:`nb2flow.secrets._materialise` does for the secret itself), so
every task loads the secret and builds its own engine or client; nothing derived from a
secret crosses a task boundary.

A statement ``name = call(...)`` is rebuilt when:

- ``call`` builds something from a secret (:func:`nb2flow.secrets._holders`: not a data
  read such as ``pd.read_csv(url)``);
- ``name`` is bound once, no notebook function or class reads it, and nothing changes its
  state after it is built (an attribute or item set, ``session.headers.update(...)``,
  ``.mount``, ``.set_*``, passing it to a notebook function that changes its argument):
  method calls that use it (``engine.connect()``, ``s3.upload_file(...)``) are fine;
- each name the call reads is bound once and not changed (a parameter, a constant, another
  rebuilt value, a secret read).

Anything else built from a secret stays where it is, and
:func:`nb2flow.secrets.guard_results` keeps it out of result storage (NB2W013).
"""

from __future__ import annotations

import ast
import re

from .astnodes import walk
from .ir import IMPORT, Classified, Statement

#: Methods that configure the object they are called on: its state would be lost.
_CONFIGURE = re.compile(
    r"^(update|mount|set\w*|setdefault|add\w*|append|extend|insert|register\w*|configure|"
    r"login|auth\w*|__setitem__|pop\w*|remove|clear|install\w*|use)$")
_UNSAFE = (ast.Lambda, ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)


def rebuildable(c: Classified, held: set[str], mutated: set[str],
                pure: set[str]) -> list[Statement]:
    """The statements to build again in each cell that reads their name (see above)."""
    from .secrets import _target_name

    out: list[Statement] = []
    ok = set(pure)
    skip = c.import_names | {"Secret", "os"}
    binds = _bindings(c)
    for s in c.statements:
        name = _target_name(s)
        if (s.role == IMPORT or not name or name not in held or name in pure
                or binds.get(name, 0) != 1):
            continue
        value = s.tree.value
        if not isinstance(value, ast.Call) or any(isinstance(n, _UNSAFE)
                                                 for n in walk(value)):
            continue
        reads = set(s.facts.reads) - skip - {name}
        if any(binds.get(r, 0) > 1 or (r in mutated and r not in ok) for r in reads):
            continue
        if _read_by_definition(c, name) or _state_changed(c, name, s):
            continue
        ok.add(name)
        out.append(s)
    return out


def _bindings(c: Classified) -> dict[str, int]:
    """How many statements bind each name (``x.f()`` changes ``x`` but does not bind it)."""
    count: dict[str, int] = {}
    for s in c.statements:
        if s.role == IMPORT:
            continue
        bound = {n.id for n in walk(s.tree) if isinstance(n, ast.Name)
                 and isinstance(n.ctx, (ast.Store, ast.Del))}
        bound |= {n.name for n in walk(s.tree) if isinstance(
            n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
        bound |= {(a.asname or a.name).split(".")[0] for n in walk(s.tree)
                  if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
        for name in bound:
            count[name] = count.get(name, 0) + 1
    return count


def _read_by_definition(c: Classified, name: str) -> bool:
    return any(isinstance(s.tree, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
               and name in s.facts.reads for s in c.statements if s.role != IMPORT)


def _state_changed(c: Classified, name: str, built: Statement) -> bool:
    """A statement after ``built`` changes the object's state (not only uses it)."""
    for s in c.statements:
        if s is built or s.role == IMPORT or name not in s.facts.mutates + s.facts.reads:
            continue
        used = False
        for node in walk(s.tree):
            targets = []
            if isinstance(node, (ast.Assign, ast.Delete)):
                targets = node.targets
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
                targets = [node.target]
            if any(not isinstance(t, ast.Name) and _root(t) == name for t in targets):
                return True
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
                    _root(node.func) == name):
                if _CONFIGURE.match(node.func.attr):
                    return True
                used = True
        if name in s.facts.mutates and not used:  # a function changed its argument
            return True
    return False


def _root(e: ast.expr) -> str | None:
    while isinstance(e, (ast.Attribute, ast.Subscript, ast.Call)):
        e = e.func if isinstance(e, ast.Call) else e.value
    return e.id if isinstance(e, ast.Name) else None
