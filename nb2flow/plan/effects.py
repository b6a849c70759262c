"""Effects of each step that the scheduler (:mod:`nb2flow.concurrency`) must respect."""

from __future__ import annotations

import ast

from ..analyze import call_name
from ..concurrency import CallEffects
from ..ir import Call
from .syntax import tree_of, uses_random
from .units import Unit


def effects_of(u: Unit, call: Call, params: set[str], modules: set[str],
             functions: dict[str, tuple[bool, bool]] | None = None,
             state: set[str] = frozenset()) -> CallEffects:
    """What the scheduler must respect; ``state``: module names that functions change
    through ``global``, so reading them depends on when those functions ran."""
    if u.call is not None:  # a notebook function: it may change any argument in place
        body_reads, body_writes = (functions or {}).get(call.func, (True, True))
        return CallEffects(
            mutates=frozenset(a for a in call.args if a not in params),
            reads_outside=u.call.facts.reads_io or body_reads or uses_random(u.call),
            # called only for its effect (`simulate()`), or its body writes or has globals
            writes_outside=u.call.facts.writes_io or body_writes
            or isinstance(tree_of(u.call), ast.Expr),
        )
    mutated = {m for s in u.statements for m in s.facts.mutates} & set(call.args)
    unknown = any(
        isinstance(s.tree, ast.Expr) and isinstance(s.tree.value, ast.Call)
        and not set(s.facts.writes) - modules
        and call_name(s.tree.value) != "print"
        for s in u.statements
    )
    touches_state = any(set(s.facts.reads) & state for s in u.statements)
    return CallEffects(
        mutates=frozenset(mutated),
        reads_outside=touches_state
        or any(s.facts.reads_io or uses_random(s) for s in u.statements),
        writes_outside=unknown or any(s.facts.writes_io for s in u.statements)
        or any(set(s.facts.writes) & state for s in u.statements),
    )
