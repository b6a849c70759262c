"""Task functions: the body of each unit, its docstring and its decorator."""

from __future__ import annotations

import ast
from dataclasses import replace

import libcst as cst

from ..classify import code_of
from ..ir import Call, Statement, Task
from ..options import ConvertOptions
from ..pycode import docstring
from .effects import effects_of
from .paths import mkdir_lines
from .syntax import tree_of, trim_leading_blank
from .units import Unit


TASK_RUNNERS = {
    "dask": ("from prefect_dask import DaskTaskRunner",
             'DaskTaskRunner(address=os.environ.get("DASK_SCHEDULER_ADDRESS"))'),
    "ray": ("from prefect_ray import RayTaskRunner",
            'RayTaskRunner(address=os.environ.get("RAY_ADDRESS"))'),
}


def task_decorator(retries: bool, cache: bool, expiration: str | None,
                   secret: bool = False) -> str:
    """``secret``: the task reads a secret and returns a value; its result is never
    persisted (a persisted result would be a copy of data read with the secret)."""
    kwargs = []
    if retries:
        kwargs.append("retries=3, retry_delay_seconds=2")
    if secret and not cache:
        kwargs.append("persist_result=False")
    if cache:
        kwargs.append("cache_key_fn=content_key, persist_result=True")
        if expiration:
            number, unit = int(expiration[:-1]), expiration[-1]
            word = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[unit]
            kwargs.append(f"cache_expiration=timedelta({word}={number})")
    return f"task({', '.join(kwargs)})" if kwargs else "task"


class _GlobalToNonlocal(cst.CSTTransformer):
    """In a function defined inside a task, ``global y`` for a name that is a local of the
    task (in the notebook, a module variable) becomes ``nonlocal y``."""

    def __init__(self, task_locals: set[str]):
        self.task_locals = task_locals

    def leave_Global(self, original, updated):
        names = [n.name.value for n in updated.names]
        if names and all(n in self.task_locals for n in names):
            return cst.Nonlocal(names=updated.names)
        return updated


def make_task(
    u: Unit, inputs: list[str], outputs: list[str], path_values: dict[str, str],
    pyplot: str | None = None,
) -> Task:
    nodes: list[cst.BaseStatement] = []
    later_reads: list[set[str]] = []
    seen: set[str] = set(outputs)
    for s in reversed(u.statements):
        later_reads.append(set(seen))
        seen.update(s.facts.reads)
    later_reads.reverse()
    for i, s in enumerate(u.statements):
        node = _drop_dead_binding(s, later_reads[i])
        if i == 0 or s.cell != u.statements[i - 1].cell:
            node = trim_leading_blank(node, keep_one=i > 0)
        mkdirs = [cst.parse_statement(mk + "\n") for mk in mkdir_lines(s, path_values)]
        if mkdirs and getattr(node, "leading_lines", None):  # the blank line goes first
            mkdirs[0] = mkdirs[0].with_changes(leading_lines=node.leading_lines)
            node = node.with_changes(leading_lines=[])
        nodes.extend(mkdirs)
        nodes.append(node)
        cell_ends = i + 1 == len(u.statements) or u.statements[i + 1].cell != s.cell
        if pyplot and cell_ends and any(
            pyplot in t.facts.reads for t in u.statements if t.cell == s.cell
        ):  # Jupyter closes a cell's figures when it ends; a script must do it itself
            nodes.append(cst.parse_statement(f'{pyplot}.close("all")\n'))
    if outputs:
        nodes.append(cst.parse_statement(f"return {', '.join(outputs)}\n"))
    task_locals = set(inputs) | {w for s in u.statements for w in s.facts.writes}
    nodes = [
        n.visit(_GlobalToNonlocal(task_locals)) if isinstance(n, cst.FunctionDef) else n
        for n in nodes
    ]
    doc = _doc(u)
    doc_node = cst.parse_statement(f"{docstring(doc)}\n")
    block = cst.IndentedBlock(body=[doc_node, *nodes])
    text = code_of(block)
    text = text.split("\n", 1)[1] if "\n" in text else text
    reads_io = any(s.facts.reads_io for s in u.statements)
    return Task(
        name=u.name,
        doc=doc,
        inputs=tuple(inputs),
        outputs=tuple(outputs),
        body=text.rstrip("\n"),
        retries=reads_io,
        cells=tuple(sorted({s.cell for s in u.statements})),
    )


def _drop_dead_binding(s: Statement, needed: set[str]) -> cst.CSTNode:
    """``rows = engine.execute(q)`` whose ``rows`` nothing reads becomes the bare call."""
    tree = tree_of(s)
    if (
        isinstance(tree, ast.Assign) and len(tree.targets) == 1
        and isinstance(tree.targets[0], ast.Name) and tree.targets[0].id not in needed
        and isinstance(s.node, cst.SimpleStatementLine)
        and isinstance(s.node.body[0], cst.Assign) and isinstance(tree.value, ast.Call)
    ):
        value = s.node.body[0].value
        return s.node.with_changes(body=[cst.Expr(value)])
    return s.node


def _doc(u: Unit) -> str:
    if u.title and not u.from_tag:
        return u.title.rstrip(".") + "."
    cells = sorted({s.cell for s in u.statements})
    where = f"cell {cells[0]}" if len(cells) == 1 else f"cells {cells[0]}-{cells[-1]}"
    return f"{u.name.replace('_', ' ').capitalize()} (notebook {where})."


def decorate(t: Task, options: ConvertOptions, units: dict[str, Unit],
              modules: set[str]) -> Task:
    """Retries for I/O; caching only where a cache hit cannot skip an effect."""
    unit = units[t.name]
    effects = effects_of(unit, Call(t.name, t.inputs, t.outputs), set(), modules)
    secret = any(s.secret for s in unit.statements)  # a persisted result would hold it
    cached = options.cache and not effects.writes_outside and not secret
    return replace(t, decorator=task_decorator(t.retries, cached, options.cache_expiration,
                                               secret=secret and bool(t.outputs)),
                   cached=cached)
