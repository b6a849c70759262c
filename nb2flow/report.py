"""What a conversion decided, as plain data (``--format json``) and as text for people."""

from __future__ import annotations

from typing import Any

from .ir import Flow

SCHEMA_VERSION = 1


def plan_data(flow: Flow) -> dict[str, Any]:
    """The plan as JSON-ready data; the schema is documented in docs/inspect.md."""
    calls: dict[str, int] = {}
    for call in flow.body:
        calls[call.func] = calls.get(call.func, 0) + 1
    return {
        "schema": SCHEMA_VERSION,
        "notebook": flow.notebook,
        "code_hash": flow.code_hash,
        "flow": {"name": flow.name, "function": flow.func_name, "description": flow.doc},
        "parameters": [
            {"name": p.name, "type": p.type, "default": p.default, "help": p.help,
             "cell": p.cell, "line": p.line}
            for p in flow.params
        ],
        "tasks": [
            {"name": t.name, "inputs": list(t.inputs), "outputs": list(t.outputs),
             "cells": list(t.cells), "retries": t.retries, "from_function": t.from_function,
             "calls": calls.get(t.name, 0)}
            for t in flow.tasks
        ],
        "calls": [
            {"task": c.func, "inputs": list(c.args), "outputs": list(c.targets)}
            for c in flow.body
        ],
        "dropped": [
            {"cell": d.cell, "line": d.line, "reason": d.reason} for d in flow.dropped
        ],
        "diagnostics": [
            {"code": d.code, "message": d.message, "cell": d.cell, "line": d.line}
            for d in flow.diagnostics
        ],
        "pip_packages": list(flow.pip_packages),
    }


def summary_lines(flow: Flow) -> list[str]:
    data = plan_data(flow)
    lines = []
    tasks = []
    for t in data["tasks"]:
        times = f" x{t['calls']}" if t["calls"] > 1 else ""
        tasks.append(f"{t['name']}{times}")
    lines.append(f"  tasks ({len(tasks)}): {', '.join(tasks) or '-'}")
    params = [f"{p['name']}={p['default']!r}" for p in data["parameters"]]
    lines.append(f"  parameters ({len(params)}): {', '.join(params) or '-'}")
    cells = [d for d in data["dropped"] if d["line"] is None]
    stmts = [d for d in data["dropped"] if d["line"] is not None]
    if cells:
        lines.append(f"  dropped cells ({len(cells)}):")
        lines.extend(f"    cell {d['cell']}: {d['reason']}" for d in cells)
    if stmts:
        lines.append(f"  dropped lines ({len(stmts)}):")
        lines.extend(f"    cell {d['cell']}, line {d['line']}: {d['reason']}" for d in stmts)
    if data["pip_packages"]:
        lines.append(
            "  packages installed in the notebook (add them to your requirements): "
            + " ".join(data["pip_packages"])
        )
    for d in data["diagnostics"]:
        where = f"cell {d['cell']}" + (f", line {d['line']}" if d["line"] else "") if d[
            "cell"] else ""
        lines.append(f"  warning {d['code']}: {where + ': ' if where else ''}{d['message']}")
    return lines
