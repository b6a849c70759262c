"""Stage (after classify): give every name the kept code reads a definition, or refuse.

A notebook that ran had a value for every name it read; when no cell defines one, the value
came from somewhere the script does not have. This stage finds where:

- IPython's output history (``_``, ``__``, ``___``, ``_3``, ``Out[3]``): the value shown
  as the last line of an earlier cell. That statement is kept as ``_ = <expression>``
  (``Out[3]`` reads ``_3``); when nothing can be bound, NB2F023;
- a hosted notebook's runtime globals (Databricks, Synapse, Fabric): ``spark`` is created
  with ``SparkSession.builder.getOrCreate()`` and ``sc`` is ``spark.sparkContext``;
  ``dbutils`` has no equivalent outside Databricks (NB2F022);
- a module the notebook never imports (``sys.exit(1)`` in an ``except`` that never ran,
  ``np`` from a deleted cell): a standard-library module, or a library under its
  conventional alias (``np``, ``pd``), is imported with a warning (NB2W015);
- a cell that never ran successfully (a syntax error, classify dropped it): the kept code
  that needs it is refused, naming both cells (NB2F006).

What is still undefined afterwards is NB2F017 (``plan.check_defined``).
"""

from __future__ import annotations

import ast
import re
import sys

import libcst as cst

from .analyze import BUILTINS, analyze
from .errors import Location, Nb2FlowError
from .ir import DISPLAY, IMPORT, KEEP, Classified, Diagnostic, Statement

#: Libraries under the alias nearly every notebook gives them.
ALIASES = {"np": "import numpy as np", "pd": "import pandas as pd",
           "plt": "import matplotlib.pyplot as plt", "sns": "import seaborn as sns",
           "tf": "import tensorflow as tf", "nn": "from torch import nn",
           "F": "import torch.nn.functional as F"}

#: Runtime globals of hosted notebooks that a script can create: name -> (import, code).
HOSTED = {
    "spark": ("from pyspark.sql import SparkSession",
              "spark = SparkSession.builder.getOrCreate()"),
    "sc": ("from pyspark.sql import SparkSession",
           "sc = SparkSession.builder.getOrCreate().sparkContext"),
}
#: Runtime globals with no equivalent outside their platform.
PLATFORM_ONLY = {
    "dbutils": "Databricks' `dbutils` (file system, secrets, widgets, notebook workflows) "
               "exists only on a Databricks cluster",
    "mssparkutils": "Synapse/Fabric's `mssparkutils` exists only on those platforms",
    "notebookutils": "Fabric's `notebookutils` exists only in Microsoft Fabric",
}

_HISTORY = re.compile(r"^(_{1,3}|_\d+)$")
_DEPTH = {"_": 1, "__": 2, "___": 3}


def resolve(c: Classified) -> None:
    """Bind, import or refuse every name the kept code reads and no cell defines."""
    if any(s.facts.star_import for s in c.statements):
        return
    _bind_out_subscripts(c)
    known = (_written(c) | BUILTINS | {"get_ipython", "exit", "quit", "__name__",
                                       "__builtins__"}) - {"display"}
    where = str(c.notebook.path)
    index = 0
    while index < len(c.statements):
        s = c.statements[index]
        index += 1
        if s.role == IMPORT:
            continue
        for name in [r for r in s.facts.reads if r not in known]:
            line = _line_of(s, name)
            if _HISTORY.match(name) or name in ("Out", "In"):
                _bind_history(c, s, name, Location(where, s.cell, line))
            elif name in PLATFORM_ONLY:
                raise Nb2FlowError("NB2F022", f"`{name}`: {PLATFORM_ONLY[name]}",
                                   Location(where, s.cell, line))
            elif (broken := _broken_cell(c, name)) is not None:
                cell, bline, message = broken
                raise Nb2FlowError(
                    "NB2F006", f"{message}; this cell never ran successfully, and cell "
                    f"{s.cell} (line {line}) needs `{name}`, which only this cell defines",
                    Location(where, cell, bline))
            elif name in HOSTED:
                imp, code = HOSTED[name]
                _insert(c, c.statements.index(s), [(imp, IMPORT), (code, KEEP)], s.cell)
                index += 2
                c.diagnostics.append(Diagnostic(
                    "NB2W016", f"`{name}` is a hosted notebook's runtime global: the script "
                    f"creates it (`{code}`)", s.cell, line))
            elif name == "display":  # IPython's, a builtin in notebooks only
                _insert(c, 0, [("from IPython.display import display", IMPORT)], s.cell)
                index += 1
            elif name in sys.stdlib_module_names and not name.startswith("_") or (
                name in ALIASES
            ):
                imp = ALIASES.get(name, f"import {name}")
                _insert(c, 0, [(imp, IMPORT)], s.cell)
                index += 1
                c.diagnostics.append(Diagnostic(
                    "NB2W015", f"`{name}` is used but never imported (the line never ran, or "
                    f"its import was deleted): the script adds `{imp}`", s.cell, line))
            else:
                continue
            known.add(name)


