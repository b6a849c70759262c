"""Path literals: inline paths become ``*_path`` parameters; folders of written files are
created (``mkdirs``)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import TYPE_CHECKING, Mapping


from ..analyze import analyze, call_io, call_name
from ..astnodes import walk
from ..cst_strings import StringReplacer
from ..identifiers import snake, unique
from ..ir import Param, Statement
from ..options import ConvertOptions
from .dates import data_dir_parameter, date_parameters
from .parameters import looks_like_path
from .scope import Scope
from .syntax import top_level_calls, tree_of, tree_value

if TYPE_CHECKING:  # module imports tasks, which imports this module
    from .module import ModuleLevel


PATH_KEYWORDS = {"path", "filepath_or_buffer", "path_or_buf", "fname", "file", "filename",
                  "io", "f", "uri", "url"}


_CONFIG_CALLS = {
    "set_tracking_uri": ("mlflow_tracking_uri", {"uri"}),
    "set_registry_uri": ("mlflow_registry_uri", {"uri"}),
    "set_experiment": ("mlflow_experiment", {"experiment_name"}),
}


def path_parameters(statements: list[Statement], taken: set[str]) -> list[Param]:
    """String literals read or written by top-level calls become ``*_path`` parameters."""
    found: dict[str, Param] = {}
    taken = set(taken)
    for s in statements:
        tree = tree_of(s)
        target = None
        if isinstance(tree, ast.Assign) and len(tree.targets) == 1:
            t = tree.targets[0]
            target = t.id if isinstance(t, ast.Name) else None
        for node in top_level_calls(tree):
            name = call_name(node)
            if name in _CONFIG_CALLS:  # mlflow.set_tracking_uri("sqlite:///mlflow.db") ...
                param, keywords = _CONFIG_CALLS[name]
                args = [*node.args[:1], *(k.value for k in node.keywords if k.arg in keywords)]
                for arg in args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and (
                        arg.value not in found
                    ):
                        pname = unique(param, taken)
                        taken.add(pname)
                        found[arg.value] = Param(pname, "str", arg.value, repr(arg.value),
                                                 "", s.cell, s.line)
                continue
            call_reads, call_writes = call_io(node)
            if not (call_reads or call_writes):
                continue
            args = [*node.args, *(k.value for k in node.keywords if k.arg in PATH_KEYWORDS)]
            for arg in args:
                if not (isinstance(arg, ast.Constant) and looks_like_path(arg.value)):
                    continue
                value = arg.value
                if value in found:
                    continue
                reading = call_reads and node is tree_value(tree)
                base = _path_base(target if reading else None, value)
                pname = unique(base, taken)
                taken.add(pname)
                found[value] = Param(pname, "str", value, repr(value), "", s.cell, s.line)
    return list(found.values())


def _path_base(target: str | None, value: str) -> str:
    if target:
        stem = re.sub(r"^(df|data)_|_(df|data)$", "", target)
        if stem in ("df", "data", ""):
            stem = "data"
        if not stem[0].isalpha():  # df_1 -> data_1_path
            stem = f"data_{stem}"
        return f"{stem}_path"
    stem = PurePosixPath(value.split("?")[0]).name.split(".")[0]
    stem = snake(stem) or "output"
    return f"{stem}_path"


def replace_literals(s: Statement, mapping: dict[str, str]) -> Statement:
    if not any(  # most statements hold none of the paths: skip the libcst pass
        isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value in mapping
        for n in walk(tree_of(s))
    ):
        return s
    new = s.node.visit(StringReplacer(mapping, into_functions=False))
    changed = replace(s, node=new, tree=None, line_count=None)
    changed.facts = analyze(tree_of(changed))  # tree is None: parsed from the new code
    return changed


def mkdir_lines(s: Statement, path_values: dict[str, str]) -> list[str]:
    """``Path(p).parent.mkdir(...)`` for each file the statement writes into a folder."""
    out: list[str] = []
    bound_here = set(s.facts.writes)
    for node in top_level_calls(tree_of(s)):
        name = call_name(node)
        if not name or not call_io(node)[1] or name in ("mkdir", "makedirs"):
            continue
        args = [*node.args, *(k.value for k in node.keywords if k.arg in PATH_KEYWORDS)]
        for arg in args:
            line = None
            if isinstance(arg, ast.Name) and arg.id in path_values:
                folder = PurePosixPath(path_values[arg.id]).parent
                if str(folder) not in ("", ".") and "://" not in path_values[arg.id]:
                    line = f"Path({arg.id}).parent.mkdir(parents=True, exist_ok=True)"
            elif isinstance(arg, ast.Constant) and looks_like_path(arg.value):
                folder = PurePosixPath(arg.value).parent
                if str(folder) not in ("", ".") and "://" not in arg.value:
                    line = f"Path({str(folder)!r}).mkdir(parents=True, exist_ok=True)"
            elif _built_path(arg) and not (_names(arg) & bound_here):
                line = f"Path({ast.unparse(arg)}).parent.mkdir(parents=True, exist_ok=True)"
            if line and line not in out:
                out.append(line)
    return out


def built_paths(units) -> dict[str, str]:
    """Names bound once, at the top of a step, to a path built in place (an f-string with a
    folder, ``os.path.join``): the folder of a file later written to it is created too. The
    value is the path's literal text (``output/{}/preds.parquet``), for its folder part."""
    bound: dict[str, str] = {}
    count: dict[str, int] = {}
    for u in units:
        for s in u.statements:
            for w in s.facts.writes:
                count[w] = count.get(w, 0) + 1
            tree = tree_of(s)
            if (isinstance(tree, ast.Assign) and len(tree.targets) == 1
                    and isinstance(tree.targets[0], ast.Name) and _built_path(tree.value)):
                text = "".join(v.value if isinstance(v, ast.Constant) else "{}"
                               for v in tree.value.values) if isinstance(
                    tree.value, ast.JoinedStr) else "{}/{}"
                bound[tree.targets[0].id] = text
    return {name: text for name, text in bound.items() if count.get(name) == 1}


