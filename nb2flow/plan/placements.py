"""Where each kept statement went (``nb2flow inspect``)."""

from __future__ import annotations

from ..ir import Placement, Statement
from .module import ModuleLevel
from .scope import Scope
from .syntax import called, target_of
from .units import Unit


def placements_of(scope: Scope, param_stmts: list[Statement], level: ModuleLevel,
                  task_fns: set[str], units: list[Unit]) -> tuple[Placement, ...]:
    out = [_placed(s, "import") for s in scope.imports]
    out += [_placed(s, "parameter", target_of(s)) for s in param_stmts]
    for s in level.statements:
        name = s.facts.writes[0]
        out.append(_placed(s, "task" if name in task_fns else "module", name))
    for u in units:
        if u.call is not None:
            out.append(_placed(u.call, "flow", called(u.call)))
        else:
            out += [_placed(s, "task", u.name) for s in u.statements]
    return tuple(sorted(out, key=lambda p: (p.cell, p.line)))


def _placed(s: Statement, where: str, name: str = "") -> Placement:
    return Placement(s.cell, s.line, where, name, s.decision, s.kept_because)
