"""What a conversion decided, as plain data (``--format json``) and as text for people."""

from __future__ import annotations

import re
from typing import Any

from .ir import Flow, Notebook

SCHEMA_VERSION = 1


def plan_data(flow: Flow, notebook: Notebook | None = None) -> dict[str, Any]:
    """The plan as JSON-ready data; the schema is documented in docs/commands/inspect.md."""
    calls: dict[str, int] = {}
    for call in [*flow.body, *(c for sub in flow.subflows for c in sub.body)]:
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
        "subflows": [
            {"name": sub.func_name, "inputs": list(sub.inputs), "outputs": list(sub.outputs),
             "tasks": [c.func for c in sub.body]}
            for sub in flow.subflows
        ],
        "calls": [
            {"task": c.func, "inputs": list(c.args), "outputs": list(c.targets),
             "section": c.section}
            for c in flow.body
        ],
        "edges": edges(flow),
        "cells": cells(flow, notebook) if notebook is not None else [],
        "dropped": [
            {"cell": d.cell, "line": d.line, "reason": d.reason} for d in flow.dropped
        ],
        "diagnostics": [
            {"code": d.code, "message": d.message, "cell": d.cell, "line": d.line}
            for d in flow.diagnostics
        ],
        "pip_packages": list(flow.pip_packages),
        "secrets": [
            {"cell": u.cell, "line": u.line, "name": u.name, "kind": u.kind,
             "block": u.block if flow.secrets_mode == "block" else None,
             "env": u.env if flow.secrets_mode == "env" else None}
            for u in flow.secrets
        ],
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
    if flow.secrets:
        from .secrets import creation_command

        lines.append(f"  secrets ({len(flow.secrets)}), not copied into the script:")
        for u in flow.secrets:
            target = (f'Prefect Secret block "{u.block}"' if flow.secrets_mode == "block"
                      else f"environment variable {u.env}")
            lines.append(f"    cell {u.cell}, line {u.line}: {u.name} ({u.kind}) -> {target}; "
                         f"create it with: {creation_command(u, flow.secrets_mode)}")
            if u.aws and flow.secrets_mode == "block":
                lines.append("      or keep AWS credentials in one prefect-aws block: "
                             "AwsCredentials(aws_access_key_id=..., aws_secret_access_key=...)"
                             ".save('aws-credentials')")
    for d in data["diagnostics"]:
        where = f"cell {d['cell']}" + (f", line {d['line']}" if d["line"] else "") if d[
            "cell"] else ""
        lines.append(f"  warning {d['code']}: {where + ': ' if where else ''}{d['message']}")
    return lines


def edges(flow: Flow) -> list[dict[str, Any]]:
    """Data passed between the flow's calls: ``{"from", "to", "names"}``; ids are call indexes
    (``call_3``) or parameters (``param_train_path``)."""
    producer: dict[str, str] = {p.name: f"param_{p.name}" for p in flow.params}
    out: list[dict[str, Any]] = []
    for i, call in enumerate(flow.body):
        incoming: dict[str, list[str]] = {}
        for name in call.args:
            if name in producer:
                incoming.setdefault(producer[name], []).append(name)
        for source, names in incoming.items():
            out.append({"from": source, "to": f"call_{i}", "names": names})
        for name in call.targets:
            producer[name] = f"call_{i}"
    return out


def cells(flow: Flow, notebook: Notebook) -> list[dict[str, Any]]:
    """Each notebook cell: what was kept (and where it went) and what was dropped, and why."""
    placed: dict[int, list[str]] = {}
    kept_lines: dict[int, list[dict[str, Any]]] = {}
    for p in flow.placements:
        label = p.where if not p.name else f"{p.where} {p.name}"
        if label not in placed.setdefault(p.cell, []):
            placed[p.cell].append(label)
        kept_lines.setdefault(p.cell, []).append({
            "line": p.line, "decision": p.decision or p.where, "reason": p.because,
            "placed": label})
    dropped_cells = {d.cell: d.reason for d in flow.dropped if d.line is None}
    secret_cells = {u.cell for u in flow.secrets}
    dropped_lines: dict[int, list[dict[str, Any]]] = {}
    for d in flow.dropped:
        if d.line is not None:
            dropped_lines.setdefault(d.cell, []).append({"line": d.line, "reason": d.reason})
    out = []
    for cell in notebook.cells:
        if cell.kind != "code":
            status = "markdown" if cell.kind == "markdown" else "raw"
        elif cell.number in dropped_cells:
            status = "dropped"
        elif cell.number in placed:
            status = "partly kept" if cell.number in dropped_lines else "kept"
        else:
            status = "dropped"
        first = next((ln.strip() for ln in cell.source.splitlines() if ln.strip()), "")
        if cell.number in secret_cells:
            first = re.sub(r"(['\"]).*?\1", "'***'", first)
        out.append({
            "cell": cell.number, "kind": cell.kind, "status": status,
            "first_line": first[:80], "placed": placed.get(cell.number, []),
            "reason": dropped_cells.get(cell.number, ""),
            "dropped_lines": dropped_lines.get(cell.number, []),
            "kept_lines": kept_lines.get(cell.number, []),
        })
    return out


def mermaid(flow: Flow) -> str:
    """The task graph as a Mermaid flowchart."""
    lines = ["flowchart TD"]
    for p in flow.params:
        lines.append(f'    param_{p.name}[/"{p.name}"/]')
    for i, call in enumerate(flow.body):
        shape = ('[["', '"]]') if call.func in {s.func_name for s in flow.subflows} else (
            '("', '")')
        lines.append(f"    call_{i}{shape[0]}{call.func}{shape[1]}")
    for e in edges(flow):
        label = ", ".join(e["names"])
        lines.append(f'    {e["from"]} -->|"{label}"| {e["to"]}')
    return "\n".join(lines) + "\n"
