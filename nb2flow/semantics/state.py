"""The notebook analysed once for the decisions: each statement's role, the dependencies
between statements, the modules imported, the settings repeated."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace

from ..analyze import global_call_facts
from ..astnodes import walk
from ..ir import Classified, Diagnostic, Statement
from .facts import constructor, role_of
from .functions import function_roles
from .roles import Context, Role
from .graph import closure, dependencies


DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


#: Configuration of these modules serves every later statement, not just their users.
PROCESS_WIDE = {"warnings", "logging", "os", "sys", "random", "locale", "multiprocessing",
                "socket", "tqdm", "gc", "time", "nltk", "dotenv"}


@dataclass
class State:
    code: list[Statement]
    roles: list[Role]
    deps: list[list[int]]
    modules: dict[str, str]
    shown: set[int] = field(default_factory=set)  # plots and displays classify dropped
    live: set[int] = field(default_factory=set)
    why: dict[int, str] = field(default_factory=dict)  # dropped statement -> reason
    decision: dict[int, str] = field(default_factory=dict)  # kept statement -> decision
    experiments: dict[int, str] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    product: tuple[str, int] | None = None
    validations: set[int] = field(default_factory=set)  # cross-validation of a kept model
    settings: dict[int, int] = field(default_factory=dict)  # a setting -> its next repeat

    def keep(self, indices, decision: str = "work", avoid=frozenset()) -> None:
        """Keep ``indices`` and what they need, never walking into ``avoid``."""
        for j in closure(indices, self.deps, self.live | set(avoid)) - set(avoid):
            if j not in self.live:
                self.live.add(j)
                self.decision.setdefault(j, decision if j in indices else "work")


def merged_statements(c: Classified) -> list[Statement]:
    """The kept statements with the plots and displays classify dropped, in notebook
    order."""
    if not c.shown:
        return list(c.statements)
    out: list[Statement] = []
    pending = list(c.shown)
    for i, s in enumerate(c.statements):
        while pending and pending[0][0] <= i:
            out.append(pending.pop(0)[1])
        out.append(s)
    out.extend(s for _, s in pending)
    return out


def is_import(s: Statement) -> bool:
    return isinstance(s.tree, (ast.Import, ast.ImportFrom))


def analyse(c: Classified, code: list[Statement], shown_ids: set[int]) -> State:
    modules = _modules(c)
    defs = {s.tree.name: s.tree for s in code
            if isinstance(s.tree, (ast.FunctionDef, ast.AsyncFunctionDef))}
    constructors = _constructors(code)
    ctx = Context(modules, function_roles(defs, modules, constructors), constructors)
    shown = {i for i, s in enumerate(code) if id(s) in shown_ids}
    roles = []
    seen: dict[str, str] = {}  # the class each name was last built from, so far
    here = replace(ctx, constructors=seen)
    for i, s in enumerate(code):
        if isinstance(s.tree, DEFS) or i in shown:
            roles.append(Role())
            continue
        seen.update(_constructors([s]))  # `lr` is a LinearRegression here, a Lasso later
        roles.append(role_of(s.tree, here))
    for i, (s, role) in enumerate(zip(code, roles)):
        if i in shown:
            continue
        if s.facts.uses_exec:
            role.sinks.append("runs code nb2flow cannot see (exec/eval)")
        elif _unknown_call(s, role, modules):
            role.effect = "call"
    facts = global_call_facts(code, _plot_facts(code, shown))
    return State(code, roles, dependencies(code, roles, facts), modules, shown=shown,
                  settings=_repeated_settings(code, roles))


def _fitted(tree: ast.AST) -> set[str]:
    """Names a statement trains in place (``elbow.fit(X)``)."""
    from ..rules.pipeline import FIT_METHODS

    return {n.func.value.id for n in ast.walk(tree) if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute) and n.func.attr in FIT_METHODS
            and isinstance(n.func.value, ast.Name)}


def _plot_facts(code: list[Statement], shown: set[int]):
    """A plot changes only what plots bound (``elbow.fit(X)`` of a visualiser), never the
    data it draws (``df.plot()`` leaves ``df`` alone)."""
    plot_bound: set[str] = set()
    facts = []
    for i, s in enumerate(code):
        f = s.facts
        if i in shown:
            bound = [w for w in f.writes if w not in f.mutates]
            plot_bound.update(bound)
            fitted = _fitted(s.tree) & plot_bound
            f = replace(f, writes=tuple(w for w in f.writes if w in bound or w in fitted),
                        mutates=tuple(m for m in f.mutates if m in fitted))
        facts.append(f)
    return facts


def _unknown_call(s: Statement, role: Role, modules: dict[str, str]) -> bool:
    """A call whose effect nb2flow cannot see and that binds nothing (``bump()`` of a
    function that changes a global, ``process(f)`` in a loop): it may change what follows."""
    if role.sinks or role.reports or role.fits or role.effect or role.demo or role.records:
        return False
    if any(w not in modules for w in s.facts.writes):
        return False
    tree = s.tree
    if isinstance(tree, ast.Expr):
        return isinstance(tree.value, (ast.Call, ast.Await))
    if not isinstance(tree, (ast.For, ast.AsyncFor, ast.While, ast.If, ast.With,
                             ast.AsyncWith, ast.Try)):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Name) and func.id != "print":
                return True
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and (
                func.value.id in modules
            ):
                return True
    return False


def _modules(c: Classified) -> dict[str, str]:
    """Imported name -> its top-level package (``np`` -> ``numpy``, ``Lasso`` ->
    ``sklearn``)."""
    found: dict[str, str] = {}
    for s in c.statements:
        t = s.tree
        if isinstance(t, ast.Import):
            for a in t.names:
                found[a.asname or a.name.split(".")[0]] = a.name.split(".")[0]
        elif isinstance(t, ast.ImportFrom) and t.module and not t.level:
            for a in t.names:
                found[a.asname or a.name] = t.module.split(".")[0]
    return found


def _constructors(code: list[Statement]) -> dict[str, str]:
    """Variable -> the class it was last built from (``lr = Lasso(0.1)``)."""
    found: dict[str, str] = {}
    for s in code:  # function bodies too: the label of a model a function trains
        t = s.tree
        for node in walk(t) if not isinstance(t, ast.ClassDef) else ():
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(
                node.targets[0], ast.Name
            ):
                label = constructor(node.value)
                if label is None and isinstance(node.value, ast.Dict):
                    labels = [constructor(v) for v in node.value.values if v is not None]
                    label = ", ".join(x for x in labels if x) or None
                elif label is None and isinstance(node.value, (ast.List, ast.Tuple)):
                    labels = [constructor(v) for v in node.value.elts]
                    label = ", ".join(x for x in labels if x) or None
                if label:
                    found[node.targets[0].id] = label
    return found


def _setting(s: Statement) -> tuple[str, str] | None:
    """``mlflow.set_experiment(...)`` -> ("mlflow", "set_experiment")."""
    t = s.tree
    if isinstance(t, ast.Expr) and isinstance(t.value, ast.Call) and isinstance(
        t.value.func, ast.Attribute
    ) and isinstance(t.value.func.value, ast.Name):
        return t.value.func.value.id, t.value.func.attr
    return None


def _repeated_settings(code: list[Statement], roles: list[Role]) -> dict[int, int]:
    """Each configuration call -> the next statement that makes the same call (one pass,
    from the end)."""
    later: dict[tuple[str, str], int] = {}
    out: dict[int, int] = {}
    for i in range(len(code) - 1, -1, -1):
        mine = _setting(code[i])
        if mine is None:
            continue
        if roles[i].effect == "config" and mine in later:
            out[i] = later[mine]
        later[mine] = i
    return out
