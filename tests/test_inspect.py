"""``nb2flow inspect``: the plan as a table, as JSON with a stable schema, as Mermaid."""

from __future__ import annotations

import json
from pathlib import Path

from test_golden import notebook_from_case
from typer.testing import CliRunner

from nb2flow.cli import app

runner = CliRunner()
CASE = Path(__file__).parent / "golden" / "cases" / "taxi_headings.py"


def test_json_schema(tmp_path: Path) -> None:
    nb = notebook_from_case(CASE, tmp_path)
    result = runner.invoke(app, ["inspect", str(nb), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["schema"] == 1
    assert set(data) >= {"notebook", "flow", "parameters", "tasks", "calls", "edges",
                         "cells", "dropped", "diagnostics", "subflows"}
    tasks = {t["name"]: t for t in data["tasks"]}
    assert tasks["read_dataframe"]["calls"] == 2 and tasks["read_dataframe"]["retries"]
    assert tasks["training"]["outputs"] == ["lr"]
    assert [p["name"] for p in data["parameters"]] == ["train_path", "val_path",
                                                       "lin_reg_path"]
    statuses = {c["cell"]: c["status"] for c in data["cells"] if c["kind"] == "code"}
    lasso = next(c for c in data["cells"] if c["first_line"].startswith("lasso"))
    assert statuses[lasso["cell"]] == "dropped"
    assert all("experiment" in d["reason"] for d in lasso["dropped_lines"])
    assert not list(tmp_path.glob("*.py")), "inspect must not write the script"


def test_mermaid_graph_edges(tmp_path: Path) -> None:
    nb = notebook_from_case(CASE, tmp_path)
    result = runner.invoke(app, ["inspect", str(nb), "-f", "mermaid"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "flowchart TD"
    assert '    call_0 -->|"df_train"| call_2' in lines
    assert '    param_lin_reg_path -->|"lin_reg_path"| call_4' in lines


def test_table_names_dropped_cells(tmp_path: Path) -> None:
    nb = notebook_from_case(CASE, tmp_path)
    result = runner.invoke(app, ["inspect", str(nb)], terminal_width=200)
    assert result.exit_code == 0
    assert "only plots" in result.output and "feature_engineering" in result.output


def test_convert_summary_uses_the_same_plan(tmp_path: Path) -> None:
    nb = notebook_from_case(CASE, tmp_path)
    data = json.loads(runner.invoke(app, ["inspect", str(nb), "-f", "json"]).output)
    out = runner.invoke(app, ["convert", str(nb)]).output
    for task in data["tasks"]:
        assert task["name"] in out
    for cell in (d for d in data["dropped"] if d["line"] is None):
        assert f"cell {cell['cell']}: {cell['reason']}" in out


def test_decision_per_kept_statement(tmp_path: Path) -> None:
    """Each kept statement carries the semantics' decision and its detail: the table shows
    sinks, effects and reports by line; the JSON has every one, work included."""
    nb = notebook_from_case(CASE, tmp_path)
    data = json.loads(runner.invoke(app, ["inspect", str(nb), "--format", "json"]).output)
    decisions = {(k["decision"], k["reason"]) for c in data["cells"] for k in c["kept_lines"]}
    assert ("sink", "writes a file") in decisions
    assert ("work", "computes what kept code needs") in decisions
    assert any(d == "report" for d, _ in decisions)
    table = runner.invoke(app, ["inspect", str(nb)], env={"COLUMNS": "200"}).output
    assert "sink: writes a file" in table
    assert "work: computes" not in table  # plain work stays out of the table
