"""What a print or an expression shows: a message, an exploration of the data, the
environment, an evaluation of a model."""

from __future__ import annotations

import ast

from ..analyze import call_name, root_name
from ..rules.pipeline import (
    DESCRIBE_METHODS,
    EVALUATION_CALLS,
    METRIC_FUNCTION,
    MACHINE_ATTRIBUTES,
    MACHINE_CALLS,
    SHAPE_ATTRIBUTES,
    TRACKING_REPORTS,
)
from .literals import walk_scope
from .roles import Context


def assigns_metric(tree: ast.AST) -> bool:
    """``auc = roc_auc_score(y_val, y_pred)``: the evaluation of a model, kept with the
    model as a person keeps it (a report whose value the flow logs)."""
    if not isinstance(tree, ast.Assign) or not isinstance(tree.value, (ast.Call, ast.BinOp)):
        return False
    value = tree.value
    while isinstance(value, ast.BinOp):
        value = value.left
    name = call_name(value) if isinstance(value, ast.Call) else None
    return bool(name) and bool(METRIC_FUNCTION.search(name))


def is_message(call: ast.Call) -> bool:
    """``print("Results:")``, ``print("=" * 20)``: text only."""
    return call_name(call) == "print" and isinstance(call.func, ast.Name) and all(
        map(_text, call.args))  # print("value", 0) prints a value


def _text(e: ast.expr) -> bool:
    """A string literal, or literals combined into one (``"=" * 20``)."""
    if isinstance(e, ast.Constant):
        return isinstance(e.value, str)
    if isinstance(e, ast.BinOp):
        constants = all(isinstance(n, (ast.Constant, ast.BinOp, ast.operator))
                        for n in ast.walk(e))
        return constants and (_text(e.left) or _text(e.right))
    return False


def evaluates(tree: ast.AST) -> bool:
    """A metric, a prediction or a fitted attribute (``best_score_``, ``coef_``)."""
    for node in walk_scope(tree):
        if isinstance(node, ast.Call) and (name := call_name(node)) and (
            EVALUATION_CALLS.search(name) or name in TRACKING_REPORTS
        ):
            return True
        if isinstance(node, ast.Attribute) and node.attr.endswith("_") and not (
            node.attr.startswith("_")
        ):
            return True
    return False


def explores(call: ast.Call, ctx: Context) -> bool:
    """``print(df.shape)``, ``print(df.head())``, ``print(pd.__version__)``: a print whose
    every argument only describes data or the environment."""
    if call_name(call) != "print" or not isinstance(call.func, ast.Name):
        return False
    values = [a for a in call.args if not isinstance(a, ast.Constant)]
    labelled = len(values) < len(call.args)  # print("rows written:", len(df)) reports
    return bool(values) and all(_describes(a, ctx) and not (labelled and _counts(a))
                                for a in values)


def environment_print(call: ast.Call, ctx: Context) -> bool:
    """``print("torch", torch.__version__)``, ``print(version("pandas"))``,
    ``print("CUDA:", torch.cuda.is_available())``."""
    values = [a for a in call.args if not isinstance(a, ast.Constant)]
    parts = [p for v in values for p in (
        [f.value for f in v.values if isinstance(f, ast.FormattedValue)]
        if isinstance(v, ast.JoinedStr) else [v])]
    return bool(parts) and all(
        isinstance(p, ast.Attribute) and p.attr in MACHINE_ATTRIBUTES
        or isinstance(p, ast.Call) and call_name(p) in MACHINE_CALLS
        for p in parts)


def _counts(e: ast.expr) -> bool:
    return isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id == "len"


def _describes(e: ast.expr, ctx: Context) -> bool:
    if isinstance(e, ast.Constant):
        return True
    if isinstance(e, ast.JoinedStr):
        parts = [v.value for v in e.values if isinstance(v, ast.FormattedValue)]
        return bool(parts) and all(_describes(p, ctx) for p in parts)
    if isinstance(e, ast.Attribute):
        return e.attr in SHAPE_ATTRIBUTES or _describes(e.value, ctx) and (
            isinstance(e.value, ast.Attribute) or root_name(e) in ctx.modules)
    if isinstance(e, ast.Subscript):  # df.shape[0]
        return isinstance(e.value, ast.Attribute) and e.value.attr in SHAPE_ATTRIBUTES
    if isinstance(e, ast.Call):
        name = call_name(e)
        if isinstance(e.func, ast.Name) and name in ("len", "type"):
            return True
        if name in MACHINE_CALLS:
            return True
        if isinstance(e.func, ast.Attribute) and (
            name in DESCRIBE_METHODS or _describes(e.func.value, ctx)
            and isinstance(e.func.value, ast.Call)
        ):
            return True  # df.head(), df.isnull().sum()
    if isinstance(e, ast.Name):
        return e.id in ctx.modules
    return False
