"""The flow body: the units' dataflow, which calls run concurrently, the tasks'
decorators, and ``--subflows``."""

from __future__ import annotations

from dataclasses import replace

from ..analyze import tree_io
from ..concurrency import schedule
from ..ir import Call, Classified, Diagnostic, Statement, Subflow, Task
from ..options import ConvertOptions
from .dataflow import dataflow
from .effects import effects_of
from .module import ModuleLevel, ScriptNames, pyplot_alias
from .paths import Steps
from .subflows import make_subflows
from .syntax import tree_of, uses_random
from .tasks import TASK_RUNNERS, decorate
from .units import Unit, sections_of


def flow_body(c: Classified, units: list[Unit], steps: Steps, level: ModuleLevel,
              names: ScriptNames, options: ConvertOptions, imports: tuple[Statement, ...],
              diagnostics: list) -> tuple[list[Task], list[Call], list[Subflow]]:
    flow_vars = {p.name for p in steps.params} | {
        line.split(" = ", 1)[0] for line in steps.prelude}
    tasks, body = dataflow(units, flow_vars, set(level.names | level.unknown),
                           dict(steps.path_values), sections_of(c, units),
                           pyplot_alias(list(imports)))
    body = _scheduled(c, units, body, tasks, level, steps, names, options)
    by_name = {u.name: u for u in units if u.call is None}
    tasks = [decorate(t, options, by_name, c.import_names) for t in tasks]
    if names.prefect_module:
        tasks = [replace(t, decorator=f"prefect.{t.decorator}") for t in tasks]
    subflows: list[Subflow] = []
    if options.subflows:
        subflows, body = make_subflows(body, set(names.taken) | {t.name for t in tasks})
        if not subflows:
            diagnostics.append(Diagnostic(
                "NB2W007", "--subflows: the notebook has no top-level (#) sections holding "
                "steps; the flow has no subflows"))
    return tasks, body, subflows


def _scheduled(c: Classified, units: list[Unit], body: list[Call], tasks: list[Task],
               level: ModuleLevel, steps: Steps, names: ScriptNames,
               options: ConvertOptions) -> list[Call]:
    """Independent calls submitted (unless ``--sequential`` or ``--subflows``); every call
    with a Dask or Ray runner."""
    distributed = options.task_runner in TASK_RUNNERS
    if not (distributed or not options.sequential) or options.subflows:
        return body
    functions = {}
    for d in level.defs:
        reads, writes = tree_io(tree_of(d))
        functions[d.facts.writes[0]] = (
            reads or uses_random(d), writes or bool(d.facts.declares_global))
    state = {g for d in level.defs for g in d.facts.declares_global}
    effects = [effects_of(u, call, set(steps.param_names), c.import_names, functions, state)
               for u, call in zip(units, body)]
    return schedule(body, effects, set(names.taken) | {t.name for t in tasks},
                    submit_all=distributed)
