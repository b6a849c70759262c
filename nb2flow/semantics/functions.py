"""Notebook functions: what calling each one does (a fixpoint over their calls)."""

from __future__ import annotations

import ast


from .facts import role_of
from .roles import Context, Role


def function_roles(defs: dict[str, ast.FunctionDef | ast.AsyncFunctionDef],
                   modules: dict[str, str], constructors: dict[str, str]) -> dict[str, Role]:
    """What calling each notebook function does, through calls between them (a fixpoint:
    a function that calls a writing function writes)."""
    roles: dict[str, Role] = {name: Role() for name in defs}
    changed = True
    rounds = 0
    while changed and rounds < len(defs) + 1:
        changed = False
        rounds += 1
        ctx = Context(modules, roles, constructors)
        for name, fn in defs.items():
            role = Role()
            for stmt in fn.body:
                part = role_of(stmt, ctx)
                _merge(role, part)
            if _summary(role) != _summary(roles[name]):
                roles[name] = role
                changed = True
    return roles


def _merge(into: Role, part: Role) -> None:
    into.sinks.extend(s for s in part.sinks if s not in into.sinks)
    into.records |= part.records
    into.reports |= part.reports
    into.demo = into.demo or part.demo
    into.fits.extend(part.fits)
    into.search = into.search or part.search
    into.file_reads |= part.file_reads
    into.file_writes |= part.file_writes
    into.callbacks |= part.callbacks
    if part.effect and not into.effect:
        into.effect, into.effect_target = part.effect, part.effect_target


def _summary(role: Role) -> tuple:
    return (tuple(role.sinks), role.records, role.reports, bool(role.fits), role.search,
            role.effect, role.demo, tuple(sorted(role.file_writes)),
            tuple(sorted(role.file_reads)))
