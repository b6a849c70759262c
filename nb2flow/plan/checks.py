"""Checks of the classified notebook: undefined names (NB2F017, NB2W009), no code left
(NB2F007), a script name that shadows a module (NB2W010)."""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import replace

import libcst as cst

from ..analyze import BUILTINS
from ..classify import code_of
from ..errors import Location, Nb2FlowError
from ..ir import IMPORT, Classified, Diagnostic, Flow, Statement
from .scope import Scope
from .syntax import tree_of


_IPYTHON_NAMES = {"In", "Out", "_", "__", "___", "exit", "quit", "get_ipython", "display",
                  "__name__", "__builtins__"}


def check_defined(c: Classified) -> None:
    """NB2F017 for a name no cell defines, checked before pruning (``del x`` of a name
    never defined fails in the notebook even if pruning would drop the statement)."""
    imports = {n for s in c.statements if s.role == IMPORT for n in s.facts.writes}
    code = [s for s in c.statements if s.role != IMPORT]
    written = imports | {  # calling a method on a name does not define it (json.dump)
        w for s in [*code, *(s for _, s in c.shown)]
        for w in (*s.facts.writes, *s.facts.declares_global)
        if w not in s.facts.mutates
    }  # a name only a plot defines is checked after pruning, which may keep the plot
    ran = {cell.number for cell in c.notebook.cells
           if cell.execution_count is not None and not cell.error}
    deferred = [s for s in code if s.cell in ran and _missing(s, written)
                and not isinstance(s.node, (cst.FunctionDef, cst.ClassDef))]
    check_names(c, [s for s in code if s not in deferred], written, [])
    for s in deferred:  # its cell ran: a cell deleted since defined the name
        names = ", ".join(f"`{n}`" for n in _missing(s, written))
        c.diagnostics.append(Diagnostic(  # kept after pruning: NB2F017 (diagnose) instead
            "NB2W018", f"{names} is read here but no cell defines it (the cell ran: a cell "
            "deleted since defined it); nothing the pipeline keeps needs this statement: "
            "dropped", s.cell, s.line))
    check_order(c, code, imports)
    seen = set(imports)
    for s in code:  # `del x` before any cell defines x fails in the notebook too
        early = [d for d in s.facts.deletes if d not in seen]
        if early:
            raise Nb2FlowError(
                "NB2F017", f"`{early[0]}` is deleted before any cell defines it",
                Location(str(c.notebook.path), s.cell, s.line),
            )
        seen.update(s.facts.writes)


def check_order(c: Classified, code: list[Statement], imports: set[str]) -> None:
    """Names top-level code reads before the cell that defines them: run top to bottom, the
    notebook fails there too (it ran its cells out of order, or that line never ran).

    A notebook function called early is defined before its first caller
    (``plan.units.define_before_use``) when what it reads exists there; otherwise NB2F017.
    Other early reads are recorded (``c.early``) for NB2F017's message, if pruning then
    drops the definition the read needs."""
    if any(s.facts.star_import for s in c.statements):
        return
    shown = {w for _, s in c.shown for w in s.facts.writes}
    first: dict[str, int] = {}
    for i, s in enumerate(code):
        for w in (*s.facts.writes, *s.facts.declares_global):
            first.setdefault(w, i)
    counts = {cell.number: cell.execution_count for cell in c.notebook.cells}
    for i, s in enumerate(code):
        if isinstance(s.node, (cst.FunctionDef, cst.ClassDef)):
            continue
        for name in s.facts.reads:
            j = first.get(name, i)
            if j <= i or name in imports or name in shown or name in BUILTINS:
                continue
            later = code[j]
            ran = counts.get(later.cell) is not None and counts.get(s.cell) is not None
            why = (f"the notebook ran cell {later.cell} first (execution counts "
                   f"{counts[later.cell]} and {counts[s.cell]})" if ran and
                   counts[later.cell] < counts[s.cell] else
                   "run top to bottom, the notebook fails there too")
            message = (f"`{name}` is used before cell {later.cell} defines it: {why}; move "
                       f"that definition above cell {s.cell} or remove the use")
            c.early.setdefault(name, message)
            if isinstance(later.node, (cst.FunctionDef, cst.ClassDef)) and not _movable(
                    later, i, first):
                raise Nb2FlowError("NB2F017", message,
                                   Location(str(c.notebook.path), s.cell, _line(s, name)))


def _movable(definition: Statement, before: int, first: dict[str, int]) -> bool:
    """Whether a ``def`` can go before statement ``before``: all it reads exists there."""
    if not isinstance(definition.node, (cst.FunctionDef, cst.ClassDef)):
        return False
    return all(first.get(r, -1) < before for r in definition.facts.reads)


def _line(s: Statement, name: str) -> int:
    return s.line + next((n.lineno - s.tree.lineno for n in ast.walk(tree_of(s))
                          if isinstance(n, ast.Name) and n.id == name), 0)


def _missing(s: Statement, written: set[str]) -> list[str]:
    known = written | BUILTINS | _IPYTHON_NAMES
    return [r for r in s.facts.reads if r not in known]


