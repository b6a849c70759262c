"""Show the verification: a rich table for people, JSON for machines."""

from __future__ import annotations

import json
from dataclasses import asdict

from .model import DIFFERENT, DROPPED, FAILING, ONLY_FLOW, ONLY_NOTEBOOK, SAME, Report

SCHEMA_VERSION = 1
_STYLE = {SAME: "green", DIFFERENT: "bold red", ONLY_NOTEBOOK: "bold red",
          ONLY_FLOW: "yellow", DROPPED: "dim"}


def to_json(report: Report) -> str:
    data = {"schema": SCHEMA_VERSION, "ok": report.ok, **asdict(report)}
    return json.dumps(data, indent=2, default=str) + "\n"


def print_report(report: Report, console) -> None:
    from rich.markup import escape
    from rich.table import Table

    script = report.script + (" (converted now)" if report.converted else "")
    table = Table(title=f"nb2flow verify: {report.notebook} vs {script}",
                  title_justify="left", header_style="bold")
    for column in ("", "Produced", "Notebook", "Flow", "Result", "Cell", "Task"):
        table.add_column(column, overflow="fold", no_wrap=column in ("", "Result"))
    for row in report.rows:
        table.add_row(row.kind, escape(row.name), escape(row.notebook), escape(row.flow),
                      f"[{_STYLE[row.status]}]{row.status}[/]",
                      ", ".join(map(str, row.cells)), escape(", ".join(row.tasks)))
    if report.rows:
        console.print(table)
    else:
        console.print("The notebook wrote no file and printed no labelled number: nothing to "
                      "compare.")
    explained = [r for r in report.rows if r.status in FAILING or r.status == DROPPED]
    for row in explained:
        text = row.detail or row.status
        if row.status == DROPPED:
            text = f"not in the flow: {row.detail}" if row.detail else row.status
        console.print(f"[bold]{escape(row.name)}[/]: {escape(text)}")
        for hint in row.hints:
            console.print(f"  hint: {escape(hint)}")
    for error in report.errors:
        console.print(f"[bold red]{error.side} failed[/] at {escape(error.where)}: "
                      f"{escape(error.exception)}")
        for line in error.output:
            console.print(f"  | {escape(line)}", highlight=False)
    for error in report.dropped_errors:
        console.print(f"note: the notebook failed at {escape(error.where)} "
                      f"({escape(error.exception)}), a cell that is "
                      f"{escape(error.output[0]) if error.output else 'not in the flow'}: "
                      "the verdict does not depend on it")
    for note in report.notes:
        console.print(f"note: {escape(note)}")
    if report.kept:
        console.print(f"run folders kept in {escape(report.kept)}")
    seconds = report.seconds
    timing = f"(notebook {seconds.get('notebook', 0):.1f} s, flow {seconds.get('flow', 0):.1f} s)"
    if report.ok:
        files = sum(r.kind == "file" and r.status == SAME for r in report.rows)
        values = sum(r.kind != "file" and r.status == SAME for r in report.rows)
        console.print(f"[bold green]verified[/]: the flow reproduced {files} file(s) and "
                      f"{values} value(s) of the notebook {timing}")
    else:
        failing = sum(r.status in FAILING for r in report.rows)
        parts = [f"{failing} difference(s)"] if failing else []
        parts += [f"the notebook itself fails at {e.where}: {e.exception}" if e.side ==
                  "notebook" else f"the flow failed at {e.where}" for e in report.errors]
        console.print(f"[bold red]not verified[/]: {escape(', '.join(parts))} {timing}")
