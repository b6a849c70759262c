"""Task names: from a heading or tag, else from what the step does (train_model ...)."""

from __future__ import annotations

import ast
import keyword
import re

from ..analyze import call_io, call_name
from ..identifiers import snake, unique
from ..ir import Classified, Statement
from ..options import ConvertOptions
from .syntax import top_level_calls, tree_of
from .tasks import TASK_RUNNERS
from .units import Unit, define_before_use, merge_small, replicate_process_config, split_units


def name_units(units: list[Unit], reserved: set[str]) -> None:
    used: set[str] = set()
    for u in units:
        if u.call is not None:
            continue
        if u.from_tag:
            base = u.title or ""
        elif u.title:
            base = snake(u.title, drop_stopwords=True) or _production_name(u)
        else:
            base = _production_name(u)
        if not base.isidentifier() or keyword.iskeyword(base):
            base = f"step_{base}" if base else "step"
        name = unique(base, reserved | used, suffix="_step")
        used.add(name)
        u.name = name


def _is_secret_read(node: ast.Call) -> bool:
    """``Secret.load("x")`` and ``Secret.load("x").get()``: plumbing, not the step's work."""
    func = node.func
    while isinstance(func, ast.Attribute):
        func = func.value.func if isinstance(func.value, ast.Call) else func.value
    return isinstance(func, ast.Name) and func.id == "Secret"


def _production_name(u: Unit) -> str:
    """Name a step after what it does: train_model, save_model, load_*, evaluate_model ..."""
    calls: list[str] = []
    reads_io = writes_io = False  # creating a folder is not what a step is about
    for s in u.statements:
        for node in top_level_calls(tree_of(s)):
            name = call_name(node)
            if name and not _is_secret_read(node):
                func = node.func
                if name == "dump" and isinstance(func, ast.Attribute) and isinstance(
                    func.value, ast.Name
                ) and func.value.id in ("json", "yaml", "toml", "tomli_w", "csv"):
                    name = "dump_text"  # json.dump(metrics, f): results, not a model
                calls.append(name)
                r, w = call_io(node)
                reads_io = reads_io or r
                writes_io = writes_io or (w and name not in ("mkdir", "makedirs"))
    writes = [w for s in u.statements for w in s.facts.definite]
    first = next((snake(w) for w in writes if len(w) > 2), "")
    if any(n in ("fit", "train", "partial_fit", "fit_predict") for n in calls):
        return "train_model"
    if "fit_transform" in calls:  # a vectoriser or scaler learns the features
        return "build_features"
    if {"set_tracking_uri", "set_experiment"} & set(calls) and not writes_io:
        return "configure_mlflow"
    if writes_io and not reads_io:
        if any(n in ("savefig", "write_image", "write_html") for n in calls) and not any(
            n in ("dump", "log_model", "save_model") for n in calls
        ):
            return "save_figure"
        if any(n in ("dump", "log_model") or n.startswith("save") for n in calls):
            return "save_model"
        if any(n.startswith("to_") for n in calls):
            return "save_data"
        return "save_results" if "dump_text" in calls else "save_outputs"
    if reads_io:
        return f"load_{first}" if first and first not in ("data", "f") else "load_data"
    if any(re.search(r"(error|score|accuracy|metric)", n) for n in calls):
        return "evaluate_model"
    if "print" in calls and not writes:
        return "report_results"
    return f"prepare_{first}" if first else "prepare_data"


def named_units(c: Classified, steps: tuple[Statement, ...], hoisted: set[int],
                reserved: frozenset[str], options: ConvertOptions,
                imports: tuple[Statement, ...]) -> list[Unit]:
    """The steps cut into units of work, small ones merged, each named."""
    statements, anchors = define_before_use(list(steps))
    units = merge_small(split_units(c, statements, hoisted, anchors))
    name_units(units, set(reserved))
    if options.task_runner in TASK_RUNNERS:  # tasks run in other processes
        replicate_process_config(units, list(imports))
    return units