def _evaluated_at_definition(tree: ast.AST) -> set[str]:
    """Names a def or class reads when it runs: decorators, defaults, bases."""
    nodes: list[ast.AST] = list(getattr(tree, "decorator_list", []))
    if isinstance(tree, (ast.FunctionDef, ast.AsyncFunctionDef)):
        nodes += [*tree.args.defaults, *(d for d in tree.args.kw_defaults if d is not None)]
    elif isinstance(tree, ast.ClassDef):
        nodes += [*tree.bases, *(k.value for k in tree.keywords)]
    return {n.id for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name)}


def check_names(c: Classified, code: list[Statement], written: set[str],
                   diagnostics: list[Diagnostic]) -> None:
    """A name read but never defined: an error at top level, a warning inside a function."""
    if any(s.facts.star_import for s in c.statements):
        return
    known = written | BUILTINS | _IPYTHON_NAMES
    for s in code:
        missing = [r for r in s.facts.reads if r not in known]
        if not missing:
            continue
        if isinstance(s.node, (cst.FunctionDef, cst.ClassDef)) and not (
            set(missing) & _evaluated_at_definition(s.tree)
        ):
            diagnostics.append(Diagnostic(
                "NB2W009", f"{s.facts.writes[0]} uses {', '.join(missing)}, which nothing in "
                "the notebook defines", s.cell, s.line))
            continue
        line = s.line + next(
            (n.lineno - s.tree.lineno for n in ast.walk(tree_of(s))
             if isinstance(n, ast.Name) and n.id == missing[0]), 0)
        execs = [t for t in code if t.facts.uses_exec]
        hint = (
            f"; cell {execs[0].cell} uses exec/eval/globals(), which may define it where "
            "nb2flow cannot see: assign it in plain code" if execs else _commented(c, missing[0])
        )
        dropped = _dropped_definition(c, missing[0])
        what = c.early.get(missing[0]) or (
            f"`{missing[0]}` is used but the statement that defines it (cell "
            f"{dropped.cell}{f', line {dropped.line}' if dropped.line else ''}) was "
            f"dropped: {dropped.reason}; "
            + ("remove the tag to keep it" if "nb2flow:skip" in dropped.reason
               else "tag that cell nb2flow:keep to keep it")
            if dropped else f"`{missing[0]}` is used but no cell defines it{hint}")
        raise Nb2FlowError("NB2F017", what, Location(str(c.notebook.path), s.cell, line))


def _dropped_definition(c: Classified, name: str):
    """The dropped statement that bound ``name``, when cleaning dropped it (checked after
    pruning: the notebook did define it)."""
    for d in c.dropped:
        try:
            tree = ast.parse(d.code)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and (
                node.id == name
            ) or isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
                return d
    return None


def _commented(c: Classified, name: str) -> str:
    """A hint when a cell assigns the name only in a comment (a template to fill in)."""
    assign = re.compile(rf"^\s*#\s*{re.escape(name)}\s*=[^=]")
    for cell in c.notebook.cells:
        for number, text in enumerate(cell.source.split("\n"), 1):
            if cell.kind == "code" and assign.match(text):
                return (f"; cell {cell.number} assigns it only in a comment (line {number}): "
                        "uncomment the value you want")
    return ""


def require_code(c: Classified) -> None:
    """NB2F007 when nothing but imports is left."""
    if not any(s.role != IMPORT for s in c.statements):
        raise Nb2FlowError(
            "NB2F007", "no code is left after removing plots, displays and magics",
            Location(str(c.notebook.path)),
        )


def _shadowed_module(script: str, statements: list[Statement]) -> str | None:
    """The module a script named ``script`` would hide: the standard library's, one the
    notebook imports, or prefect (every script imports it)."""
    stem = script.removesuffix(".py")
    imported = {"prefect"}
    for tree in map(tree_of, statements):
        if isinstance(tree, ast.Import):
            imported |= {a.name.split(".")[0] for a in tree.names}
        elif isinstance(tree, ast.ImportFrom) and tree.module and not tree.level:
            imported.add(tree.module.split(".")[0])
    if stem and (stem in imported or stem in sys.stdlib_module_names):
        return stem
    return None


def check_script_name(flow: Flow, script: str, c: Classified) -> Flow:
    """NB2W010 when the script's name hides a module it (or a library) imports."""
    shadowed = _shadowed_module(script, c.statements)
    if not shadowed:
        return flow
    return replace(flow, diagnostics=(*flow.diagnostics, Diagnostic(
        "NB2W010", f"the script {script} has the name of the module `{shadowed}`: "
        f"`python {script}` puts its folder first on sys.path, so `import "
        f"{shadowed}` (here or inside a library) finds the script; rename the notebook "
        "or pass -o")))


def diagnose(c: Classified, scope: Scope) -> list[Diagnostic]:
    """The classifier's diagnostics, then undefined names (NB2F017 raised, NB2W009) and
    star imports (NB2W002)."""
    diagnostics = list(c.diagnostics)
    check_names(c, list(scope.code), set(scope.written), diagnostics)
    diagnostics += [
        Diagnostic("NB2W002", f"`{code_of(s.node).strip()}` kept at module level; names it "
                   "provides are not tracked", s.cell, s.line)
        for s in scope.imports if s.facts.star_import
    ]
    return diagnostics
