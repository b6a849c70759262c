"""Units of work: the statements of one task, cut at headings, tags and cells, small ones
merged."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace

import libcst as cst

from ..analyze import global_call_facts
from ..classify import code_of
from ..ir import Classified, Statement
from ..load import TAG_PREFIX
from .syntax import tree_of


_SMALL_LINES = 2  # a unit with fewer code lines than this joins a neighbour


@dataclass
class Unit:
    key: tuple
    title: str | None  # heading text or tag name
    from_tag: bool
    statements: list[Statement] = field(default_factory=list)
    call: Statement | None = None  # a hoisted call of a task function
    name: str = ""  # the task function's name, set by name_units

    def lines(self) -> int:
        return sum(code_lines(s) for s in self.statements)


def code_lines(s: Statement) -> int:
    """Non-blank, non-comment lines of a statement (cached: merges ask again and again)."""
    if s.line_count is None:
        s.line_count = sum(1 for ln in code_of(s.node).splitlines()
                           if ln.strip() and not ln.strip().startswith("#"))
    return s.line_count


def define_before_use(
    statements: list[Statement],
) -> tuple[list[Statement], dict[int, Statement]]:
    """A notebook function whose globals change after its ``def`` is defined where it runs.

    In the notebook it reads those globals when it is called; inside a task it can only
    read what the task received. So it moves to the step that first calls it, and a copy of
    the ``def`` goes before each later call that follows a new value of one of them: the
    copy's free names are then the calling task's variables, current at call time.
    """
    statements = _with_global_calls(statements)
    writes_at: dict[str, list[int]] = {}
    for i, s in enumerate(statements):
        for w in s.facts.writes:
            writes_at.setdefault(w, []).append(i)
    moves: dict[int, int] = {}  # index of def -> index of its first user
    copies: dict[int, list[Statement]] = {}  # index of a later user -> defs to repeat there
    for i, s in enumerate(statements):
        if not isinstance(s.node, (cst.FunctionDef, cst.ClassDef)):
            continue
        free = [r for r in s.facts.reads if any(j > i for j in writes_at.get(r, ()))]
        # a function rebinding a global through ``global`` changes the calling step's
        # variable only if it is defined in that step (``nonlocal`` of the task)
        free = free or list(s.facts.declares_global)
        if not free:
            continue
        name = s.facts.writes[0]
        # a read before the first ``def`` ran out of order in the notebook (or on a path
        # that never ran): the def goes before it too
        first = min(writes_at.get(name, [i]))
        users = [j for j in range(len(statements))
                 if (j > i or j < first) and name in statements[j].facts.reads]
        if not users:
            continue
        moves[i] = users[0]
        redefined = min((j for j in writes_at.get(name, ()) if j > i), default=len(statements))
        placed = users[0]
        for u in users[1:]:
            if u > redefined:
                break
            if any(placed <= j < u for r in free for j in writes_at.get(r, ())):
                copies.setdefault(u, []).append(replace(s))
                placed = u
    if not moves:
        return statements, {}
    ordered: list[Statement] = []
    anchors: dict[int, Statement] = {}
    waiting: dict[int, list[Statement]] = {}

    def final(j: int) -> int:  # a def whose first user is a def that moves goes with it
        while j in moves:
            j = moves[j]
        return j

    for i, target in moves.items():
        waiting.setdefault(final(target), []).append(statements[i])
    for u, defs in copies.items():
        waiting.setdefault(final(u), []).extend(defs)
    for j, s in enumerate(statements):
        if j in moves:
            continue
        for moved in waiting.get(j, ()):
            anchors[id(moved)] = s
            ordered.append(moved)
        ordered.append(s)
    return ordered, anchors


def _with_global_calls(statements: list[Statement]) -> list[Statement]:
    """Calls of the steps' functions that rebind globals write those names (the functions
    become closures of the calling task: its variable changes, and it returns it)."""
    facts = global_call_facts(statements, [s.facts for s in statements])
    return [s if f is s.facts else replace(s, facts=f) for s, f in zip(statements, facts)]


def split_units(
    c: Classified,
    statements: list[Statement],
    hoisted: set[int],
    anchors: dict[int, Statement] | None = None,
) -> list[Unit]:
    anchors = anchors or {}
    headings = c.headings
    heading_at: dict[int, str] = {}
    for h in headings:
        heading_at[h.cell] = h.text  # the last heading of a cell names what follows
    units: list[Unit] = []
    current_heading: tuple[int, str] | None = None
    heading_iter = sorted(heading_at.items())
    hi = 0
    for s in statements:
        where = anchors.get(id(s), s).cell
        while hi < len(heading_iter) and heading_iter[hi][0] < where:
            current_heading = heading_iter[hi]
            hi += 1
        tag = next(
            (t[len(TAG_PREFIX) + 5:] for t in c.cell_tags.get(where, ())
             if t.startswith(f"{TAG_PREFIX}task=")),
            None,
        )
        if tag:
            key, hint, from_tag = ("tag", tag), tag, True
        elif current_heading is not None:
            key, hint, from_tag = ("heading", current_heading[0]), current_heading[1], False
        else:
            key, hint, from_tag = ("cell", where), None, False
        if id(s) in hoisted:
            units.append(Unit(key=("call", id(s)), title=None, from_tag=False, call=s))
            continue
        if units and units[-1].key == key and units[-1].call is None:
            units[-1].statements.append(s)
        else:
            units.append(Unit(key=key, title=hint, from_tag=from_tag, statements=[s]))
    return units


def merge_small(units: list[Unit]) -> list[Unit]:
    """No one-line tasks: a unit of a single short statement joins a neighbour.

    Small work on the previous unit's results joins that unit (``y_train`` computed from
    the frames the features step built belongs to the features step); anything else, such
    as a setting, joins the next unit, which it prepares.
    """
    out: list[Unit] = []
    pending: list[Statement] = []
    for u in units:
        if u.call is not None:
            if pending:
                if out and out[-1].call is None:
                    out[-1].statements.extend(pending)
                else:
                    out.append(Unit(("cell", pending[0].cell), None, False, pending))
                pending = []
            out.append(u)
            continue
        if pending:
            u.statements[:0] = pending
            pending = []
        small = not u.from_tag and (
            u.lines() < _SMALL_LINES
            # a two-line cell is a step of its own when it produces something (a sink)
            or (u.key[0] == "cell" and u.lines() <= 2
                and not any(s.decision == "sink" for s in u.statements))
        )
        defs_only = not u.from_tag and all(
            isinstance(s.node, (cst.FunctionDef, cst.ClassDef)) for s in u.statements
        )
        if small and not _is_compound_only(u) and out and _continues(out[-1], u):
            out[-1].statements.extend(u.statements)
            continue
        if defs_only or (small and not _is_compound_only(u)):
            pending = u.statements
            continue
        out.append(u)
    if pending:
        if out and out[-1].call is None:
            out[-1].statements.extend(pending)
        else:
            out.append(Unit(("cell", pending[0].cell), None, False, pending))
    # Consecutive cell units that form a short chain merge too.
    merged: list[Unit] = []
    for u in out:
        prev = merged[-1] if merged else None
        if (
            prev is not None and prev.call is None and u.call is None
            and prev.key[0] == "cell" and u.key[0] == "cell"
            and prev.lines() + u.lines() <= 6
            and set(_reads(u)) & set(_writes(prev))
        ):
            prev.statements.extend(u.statements)
            continue
        merged.append(u)
    return merged


def _continues(prev: Unit, u: Unit) -> bool:
    """``u`` only binds new values (no fit, no change in place) from what ``prev`` wrote,
    and ``prev`` is a plain step."""
    return (
        prev.call is None and not prev.from_tag
        and all(s.decision in ("", "work") and s.facts.writes and not s.facts.mutates
                for s in u.statements)
        and bool(set(_reads(u)) & set(_writes(prev)))
    )


def _is_compound_only(u: Unit) -> bool:
    return len(u.statements) == 1 and not isinstance(u.statements[0].node, cst.SimpleStatementLine)


def _reads(u: Unit) -> list[str]:
    return [n for s in u.statements for n in s.facts.reads]


def _writes(u: Unit) -> list[str]:
    return [n for s in u.statements for n in s.facts.writes]


def sections_of(c: Classified, units: list[Unit]) -> list[str]:
    """The top-level (``#``) heading each unit sits under, if any."""
    tops = [h for h in c.headings if h.level == min((x.level for x in c.headings), default=1)]
    levels = {h.level for h in c.headings}
    if len(levels) < 2:  # no hierarchy: sections would be the steps themselves
        return ["" for _ in units]
    out = []
    for u in units:
        cell = (u.call or u.statements[0]).cell
        current = ""
        for h in tops:
            if h.cell <= cell:
                current = h.text
        out.append(current)
    return out


#: Calls that configure a library for the whole process (MLflow's tracking server and
#: experiment, autologging): with a Dask or Ray runner each task may run in another process.
_PROCESS_CONFIG = {"set_tracking_uri", "set_registry_uri", "set_experiment", "autolog"}


def replicate_process_config(units: list[Unit], imports: list[Statement]) -> None:
    """With a distributed task runner, repeat MLflow's process-wide configuration in each
    later task that uses MLflow, as the notebook's single process had it."""
    aliases = set()
    for s in imports:
        tree = tree_of(s)
        if isinstance(tree, ast.Import):
            aliases |= {a.asname or a.name.split(".")[0] for a in tree.names
                        if a.name.split(".")[0] == "mlflow"}
    if not aliases:
        return
    config: dict[str, Statement] = {}  # "mlflow.set_experiment" -> the latest such call
    for u in units:
        if u.call is not None:
            continue
        own = {}
        for s in u.statements:
            key = _config_key(tree_of(s), aliases)
            if key:
                own[key] = s
        uses = any(aliases & set(s.facts.reads) for s in u.statements)
        missing = [replace(st) for key, st in config.items() if key not in own]
        if uses and missing:
            u.statements[0:0] = missing
        config.update(own)


def _config_key(tree: ast.stmt, aliases: set[str]) -> str | None:
    if not (isinstance(tree, ast.Expr) and isinstance(tree.value, ast.Call)):
        return None
    func = tree.value.func
    if not (isinstance(func, ast.Attribute) and func.attr in _PROCESS_CONFIG):
        return None
    parts = []
    node: ast.expr = func
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id in aliases:
        return ".".join([node.id, *reversed(parts)])
    return None
