"""``nb2flow inspect``: show the plan without writing anything."""

from __future__ import annotations

import json

from .ir import Flow, Notebook
from .report import plan_data


def render_json(flow: Flow, notebook: Notebook) -> str:
    return json.dumps(plan_data(flow, notebook), indent=2, default=str) + "\n"


def print_tables(flow: Flow, notebook: Notebook, console) -> None:
    from rich.table import Table

    data = plan_data(flow, notebook)
    cells = Table(title=f"{data['notebook']}: cells", title_justify="left")
    for column in ("cell", "status", "code", "kept in / why dropped"):
        cells.add_column(column, overflow="fold")
    styles = {"kept": "green", "partly kept": "yellow", "dropped": "red"}
    for c in data["cells"]:
        if c["kind"] != "code":
            continue
        why = ", ".join(c["placed"]) if c["status"] != "dropped" else c["reason"]
        for k in c["kept_lines"]:
            if k["decision"] not in ("import", "work"):
                why += f"\nline {k['line']} {k['decision']}: {k['reason']}"
        for d in c["dropped_lines"]:
            why += f"\nline {d['line']} dropped: {d['reason']}"
        cells.add_row(str(c["cell"]), f"[{styles[c['status']]}]{c['status']}[/]",
                      c["first_line"], why.strip())
    console.print(cells)
    tasks = Table(title="tasks", title_justify="left")
    for column in ("task", "inputs", "outputs", "cells", "retries"):
        tasks.add_column(column, overflow="fold")
    for t in data["tasks"]:
        calls = f" (x{t['calls']})" if t["calls"] > 1 else ""
        tasks.add_row(t["name"] + calls, ", ".join(t["inputs"]), ", ".join(t["outputs"]),
                      ", ".join(map(str, t["cells"])), "yes" if t["retries"] else "")
    console.print(tasks)
    params = Table(title="parameters", title_justify="left")
    for column in ("parameter", "type", "default", "cell"):
        params.add_column(column, overflow="fold")
    for p in data["parameters"]:
        params.add_row(p["name"], p["type"], repr(p["default"]), str(p["cell"]))
    console.print(params)
    for d in data["diagnostics"]:
        console.print(f"[yellow]warning {d['code']}[/]: {d['message']}")
