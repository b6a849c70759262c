"""Syntax helpers of the semantics: the calls of a scope, the first string argument of a
call, paths and shell command words."""

from __future__ import annotations

import ast

from ..rules import PATH_SUFFIXES



def string_value(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def first_string(call: ast.Call, keywords=("url", "path", "filepath_or_buffer", "fname",
                                            "file", "filename", "local_path")) -> str | None:
    for a in call.args[:2]:
        if (s := string_value(a)) is not None:
            return s
    for k in call.keywords:
        if k.arg in keywords and (s := string_value(k.value)) is not None:
            return s
    return None


SHELL_CALLS = {"run", "call", "check_call", "check_output", "Popen", "system"}


def shell_paths(command: str) -> list[str]:
    """The files a shell command names (``wget -O data.csv URL``, ``unzip a.zip``)."""
    import shlex

    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    return [normal_path(w) for w in words if not w.startswith("-") and looks_like_path(w)]


def looks_like_path(value: str) -> bool:
    v = value.strip()
    if not v or "\n" in v or len(v) > 300 or " " in v.strip():
        return False
    return v.lower().endswith(PATH_SUFFIXES) or (
        "/" in v and not v.startswith(("http://", "https://")) and "." in v.rsplit("/", 1)[-1]
    )


def normal_path(value: str) -> str:
    v = value.strip()
    while v.startswith("./"):
        v = v[2:]
    return v


SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def calls_in(tree: ast.AST) -> list[ast.Call]:
    """The calls a statement makes itself, in source order, not inside nested scopes."""
    return [n for n in walk_scope(tree) if isinstance(n, ast.Call)]


def walk_scope(tree: ast.AST) -> tuple[ast.AST, ...]:
    """The nodes of a statement in source order, not descending into nested scopes
    (computed once per tree, like :func:`nb2flow.astnodes.walk`)."""
    nodes = tree.__dict__.get("_nb2flow_scope")
    if nodes is None:
        found = []
        stack = [tree]
        while stack:
            node = stack.pop()
            if node is not tree and isinstance(node, SCOPES):
                continue
            found.append(node)
            stack.extend(reversed(list(ast.iter_child_nodes(node))))
        nodes = tuple(found)
        setattr(tree, "_nb2flow_scope", nodes)
    return nodes
