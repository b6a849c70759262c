"""The script's import block: the notebook's imports the script uses, sorted and grouped."""

from __future__ import annotations

import ast
import sys

from ..ir import Statement, Task
from .module import ModuleLevel, ScriptNames
from .paths import Steps
from .scope import Scope
from .syntax import tree_of


def sorted_imports(
    statements: list[Statement], used: set[str], folder, extra: list[str] = (),
    prefect_module: bool = False, argparse_name: str = "argparse",
) -> list[str]:
    plain: dict[str, set[tuple[str, str | None]]] = {}
    froms: dict[str, set[tuple[str, str | None]]] = {}
    for line in extra:
        tree = ast.parse(line).body[0]
        if isinstance(tree, ast.Import):
            for a in tree.names:
                plain.setdefault(a.name, set()).add((a.name, a.asname))
        else:
            for a in tree.names:
                froms.setdefault(tree.module, set()).add((a.name, a.asname))
    for s in statements:
        tree = tree_of(s)
        if isinstance(tree, ast.Import):
            for a in tree.names:
                bound = a.asname or a.name.split(".")[0]
                if bound in used:
                    plain.setdefault(a.name, set()).add((a.name, a.asname))
        elif isinstance(tree, ast.ImportFrom):
            module = "." * tree.level + (tree.module or "")
            for a in tree.names:
                if a.name == "*" or (a.asname or a.name) in used or module == "__future__":
                    froms.setdefault(module, set()).add((a.name, a.asname))
    if prefect_module:  # the notebook has its own flow or task: @prefect.flow, @prefect.task
        plain.setdefault("prefect", set()).add(("prefect", None))
    else:
        froms.setdefault("prefect", set()).update({("flow", None), ("task", None)})
    if "Path" in used and not any(("Path", None) in v for v in froms.values()):
        froms.setdefault("pathlib", set()).add(("Path", None))
    alias = None if argparse_name == "argparse" else argparse_name
    plain.setdefault("argparse", set()).add(("argparse", alias))
    groups: dict[int, list[str]] = {0: [], 1: [], 2: [], 3: []}
    for module, names in plain.items():
        for name, asname in sorted(names, key=lambda n: (n[0], n[1] or "")):
            line = f"import {name}" + (f" as {asname}" if asname else "")
            groups[_group(module, folder)].append((0, module.lower(), line))
    for module, names in froms.items():
        star = ("*", None) in names
        if star:
            groups[_group(module, folder)].append((1, module.lower(), f"from {module} import *"))
            names = names - {("*", None)}
        if not names:
            continue
        parts = ", ".join(
            n + (f" as {a}" if a else "") for n, a in sorted(
                names, key=lambda n: (n[0].lower(), n[0], n[1] or ""))
        )
        groups[_group(module, folder)].append((1, module.lower(), f"from {module} import {parts}"))
    lines: list[str] = []
    for g in sorted(groups):
        entries = sorted(groups[g])
        if not entries:
            continue
        if lines:
            lines.append("")
        lines.extend(e[2] for e in entries)
    return lines


def _group(module: str, folder) -> int:
    top = module.lstrip(".").split(".")[0]
    if module == "__future__":
        return 0
    if module.startswith(".") or (folder / f"{top}.py").exists() or (folder / top).is_dir():
        return 3
    if top in sys.stdlib_module_names:
        return 1
    return 2


def script_imports(scope: Scope, steps: Steps, level: ModuleLevel, tasks: list[Task],
                   extra: tuple[str, ...], names: ScriptNames, folder) -> tuple[str, ...]:
    """The notebook's imports that the kept code uses, nb2flow's, and the options'."""
    used = {r for s in [*steps.statements, *level.statements] for r in s.facts.reads}
    if any("Path(" in t.body for t in tasks):
        used.add("Path")
    return tuple(sorted_imports(list(scope.imports), used, folder, list(extra),
                                names.prefect_module, names.argparse))
