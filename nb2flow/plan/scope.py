"""Who binds what at module level: the facts every later decision of the plan reads."""

from __future__ import annotations

import keyword
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from ..analyze import BUILTINS
from ..ir import IMPORT, Classified, Statement


@dataclass(frozen=True)
class Scope:
    imports: tuple[Statement, ...]
    code: tuple[Statement, ...]  # every kept statement but the imports
    import_names: frozenset[str]
    write_count: Mapping[str, int]  # how many statements bind each name
    mutated: frozenset[str]  # names whose object some statement changes in place
    written: frozenset[str]  # names bound anywhere: imports, code, ``global``

    @property
    def taken(self) -> set[str]:
        """Names a made-up name must avoid: the notebook's, builtins and keywords."""
        return set(self.written) | BUILTINS | set(keyword.kwlist)


def scope_of(c: Classified) -> Scope:
    imports = tuple(s for s in c.statements if s.role == IMPORT)
    code = tuple(s for s in c.statements if s.role != IMPORT)
    import_names = frozenset(n for s in imports for n in s.facts.writes)
    write_count: dict[str, int] = {}
    mutated: set[str] = set()
    for s in code:
        for n in s.facts.writes:
            write_count[n] = write_count.get(n, 0) + 1
        mutated.update(s.facts.mutates)
    written = set(write_count) | import_names | {g for s in code for g in s.facts.declares_global}
    return Scope(imports, code, import_names, MappingProxyType(write_count),
                 frozenset(mutated), frozenset(written))