def _written(c: Classified) -> set[str]:
    return {w for s in [*c.statements, *(s for _, s in c.shown)]
            for w in (*s.facts.writes, *s.facts.declares_global)
            if w not in s.facts.mutates or s.role == IMPORT}


def _line_of(s: Statement, name: str) -> int:
    return s.line + next((n.lineno - s.tree.lineno for n in ast.walk(s.tree)
                          if isinstance(n, ast.Name) and n.id == name), 0)


def _broken_cell(c: Classified, name: str) -> tuple[int, int | None, str] | None:
    """The dropped, never-run cell whose text binds ``name`` (``name =``, ``def name``,
    ``import ... as name``, ``for name in``), if any."""
    binds = re.compile(rf"(^|[\s,(])({re.escape(name)})\s*(=(?!=)|,[^=\n]*=[^=])|"
                       rf"\b(def|class|as|import|for)\s+{re.escape(name)}\b", re.M)
    sources = {cell.number: cell.source for cell in c.notebook.cells}
    for cell, line, message in c.broken:
        if binds.search(sources.get(cell, "")):
            return cell, line, message
    return None


def _statement(code: str, role: str, cell: int, line: int = 1) -> Statement:
    tree = ast.parse(code).body[0]
    return Statement(cell, line, cst.parse_statement(code + "\n"), role=role,
                     facts=analyze(tree), tree=tree)


def _insert(c: Classified, at: int, codes: list[tuple[str, str]], cell: int) -> None:
    """Put new statements before ``c.statements[at]``, keeping ``c.shown``'s positions."""
    new = [_statement(code, role, cell) for code, role in codes]
    c.statements[at:at] = new
    c.shown[:] = [(p + len(new) if p >= at else p, s) for p, s in c.shown]
    for s in new:
        if s.role == IMPORT:
            c.import_names.update(s.facts.writes)


# ------------------------------------------------------------------ output history


def _bind_history(c: Classified, reader: Statement, name: str, where: Location) -> None:
    if name in ("Out", "In"):
        raise Nb2FlowError("NB2F023", f"`{name}` (IPython's {name.lower()}put history) is "
                           "read as a whole: nb2flow binds only `Out[<number>]`", where)
    target = _history_source(c, reader, name)
    if target is None:
        raise Nb2FlowError(
            "NB2F023", f"`{name}` is IPython's output history, and no earlier cell shows a "
            "value it can stand for", where)
    position, shown = target
    expr = shown.node.body[0].value
    code = f"{name} = {cst.Module(body=[]).code_for_node(expr)}"
    tree = ast.parse(code).body[0]
    node = cst.SimpleStatementLine(
        body=[cst.Assign(targets=[cst.AssignTarget(cst.Name(name))], value=expr)],
        leading_lines=shown.node.leading_lines)
    bound = Statement(shown.cell, shown.line, node, role=KEEP, facts=analyze(tree), tree=tree)
    at = c.shown.index((position, shown))
    c.statements.insert(position, bound)
    c.shown[:] = [*c.shown[:at], *((p + 1, s) for p, s in c.shown[at + 1:])]
    c.diagnostics.append(Diagnostic(
        "NB2W017", f"`{name}` is IPython's output history: the value cell {shown.cell} "
        f"shows is kept as `{name} = ...`", reader.cell, where.line))


def _history_source(c: Classified, reader: Statement, name: str):
    """The shown statement (position, statement) the history name stands for: the last
    line of the N-th previous cell that showed a value, or of the cell run as [N]."""
    shown_last = {}  # cell -> (position, statement) of its last line, if it shows a value
    for position, s in c.shown:
        if s.role == DISPLAY and isinstance(s.tree, ast.Expr) and "last line" in s.reason:
            shown_last[s.cell] = (position, s)
    if name in _DEPTH:
        earlier = [cell for cell in sorted(shown_last) if cell < reader.cell]
        depth = _DEPTH[name]
        return shown_last[earlier[-depth]] if len(earlier) >= depth else None
    count = int(name[1:])
    cell = next((x.number for x in c.notebook.cells if x.execution_count == count), None)
    return shown_last.get(cell) if cell is not None else None


class _OutToName(cst.CSTTransformer):
    def leave_Subscript(self, original, updated):
        if (isinstance(updated.value, cst.Name) and updated.value.value == "Out"
                and len(updated.slice) == 1 and isinstance(updated.slice[0].slice, cst.Index)
                and isinstance(updated.slice[0].slice.value, cst.Integer)):
            return cst.Name(f"_{updated.slice[0].slice.value.value}")
        return updated


def _bind_out_subscripts(c: Classified) -> None:
    """``Out[3]`` reads ``_3``: the same value, under a name analysis can follow."""
    for s in c.statements:
        if s.role == IMPORT or "Out" not in s.facts.reads:
            continue
        node = s.node.visit(_OutToName())
        if node is s.node or node.deep_equals(s.node):
            continue
        s.node = node
        s.tree = ast.parse(cst.Module(body=[node]).code).body[0]
        s.facts = analyze(s.tree)
