"""The flows of a script, found statically (``ast``), and where its prefect.yaml is."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from ..repo import find_upward
from .model import PREFECT_YAML, FlowInfo


def _is_flow_decorator(node: ast.expr) -> ast.Call | bool:
    target = node.func if isinstance(node, ast.Call) else node
    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", None)
    if name != "flow":
        return False
    return node if isinstance(node, ast.Call) else True


def flows_in(tree: ast.Module) -> dict[str, FlowInfo]:
    """Top-level functions decorated with ``@flow`` / ``@flow(...)`` / ``@prefect.flow``."""
    found: dict[str, FlowInfo] = {}
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        marks = [_is_flow_decorator(d) for d in node.decorator_list]
        if not any(marks):
            continue
        name = node.name.replace("_", "-")
        for mark in marks:
            if isinstance(mark, ast.Call):
                for kw in mark.keywords:
                    if kw.arg == "name" and isinstance(kw.value, ast.Constant) \
                            and isinstance(kw.value.value, str):
                        name = kw.value.value
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        defaults: dict[str, Any] = {}
        pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults))
        pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
        for arg, default in pairs:
            try:
                defaults[arg.arg] = ast.literal_eval(default)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                continue  # not a literal: Prefect uses the function's default
        doc = ast.get_docstring(node) or ""
        from_schedule: tuple[str, ...] = ()
        for stmt in node.body:  # year, month = scheduled_month(year, month): --date-params
            if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call) \
                    and getattr(stmt.value.func, "id", None) == "scheduled_month":
                from_schedule = tuple(a.id for a in stmt.value.args[:2]
                                      if isinstance(a, ast.Name))
        found[node.name] = FlowInfo(
            func_name=node.name, name=name, doc=doc.strip().split("\n\n")[0].strip(),
            defaults=defaults,
            param_names=tuple(a.arg for a in [*positional, *args.kwonlyargs]),
            var_keyword=args.kwarg is not None, from_schedule=from_schedule,
        )
    return found


def flow_info(source: str, func_name: str | None = None) -> FlowInfo | None:
    """The flow ``func_name`` of a script, or its main flow (the last one defined)."""
    try:
        flows = flows_in(ast.parse(source))
    except SyntaxError:
        return None
    if func_name is not None:
        return flows.get(func_name)
    return list(flows.values())[-1] if flows else None


def find_prefect_yaml(start: Path) -> Path | None:
    """The nearest prefect.yaml from ``start`` upward; the search stops at a git root."""
    candidate = find_upward(start.absolute(), PREFECT_YAML)
    if candidate is None:
        return None
    try:  # shown in messages: relative to the current folder when inside it
        return candidate.relative_to(Path.cwd())
    except ValueError:
        return candidate


def entrypoint_path(script: Path, prefect_yaml: Path) -> str | None:
    """The script's path relative to the prefect.yaml folder (posix), None if outside."""
    base = prefect_yaml.parent
    for a, b in ((script.absolute(), base.absolute()), (script.resolve(), base.resolve())):
        try:
            return a.relative_to(b).as_posix()
        except ValueError:
            continue
    return None
