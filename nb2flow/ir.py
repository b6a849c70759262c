"""Typed records passed between the pipeline stages (plain dataclasses, no logic)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import libcst as cst

# ---------------------------------------------------------------------------- load


@dataclass(frozen=True)
class Cell:
    """A notebook cell as loaded. ``number`` is its 1-based position in the notebook."""

    number: int
    kind: str  # "code" | "markdown" | "raw"
    source: str
    tags: tuple[str, ...] = ()
    execution_count: int | None = None
    error: bool = False  # its saved output is an error (it did not run to the end)


@dataclass(frozen=True)
class Notebook:
    path: Path
    cells: tuple[Cell, ...]
    code_hash: str  # hash of cell types, sources and tags; outputs do not count


# ---------------------------------------------------------------------- classify

# Statement roles.
KEEP = "keep"  # pipeline code
IMPORT = "import"
PLOT = "plot"
DISPLAY = "display"
MAGIC = "magic"


@dataclass(frozen=True)
class Facts:
    """What one top-level statement reads and writes (filled by ``analyze``)."""

    reads: tuple[str, ...] = ()  # names read before this statement binds them
    writes: tuple[str, ...] = ()  # names bound or rebound at module level
    definite: tuple[str, ...] = ()  # the writes that happen on every path
    mutates: tuple[str, ...] = ()  # names whose object may change in place
    calls: tuple[str, ...] = ()  # plain names called (f(...)), in order
    reads_io: bool = False  # reads a file, URL or database
    writes_io: bool = False  # writes a file
    star_import: bool = False
    uses_exec: bool = False
    declares_global: tuple[str, ...] = ()
    deletes: tuple[str, ...] = ()  # names a top-level ``del name`` unbinds


@dataclass
class Statement:
    """One top-level statement of a code cell."""

    cell: int
    line: int  # 1-based line in the cell where the statement starts
    node: cst.CSTNode  # a libcst statement (SimpleStatementLine or compound)
    role: str = KEEP
    reason: str = ""
    facts: Facts = field(default_factory=Facts)
    literal: Any = None  # the value when the statement is `name = <literal>`
    is_literal: bool = False
    tree: Any = None  # the statement's standard-library ast node
    inner_dropped: list = field(default_factory=list)  # (line, reason) removed inside it
    line_count: int | None = None  # code lines, computed once by plan
    draws: bool = False  # plotting code kept because its cell saves the figure
    secret: bool = False  # reads a secret or a value computed from one: never cached
    decision: str = ""  # what it does for the pipeline (semantics): sink, report, effect, work
    kept_because: str = ""  # the decision's detail, for inspect ("writes a file")


@dataclass(frozen=True)
class Heading:
    cell: int
    level: int
    text: str


@dataclass(frozen=True)
class Dropped:
    """A cell or statement left out of the script, with the reason."""

    cell: int
    line: int | None
    reason: str
    code: str


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    cell: int | None = None
    line: int | None = None


@dataclass
class Classified:
    """The notebook after classification: statements in order, plus document structure."""

    notebook: Notebook
    statements: list[Statement]
    headings: list[Heading]
    cell_tags: dict[int, tuple[str, ...]]
    parameter_cells: frozenset[int]
    dropped: list[Dropped]
    diagnostics: list[Diagnostic]
    pip_packages: list[str]
    title: str | None
    description: str | None
    import_names: set[str] = field(default_factory=set)
    #: cells dropped because they never ran successfully (a syntax error):
    #: (cell, line, message); a kept statement that needs one of them is refused
    broken: list[tuple[int, int | None, str]] = field(default_factory=list)
    #: names top-level code reads before the cell that defines them: name -> why (checks),
    #: for NB2F017's message when pruning drops that definition
    early: dict[str, str] = field(default_factory=dict)
    #: what the flow returns when the notebook saves nothing: (name, cell) (semantics)
    product: tuple[str, int] | None = None
    #: statements classify dropped as plots or displays, each with the index in
    #: ``statements`` it stood before: the semantics stage keeps one whose result the
    #: pipeline uses (a visualiser that computes the number of clusters)
    shown: list[tuple[int, Statement]] = field(default_factory=list)


# -------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # "str", "int", "float", "bool", "list[str]", ...
    default: Any
    default_code: str  # Python source of the default
    help: str
    cell: int
    line: int


@dataclass(frozen=True)
class Task:
    name: str  # function name
    doc: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    body: str  # Python source of the body (unindented); includes the return
    retries: bool
    cells: tuple[int, ...]
    signature: str = ""  # for tasks made from notebook functions: the whole def
    from_function: bool = False
    decorator: str = "task"  # the decorator expression, without the @
    cached: bool = False


@dataclass(frozen=True)
class Call:
    """One line of the flow body: ``targets = func(args)``."""

    func: str
    args: tuple[str, ...]
    targets: tuple[str, ...]
    code: str = ""  # the line as written in the flow body
    section: str = ""  # the top-level (``#``) notebook section it belongs to


@dataclass(frozen=True)
class Subflow:
    """A notebook section (``#`` heading) run as a flow of its own (``--subflows``)."""

    name: str  # flow name shown in Prefect
    func_name: str
    doc: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    body: tuple[Call, ...]


@dataclass(frozen=True)
class Placement:
    """Where a kept notebook statement went: a task, the flow, module level, a parameter."""

    cell: int
    line: int
    where: str  # "task", "flow", "module", "parameter", "import"
    name: str = ""
    decision: str = ""  # the semantics' decision: sink, report, effect, work, product ...
    because: str = ""  # its detail ("writes a file", "seeds random numbers")


@dataclass(frozen=True)
class Flow:
    notebook: str  # file name of the source notebook
    code_hash: str
    name: str  # flow name shown in Prefect (kebab-case)
    func_name: str
    doc: str
    description: str
    imports: tuple[str, ...]  # rendered import lines, grouped, blank line between groups
    module_code: tuple[str, ...]  # constants, helper functions and classes, in order
    tasks: tuple[Task, ...]
    params: tuple[Param, ...]
    body: tuple[Call, ...]
    dropped: tuple[Dropped, ...]
    diagnostics: tuple[Diagnostic, ...]
    pip_packages: tuple[str, ...]
    placements: tuple[Placement, ...] = ()
    subflows: tuple[Subflow, ...] = ()
    flow_options: tuple[str, ...] = ()  # extra keyword arguments of @flow, as source
    prelude: tuple[str, ...] = ()  # flow-body lines before the first call (computed paths)
    secrets: tuple[Any, ...] = ()  # nb2flow.secrets.SecretUse: where, never the value
    secrets_mode: str = "block"
    # Names the script's own code uses; renamed when a notebook name would shadow them.
    flow_decorator: str = "flow"  # "prefect.flow" when the notebook defines flow or task
    entry_point: str = "main"  # the CLI function run under ``if __name__ == "__main__"``
    argparse: str = "argparse"  # what the script imports argparse as
