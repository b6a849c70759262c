"""Remove dead experiments: statements whose results reach nothing the notebook produces.

What a notebook produces (the *outputs*):
- files it writes, models it saves, MLflow runs it logs (``Facts.writes_io``);
- calls whose effect is unknown and that bind no name (``np.random.seed(1)``,
  ``warnings.filterwarnings(...)``): kept, because dropping them could change a result;
- cells tagged ``nb2flow:keep`` and papermill ``parameters`` cells.

Printed values (``print(...)`` and shown metrics) are *weak* outputs: they are kept unless
they evaluate an experimental model, that is, a model trained (``.fit``) but never used by
an output while another model of the notebook is. A notebook that saves no model keeps all
of its prints and the code they need.

Everything else is kept exactly when an output needs it, through the chain of statements
that define (or mutate) the names it reads. If a notebook has no output at all, nothing is
pruned: a script that does nothing observable would be worse than one that keeps too much.
"""

from __future__ import annotations

import ast

from .analyze import called_names, tree_io
from .classify import code_of
from .ir import IMPORT, Classified, Dropped, Statement
from .load import TAG_PREFIX

FIT_METHODS = {"fit", "fit_transform", "fit_predict", "partial_fit", "train", "fit_generator"}


def prune(c: Classified) -> Classified:
    code = [s for s in c.statements if s.role != IMPORT]
    if not code:
        return c
    import_names = {n for s in c.statements if s.role == IMPORT for n in s.facts.writes}
    deps = _dependencies(code)
    strong, weak = _outputs(c, code, import_names)
    if not strong and not weak:
        return c
    live = _closure(strong, deps, set())
    fitting = _fitting_functions(code)
    fits = [i for i, s in enumerate(code) if _fits(s, fitting)]
    used_fits = [i for i in fits if i in live]
    experimental = {i for i in fits if i not in live} if used_fits else set()
    for i in weak:
        if i in live:
            continue
        reach = _closure([i], deps, live)
        if not (reach & experimental):
            live |= reach
    support = _closure(sorted(experimental), deps, live)  # what experimental models need
    kept_ids = {id(code[i]) for i in live}
    index_of = {id(s): i for i, s in enumerate(code)}
    statements: list[Statement] = []
    dropped = list(c.dropped)
    for s in c.statements:
        if s.role == IMPORT or id(s) in kept_ids:
            statements.append(s)
            continue
        index = index_of[id(s)]
        reason = (
            "experiment: this model is trained but no output uses it"
            if index in experimental
            else "experiment: evaluates a model that no output uses"
            if _closure([index], deps, live) & experimental
            else "experiment: prepares a model that no output uses"
            if index in support
            else "result reaches no output (file, saved model, print)"
        )
        dropped.append(Dropped(s.cell, s.line, reason, code_of(s.node).strip()))
    c.statements = statements
    c.dropped = sorted(dropped, key=lambda d: (d.cell, d.line or 0))
    return c


def _dependencies(code: list[Statement]) -> list[list[int]]:
    """For each statement, the earlier statements that define what it reads."""
    reaching: dict[str, list[int]] = {}
    deps: list[list[int]] = []
    for i, s in enumerate(code):
        mine: list[int] = []
        for name in s.facts.reads:
            for j in reaching.get(name, ()):
                if j not in mine:
                    mine.append(j)
        deps.append(mine)
        reads = set(s.facts.reads)
        definite = set(s.facts.definite)
        for name in s.facts.writes:
            if name in reads or name in definite:
                reaching[name] = [i]  # a read-then-write continues the chain through i
            else:
                reaching[name] = [*reaching.get(name, ()), i]
    return deps


def _outputs(
    c: Classified, code: list[Statement], import_names: set[str]
) -> tuple[list[int], list[int]]:
    strong: list[int] = []
    weak: list[int] = []
    writing, printing = _effectful_functions(code)
    for i, s in enumerate(code):
        tags = c.cell_tags.get(s.cell, ())
        defines = isinstance(s.tree, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        calls = set() if defines else set(s.facts.calls)
        if f"{TAG_PREFIX}keep" in tags or s.cell in c.parameter_cells:
            strong.append(i)
        elif s.facts.writes_io or s.draws or calls & writing:
            strong.append(i)
        elif "print" in calls or calls & printing:
            weak.append(i)
        elif _unknown_effect(s, import_names):
            strong.append(i)
    return strong, weak


def _unknown_effect(s: Statement, import_names: set[str]) -> bool:
    """A call whose effect nb2flow cannot see (``np.random.seed(1)``, ``do(x)`` in a loop)."""
    tree = s.tree
    if isinstance(tree, ast.Expr):
        return isinstance(tree.value, (ast.Call, ast.Await)) and not any(
            w not in import_names for w in s.facts.writes
        )
    if not isinstance(tree, (ast.For, ast.AsyncFor, ast.While, ast.If, ast.With,
                             ast.AsyncWith, ast.Try)):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Name) and func.id != "print":
                return True
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and (
                func.value.id in import_names
            ):
                return True
    return False


def _effectful_functions(code: list[Statement]) -> tuple[set[str], set[str]]:
    """Notebook functions that write files, and those that print, directly or through
    another notebook function: calling them is an output like writing or printing."""
    bodies = {
        s.tree.name: s for s in code
        if isinstance(s.tree, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    called = {name: called_names([s.tree]) for name, s in bodies.items()}
    writing = {name for name, s in bodies.items() if tree_io(s.tree)[1]}
    printing = {name for name in bodies if "print" in called[name]}
    changed = True
    while changed:
        changed = False
        for name in bodies:
            calls = called[name]
            if name not in writing and calls & writing:
                writing.add(name)
                changed = True
            if name not in printing and calls & printing:
                printing.add(name)
                changed = True
    return writing, printing - writing


def _fitting_functions(code: list[Statement]) -> set[str]:
    """Notebook functions that train a model, directly or through another such function."""
    bodies = {
        s.tree.name: s.tree for s in code
        if isinstance(s.tree, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    fitting: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, tree in bodies.items():
            if name not in fitting and _calls_fit(tree.body, fitting):
                fitting.add(name)
                changed = True
    return fitting


def _fits(s: Statement, fitting: set[str]) -> bool:
    tree = s.tree
    if isinstance(tree, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return False
    return _calls_fit([tree], fitting)


def _calls_fit(nodes: list[ast.AST], fitting: set[str]) -> bool:
    stack: list[ast.AST] = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in FIT_METHODS:
                return True
            if isinstance(func, ast.Name) and func.id in fitting:
                return True
        stack.extend(ast.iter_child_nodes(node))
    return False


def _closure(start: list[int], deps: list[list[int]], stop: set[int]) -> set[int]:
    seen: set[int] = set()
    todo = [i for i in start if i not in stop]
    while todo:
        i = todo.pop()
        if i in seen:
            continue
        seen.add(i)
        todo.extend(j for j in deps[i] if j not in seen and j not in stop)
    return seen | (set(start) & stop)
