"""Pair what the notebook and the flow produced into rows: files, printed values, MLflow."""

from __future__ import annotations

from pathlib import Path

from . import hints as why
from .content import compare_files
from .mlflow_store import MlflowRun
from .model import (
    DIFFERENT, DROPPED, ONLY_FLOW, ONLY_NOTEBOOK, SAME, Row, Side, Value,
)
from .values import close
from .workspace import human_size


def tasks_of(flow, cells) -> tuple[str, ...]:
    """Where nb2flow put these cells' statements: task names, ``flow`` or ``module``."""
    if flow is None:
        return ()
    found: dict[str, None] = {}
    for p in flow.placements:
        if p.cell in cells and p.where in ("task", "flow", "module"):
            found[p.name if p.where == "task" else p.where] = None
    if not found:
        for t in flow.tasks:
            if set(t.cells) & set(cells):
                found[t.name] = None
    return tuple(found)


def dropped_cells(flow) -> dict[int, str]:
    """Cells convert left out of the flow entirely, with the reason(s) it gave."""
    if flow is None:
        return {}
    placed = {p.cell for p in flow.placements}
    reasons: dict[int, list[str]] = {}
    for d in flow.dropped:
        if d.cell not in placed and d.reason not in reasons.setdefault(d.cell, []):
            reasons[d.cell].append(d.reason)
    return {cell: "; ".join(found) for cell, found in reasons.items()}


def _summary(state: str | None, path: Path | None) -> str:
    if state is None:
        return "-"
    if state == "deleted":
        return "deleted"
    return human_size(path.stat().st_size)


def file_rows(nb: Side, fl: Side, nb_names: dict[str, tuple[str, str]],
              fl_names: dict[str, tuple[str, str]], rtol: float, flow) -> list[Row]:
    rows = []
    for name in sorted(nb_names.keys() | fl_names.keys()):
        a, b = nb_names.get(name), fl_names.get(name)
        path_a = nb.run_dir / a[1] if a else None
        path_b = fl.run_dir / b[1] if b else None
        cells = tuple(nb.cells.get(a[1], ())) if a else ()
        row = Row("file", name, _summary(a and a[0], path_a), _summary(b and b[0], path_b), SAME,
                  cells, tasks_of(flow, cells))
        if a is None:
            row.status = ONLY_FLOW
        elif b is None:
            row.status = ONLY_NOTEBOOK
            if a[0] == "changed":
                row.detail = "the flow did not write it (its copy holds the file from before)"
        elif "deleted" in (a[0], b[0]):
            row.status = SAME if a[0] == b[0] else DIFFERENT
        else:
            detail = compare_files(path_a, path_b, rtol)
            if detail:
                row.status, row.detail = DIFFERENT, detail
        rows.append(row)
    return rows


def _in_flow(value: Value, flow) -> tuple[bool, str]:
    """Whether the flow should reproduce this notebook value; else why nb2flow dropped it.

    Values of cells nb2flow left out (plots, displays, dead experiments) are not expected;
    a cell tagged ``nb2flow:skip`` still is: the tag may be the mistake.
    """
    if flow is None:
        return True, ""
    dropped = [d for d in flow.dropped if d.cell == value.cell]
    placed = {(p.cell, p.line) for p in flow.placements}
    for d in dropped:
        if d.line is None or (value.shown and d.line == value.line) or (
                not value.shown and value.label in d.code and "print" in d.code):
            return "skip" in d.reason, d.reason
    if value.shown and (value.cell, value.line) not in placed:
        return False, "displayed value"
    if not any(p.cell == value.cell for p in flow.placements):
        return False, "cell not in the flow"
    return True, ""


def value_rows(nb_values: list[Value], fl_values: list[Value], rtol: float, flow) -> list[Row]:
    """Pair values by label, preferring the task nb2flow put the printing cell in.

    Values the flow is expected to reproduce are paired first, so that a dropped
    experiment's metric does not take the flow's value of the same label.
    """
    names: list[str] = []
    counts: dict[str, int] = {}
    totals: dict[str, int] = {}
    for v in nb_values:
        totals[v.label] = totals.get(v.label, 0) + 1
    for v in nb_values:
        counts[v.label] = counts.get(v.label, 0) + 1
        names.append(v.label + (f" #{counts[v.label]}" if totals[v.label] > 1 else ""))
    expected = [_in_flow(v, flow) for v in nb_values]
    order = sorted(range(len(nb_values)), key=lambda i: not expected[i][0])
    used: set[int] = set()
    made: dict[int, Row] = {}
    for i in order:
        v, (strong, reason) = nb_values[i], expected[i]
        tasks = tasks_of(flow, (v.cell,))
        same_label = [j for j, w in enumerate(fl_values) if j not in used and w.label == v.label]
        preferred = [j for j in same_label if fl_values[j].task in tasks]
        pick = (preferred or same_label or [None])[0]
        cells = (v.cell,) if v.cell else ()
        if pick is None:
            made[i] = Row("value", names[i], v.text, "-", ONLY_NOTEBOOK if strong else DROPPED,
                          cells, tasks, detail="" if strong else reason)
            continue
        used.add(pick)
        w = fl_values[pick]
        same = close(v.number, w.number, rtol)
        made[i] = Row("value", names[i], v.text, w.text, SAME if same else DIFFERENT, cells,
                      (w.task,) if w.task else tasks,
                      detail="" if same else f"{v.text} vs {w.text}")
    rows = [made[i] for i in range(len(nb_values))]
    for j, w in enumerate(fl_values):
        if j not in used:
            rows.append(Row("value", w.label, "-", w.text, ONLY_FLOW, (),
                            (w.task,) if w.task else ()))
    return rows


