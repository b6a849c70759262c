"""Syntax helpers on statements: their ast tree, the calls in them, blank lines."""

from __future__ import annotations

import ast

import libcst as cst

from ..astnodes import walk
from ..classify import code_of
from ..ir import Statement


def tree_of(s: Statement) -> ast.stmt:
    if s.tree is None:
        s.tree = ast.parse(code_of(s.node)).body[0]
    return s.tree


def top_level_calls(tree: ast.stmt):
    """Calls in a statement, not inside nested functions or lambdas."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, ast.Call):
            yield node
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def tree_value(tree: ast.stmt) -> ast.expr | None:
    return getattr(tree, "value", None)


def strip_blank(text: str) -> str:
    return text.strip("\n")


def trim_leading_blank(node: cst.CSTNode, keep_one: bool) -> cst.CSTNode:
    lines = list(getattr(node, "leading_lines", ()))
    while lines and lines[0].comment is None:
        lines.pop(0)
    if keep_one:
        lines.insert(0, cst.EmptyLine())
    return node.with_changes(leading_lines=lines)


def target_of(s: Statement) -> str:
    return s.facts.writes[0] if s.facts.writes else ""


def called(s: Statement) -> str:
    return tree_of(s).value.func.id


def uses_random(s: Statement) -> bool:
    return any(
        isinstance(n, ast.Attribute) and n.attr in ("random", "seed", "manual_seed")
        or isinstance(n, ast.Name) and n.id == "random"
        for n in walk(tree_of(s))
    )


def is_generator(s: Statement) -> bool:
    tree = tree_of(s)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return True
    return False


def comment_of(node: cst.CSTNode) -> str:
    if isinstance(node, cst.SimpleStatementLine) and node.trailing_whitespace.comment:
        return node.trailing_whitespace.comment.value.lstrip("#").strip()
    return ""


def plain_target(t: ast.expr) -> bool:
    if isinstance(t, ast.Name):
        return True
    return isinstance(t, ast.Tuple) and all(isinstance(e, ast.Name) for e in t.elts)