def _built_path(e: ast.expr) -> bool:
    """A path built without side effects: an f-string, ``os.path.join(...)``, ``a / "b"``."""
    if isinstance(e, ast.JoinedStr):
        return all(isinstance(v, ast.Constant) or _pure(v.value) for v in e.values)
    if isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute) and e.func.attr == "join" \
            and ast.unparse(e.func) == "os.path.join":
        return all(_pure(a) for a in e.args)
    if isinstance(e, ast.BinOp) and isinstance(e.op, ast.Div):
        return _pure(e.left) and _pure(e.right) and any(
            isinstance(x, (ast.Constant, ast.JoinedStr)) for x in (e.left, e.right))
    return False


def _pure(e: ast.expr) -> bool:
    return isinstance(e, (ast.Name, ast.Constant)) or (
        isinstance(e, ast.Attribute) and _pure(e.value)) or _built_path(e)


def _names(e: ast.expr) -> set[str]:
    return {n.id for n in ast.walk(e) if isinstance(n, ast.Name)}


@dataclass(frozen=True)
class Steps:
    """The statements that run in the flow, with inline paths replaced by parameters."""

    statements: tuple[Statement, ...]
    params: tuple[Param, ...]  # every flow parameter, in order
    param_names: frozenset[str]  # the notebook's and the paths' (not year, month, data_dir)
    path_params: tuple[Param, ...]
    path_values: Mapping[str, str]  # parameter -> its default, for string parameters
    prelude: tuple[str, ...]  # flow-body lines that compute parameters (dates, data_dir)
    helpers: tuple[str, ...]  # module-level helper functions those lines call


def inline_paths(scope: Scope, level: ModuleLevel, params: list[Param],
                 param_stmts: list[Statement], options: ConvertOptions,
                 diagnostics: list) -> Steps:
    """Path literals the steps read or write become parameters; ``--date-params`` and
    ``--data-dir`` then compute some of them in the flow."""
    at_module = set(map(id, level.statements)) | set(map(id, param_stmts))
    steps = [s for s in scope.code if id(s) not in at_module]
    names = {p.name for p in params}
    taken = scope.taken
    path_params = path_parameters(steps, taken | names)
    params = [*params, *path_params]
    names |= {p.name for p in path_params}
    replacements = {p.default: p.name for p in path_params}
    if replacements:
        steps = [replace_literals(s, replacements) for s in steps]
    path_values = {p.name: p.default for p in params if isinstance(p.default, str)}
    prelude: list[str] = []
    helpers: list[str] = []
    templated: list[Param] = []  # path parameters now computed from year and month
    if options.date_params:
        before = params
        params, prelude, helpers = date_parameters(params, path_params, taken | names,
                                                   diagnostics, options.scheduled_month)
        templated = [p for p in before if p not in params]
    if options.data_dir:
        params, lines, helper = data_dir_parameter(params, path_params, taken | names,
                                                   templated)
        prelude += lines
        helpers += helper
    return Steps(tuple(steps), tuple(params), frozenset(names), tuple(path_params),
                 MappingProxyType(path_values), tuple(prelude), tuple(helpers))
