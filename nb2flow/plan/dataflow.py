"""Dataflow: what each unit reads from earlier ones (forward) and which of its writes a
later unit needs (backward liveness); the flow body's calls."""

from __future__ import annotations

from ..classify import code_of
from ..ir import Call, Task
from .syntax import strip_blank, tree_of
from .paths import built_paths
from .tasks import make_task
from .units import Unit


def dataflow(
    units: list[Unit],
    flow_vars: set[str],
    module_names: set[str],
    path_values: dict[str, str],
    sections: list[str],
    pyplot: str | None = None,
) -> tuple[list[Task], list[Call]]:
    # Forward: what each unit reads from earlier units or parameters.
    available = set(flow_vars)
    info: list[tuple[list[str], list[str], set[str]]] = []  # inputs, writes, definite
    for u in units:
        stmts = [u.call] if u.call is not None else u.statements
        inputs: list[str] = []
        definite: set[str] = set()
        writes: list[str] = []
        dead: set[str] = set()  # deleted (`del name`) and not bound again in this unit
        for s in stmts:
            for r in s.facts.reads:
                if r in available and r not in definite and r not in inputs:
                    inputs.append(r)
            for w in s.facts.writes:
                if w not in module_names and w not in writes:
                    writes.append(w)
            dead.difference_update(s.facts.writes)
            dead.update(s.facts.deletes)
            definite.difference_update(s.facts.deletes)
            definite.update(s.facts.definite)
        for w in writes:  # a name only maybe-written must come in to go out
            if w not in definite and w in available and w not in inputs:
                inputs.append(w)
        writes = [w for w in writes if w not in dead]
        available.update(writes)
        available.difference_update(dead)
        definite |= dead  # a deleted name is dead after this unit, as if overwritten
        info.append((inputs, writes, definite))
    # Backward: which writes a later unit needs.
    live: set[str] = set()
    outputs: list[list[str]] = [[] for _ in units]
    for i in range(len(units) - 1, -1, -1):
        inputs, writes, definite = info[i]
        outputs[i] = [w for w in writes if w in live]
        live = (live - (definite - set(inputs))) | set(inputs)
    tasks: list[Task] = []
    body: list[Call] = []
    path_values = {**built_paths(units), **path_values}
    for u, (inputs, _writes, _definite), outs, section in zip(units, info, outputs, sections):
        if u.call is not None:
            line = strip_blank(code_of(u.call.node)).strip("\n")
            tree = tree_of(u.call)
            func = tree.value.func.id
            targets = tuple(w for w in u.call.facts.writes)
            body.append(Call(func, tuple(inputs), targets, line, section))
            continue
        tasks.append(make_task(u, inputs, outs, path_values, pyplot))
        target = ", ".join(outs)
        call = f"{u.name}({', '.join(inputs)})"
        body.append(Call(u.name, tuple(inputs), tuple(outs),
                         f"{target} = {call}" if outs else call, section))
    return tasks, body
