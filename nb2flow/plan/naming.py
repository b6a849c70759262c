"""Task names: from a heading or tag, else from what the step does (train_model ...)."""

from __future__ import annotations

import ast
import keyword
import re

from ..analyze import call_io, call_name
from ..identifiers import snake, unique
from ..ir import Classified, Statement
from ..options import ConvertOptions
from ..rules.pipeline import SEARCH_FUNCTIONS
from .syntax import top_level_calls, tree_of
from .tasks import TASK_RUNNERS
from .units import Unit, define_before_use, merge_small, replicate_process_config, split_units


def name_units(units: list[Unit], reserved: set[str]) -> None:
    used: set[str] = set()
    bases = {id(u): _base_name(u) for u in units if u.call is None}
    trainings = [u for u in units if bases.get(id(u)) == "train_model"]
    if len(trainings) > 1:  # several models trained: name each step after its model
        kinds = _model_kinds(units, trainings)
        for u in trainings:
            kind = kinds.get(id(u))
            bases[id(u)] = f"train_{kind}" if kind else "train_model"
    for u in units:
        if u.call is not None:
            continue
        base = bases[id(u)]
        if not base.isidentifier() or keyword.iskeyword(base):
            base = f"step_{base}" if base else "step"
        name = unique(base, reserved | used, suffix="_step")
        used.add(name)
        u.name = name


def _base_name(u: Unit) -> str:
    if u.from_tag:
        return u.title or ""
    if u.title:
        return snake(u.title, drop_stopwords=True) or _production_name(u)
    return _production_name(u)


#: module aliases whose ``train(...)`` trains that library's model
_TRAIN_MODULES = {"xgb": "xgboost", "lgb": "lightgbm", "lgbm": "lightgbm", "cb": "catboost"}
_FITS = ("fit", "train", "partial_fit", "fit_predict")


def _model_kinds(units: list[Unit], trainings: list[Unit]) -> dict[int, str]:
    """What each training step trains, for its name: ``lasso``, ``xgboost``, ``models`` for
    a loop over model classes; "" when nb2flow cannot tell. A variable is the model it was
    last built as before the fit (``lr`` is a LinearRegression, later a Lasso)."""
    built: dict[str, str] = {}
    kinds: dict[int, str] = {}
    wanted = {id(u) for u in trainings}
    for u in units:
        for s in u.statements:
            tree = tree_of(s)
            if id(u) in wanted and id(u) not in kinds:
                kind = _fitted_kind(tree, built)
                if kind:
                    kinds[id(u)] = kind
            for node in ast.walk(tree):
                if (isinstance(node, ast.Assign) and len(node.targets) == 1
                        and isinstance(node.targets[0], ast.Name)
                        and isinstance(node.value, ast.Call)):
                    name = call_name(node.value)
                    if name and name[:1].isupper():
                        built[node.targets[0].id] = name
    return kinds


def _fitted_kind(tree: ast.AST, built: dict[str, str]) -> str:
    if isinstance(tree, (ast.For, ast.AsyncFor)) and isinstance(
        tree.iter, (ast.Tuple, ast.List)
    ) and all(isinstance(e, (ast.Name, ast.Attribute)) for e in tree.iter.elts):
        return "models"
    local = dict(built)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Call)):
            name = call_name(node.value)
            if name and name[:1].isupper():
                local[node.targets[0].id] = name
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in _FITS):
            continue
        owner = node.func.value
        if isinstance(owner, ast.Call):
            name = call_name(owner)
            if name and name[:1].isupper():
                return snake(name)
        if isinstance(owner, ast.Name):
            if owner.id in local:
                return snake(local[owner.id])
            if node.func.attr == "train":
                return _TRAIN_MODULES.get(owner.id, snake(owner.id))
    return ""


#: Opening a connection is not reading data: a step that connects and writes saves.
_CONNECTIONS = {"create_engine", "connect"}


def _reads_secret(s: Statement) -> bool:
    """``token = Secret.load("t").get()``: plumbing, not what the step produces."""
    tree = tree_of(s)
    return isinstance(tree, ast.Assign) and isinstance(tree.value, ast.Call) and (
        _is_secret_read(tree.value))


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
                reads_io = reads_io or (r and name not in _CONNECTIONS)
                writes_io = writes_io or (w and name not in ("mkdir", "makedirs"))
    writes = [w for s in u.statements if not _reads_secret(s) for w in s.facts.definite]
    first = next((snake(w) for w in writes if len(w) > 2), "")
    if SEARCH_FUNCTIONS & set(calls):
        return "search_hyperparameters"
    if any(n in _FITS for n in calls):
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
        if any(n.startswith(("upload", "put_object")) for n in calls):
            return "upload_outputs"
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
