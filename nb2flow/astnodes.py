"""``ast.walk`` once per tree.

Several stages walk the same statement's tree again and again (the secret checks, the
bindings, the calls); ``ast.walk`` is a Python generator and the walk dominated those
stages on big notebooks. :func:`walk` keeps the nodes, in ``ast.walk``'s order, on the
tree itself. nb2flow never changes an ``ast`` tree in place (a changed statement gets a
new tree), so the nodes stay right.
"""

from __future__ import annotations

import ast

_KEY = "_nb2flow_nodes"


def walk(tree: ast.AST) -> tuple[ast.AST, ...]:
    """The nodes of ``ast.walk(tree)``, computed on the first call for this tree."""
    nodes = tree.__dict__.get(_KEY)
    if nodes is None:
        nodes = tuple(ast.walk(tree))
        setattr(tree, _KEY, nodes)
    return nodes