def mlflow_rows(nb_runs: list[MlflowRun], fl_runs: list[MlflowRun], rtol: float,
                flow=None) -> list[Row]:
    """Rows for runs paired by key (see :func:`.mlflow_store.pair_runs`).

    Notebook runs without a flow partner that were started by cells convert dropped are
    one row per experiment and reason ("50 runs, cells 19-21"), not a difference.
    """
    rows = []
    a, b = {r.key: r for r in nb_runs}, {r.key: r for r in fl_runs}
    gone = dropped_cells(flow)
    partly = {d.cell: d.reason for d in (flow.dropped if flow is not None else ())}
    groups: dict[tuple[str, str], list[MlflowRun]] = {}
    for key in sorted(a.keys() | b.keys()):
        if key in a and key not in b:
            run = a[key]
            reason = gone.get(run.cell) or partly.get(run.cell)
            if reason:
                groups.setdefault((run.experiment, reason), []).append(run)
                continue
        if key not in b or key not in a:
            rows.append(Row("mlflow", f"{key}", "logged" if key in a else "-",
                            "logged" if key in b else "-",
                            ONLY_FLOW if key not in a else ONLY_NOTEBOOK,
                            (a[key].cell,) if key in a and a[key].cell else ()))
            continue
        x, y = a[key], b[key]
        for kind, left, right in (("param", x.params, y.params), ("metric", x.metrics,
                                                                   y.metrics)):
            for name in sorted(left.keys() | right.keys()):
                p, q = left.get(name), right.get(name)
                row = Row("mlflow", f"{key} {kind} {name}", "-" if p is None else str(p),
                          "-" if q is None else str(q), SAME)
                if p is None:
                    row.status = ONLY_FLOW
                elif q is None:
                    row.status = ONLY_NOTEBOOK
                elif not (p == q or (kind == "metric" and close(p, q, rtol))):
                    row.status, row.detail = DIFFERENT, f"{p} vs {q}"
                rows.append(row)
    for (experiment, reason), runs in groups.items():
        cells = tuple(sorted({r.cell for r in runs if r.cell}))
        fix = ("; `nb2flow convert --keep-experiments` keeps them"
               if reason.startswith("experiment") else "")
        rows.append(Row("mlflow", f"{experiment}: {len(runs)} run(s) logged by "
                        f"{_cells_text(cells)}", "logged", "-", DROPPED, cells,
                        detail=f"{reason}{fix}"))
    return rows


def _cells_text(cells: tuple[int, ...]) -> str:
    if not cells:
        return "dropped cells"
    if len(cells) > 1 and cells == tuple(range(cells[0], cells[-1] + 1)):
        return f"cells {cells[0]}-{cells[-1]}"
    return ("cell " if len(cells) == 1 else "cells ") + ", ".join(map(str, cells))


def add_hints(rows: list[Row], flow, findings: list[why.Finding],
              sources: dict[int, str]) -> list[str]:
    """Attach hints to failing rows; return notes about findings no row explained."""
    used: set[str] = set()
    for row in rows:
        if row.status == DIFFERENT:
            seeds = why.seed_hints(findings, row.cells)
            used.update(seeds)
            row.hints += seeds + why.dropped_hints(flow, row.cells)
            row.hints += why.order_hints(flow, sources, row.cells)
            if not row.hints:
                row.hints.append("the same code gave different results: look for randomness, "
                                 "the current date or time, or a file that another step "
                                 "changes")
        elif row.status == ONLY_NOTEBOOK:
            row.hints += why.dropped_hints(flow, row.cells)
            if not row.hints and row.cells and row.tasks:
                row.hints.append(
                    f"cell {', '.join(map(str, row.cells))} is in "
                    f"{', '.join(row.tasks)}, but the flow did not produce this: check the "
                    "paths and parameters it uses")
            elif not row.hints:
                row.hints.append("the flow did not produce this")
    notes = [f"cell {f.cell} line {f.line}: {f.message}: no difference came from it this "
             f"time, but results may change from run to run; {f.fix}"
             for f in findings
             if not any(h.startswith(f"cell {f.cell} line {f.line}:") for h in used)]
    return notes
