"""The dependency graph between a notebook's top-level statements.

A statement depends on the earlier statements that define (or change in place) the names it
reads, and on the earlier statements that write the files it reads: ``!wget -O model.h5``
before ``load_model("model.h5")`` is an edge although no name connects them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set

from ..ir import Facts, Statement
from .roles import Role


def dependencies(code: Sequence[Statement], roles: Sequence[Role],
                 facts: Sequence[Facts] | None = None) -> list[list[int]]:
    """For each statement, the earlier statements it needs (by name, then by file).
    ``facts`` replaces the statements' own facts (a plot's, without the data it only
    draws)."""
    reaching: dict[str, list[int]] = {}
    writers: dict[str, int] = {}
    deps: list[list[int]] = []
    for i, (s, role) in enumerate(zip(code, roles)):
        f = facts[i] if facts is not None else s.facts
        mine: list[int] = []
        for name in f.reads:
            for j in reaching.get(name, ()):
                if j not in mine:
                    mine.append(j)
        for path in sorted(role.file_reads):
            j = writers.get(path)
            if j is not None and j not in mine:
                mine.append(j)
        deps.append(mine)
        reads = set(f.reads)
        definite = set(f.definite)
        for name in f.writes:
            if name in reads or name in definite:
                reaching[name] = [i]  # a read-then-write continues the chain through i
            else:
                reaching[name] = [*reaching.get(name, ()), i]
        for path in role.file_writes:
            writers[path] = i
    return deps


def closure(start: Iterable[int], deps: Sequence[Sequence[int]],
            stop: Set[int] = frozenset()) -> set[int]:
    """``start`` and everything it needs, not walking past the statements in ``stop``."""
    start = list(start)
    seen: set[int] = set()
    todo = [i for i in start if i not in stop]
    while todo:
        i = todo.pop()
        if i in seen:
            continue
        seen.add(i)
        todo.extend(j for j in deps[i] if j not in seen and j not in stop)
    return seen | {i for i in start if i in stop}


def needing(target: int, deps: Sequence[Sequence[int]], last: int) -> set[int]:
    """The statements up to ``last`` whose :func:`closure` holds ``target``: ``target`` and
    those that need it, directly or through others. One pass over the statements between
    the two (a statement needs only earlier ones), not a closure per statement."""
    found = {target}
    for j in range(target + 1, last + 1):
        if any(k in found for k in deps[j]):
            found.add(j)
    return found
