"""Why a result may differ: unseeded randomness, cells left out of the flow, run order."""

from __future__ import annotations

import ast
from dataclasses import dataclass

#: Estimators and helpers of scikit-learn (and friends) that draw random numbers unless
#: given ``random_state``.
RANDOM_ESTIMATORS = frozenset({
    "RandomForestRegressor", "RandomForestClassifier", "ExtraTreesRegressor",
    "ExtraTreesClassifier", "GradientBoostingRegressor", "GradientBoostingClassifier",
    "HistGradientBoostingRegressor", "HistGradientBoostingClassifier", "DecisionTreeRegressor",
    "DecisionTreeClassifier", "ExtraTreeRegressor", "ExtraTreeClassifier", "BaggingRegressor",
    "BaggingClassifier", "AdaBoostRegressor", "AdaBoostClassifier", "IsolationForest",
    "KMeans", "MiniBatchKMeans", "MLPRegressor", "MLPClassifier", "SGDRegressor",
    "SGDClassifier", "Perceptron", "train_test_split", "ShuffleSplit",
    "StratifiedShuffleSplit", "RandomizedSearchCV", "TSNE", "RandomTreesEmbedding",
    "GaussianMixture", "BayesianGaussianMixture", "LatentDirichletAllocation", "NMF",
    "TruncatedSVD", "RANSACRegressor", "SpectralClustering",
})
_SHUFFLING_SPLITTERS = frozenset({"KFold", "StratifiedKFold", "GroupKFold", "RepeatedKFold"})
_NP_RANDOM = frozenset({
    "rand", "randn", "randint", "random", "random_sample", "choice", "shuffle", "permutation",
    "normal", "uniform", "binomial", "poisson", "exponential", "beta", "gamma", "sample",
})
_PY_RANDOM = frozenset({
    "random", "randint", "choice", "choices", "shuffle", "sample", "uniform", "gauss",
    "randrange", "normalvariate",
})


@dataclass(frozen=True)
class Finding:
    cell: int
    line: int
    message: str
    fix: str = ""


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except SyntaxError:
        pass
    try:
        from ..magics import translate

        return ast.parse(translate(source).source)
    except Exception:  # noqa: BLE001 - a cell nb2flow cannot read has no findings
        return None


def _dotted(node: ast.expr) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def unseeded(cells: list[tuple[int, str]]) -> list[Finding]:
    """Random numbers drawn without a seed, by cell: ``[(cell number, source), ...]``."""
    findings: list[Finding] = []
    np_seeded = py_seeded = False
    trees = [(number, _parse(source)) for number, source in cells]
    kwargs = _keyword_dicts(tree for _, tree in trees if tree is not None)
    for number, tree in trees:
        if tree is None:
            continue
        calls = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Call)),
                       key=lambda n: (n.lineno, n.col_offset))
        for call in calls:
            name = _dotted(call.func)
            last = name.rsplit(".", 1)[-1]
            keywords = {k.arg: k.value for k in call.keywords}
            if name in ("np.random.seed", "numpy.random.seed"):
                np_seeded = True
            elif name == "random.seed":
                py_seeded = True
            elif last == "default_rng" and not call.args and "seed" not in keywords:
                findings.append(Finding(number, call.lineno, f"{name}() without a seed",
                                        f"pass one, e.g. {name}(42)"))
            elif name.startswith(("np.random.", "numpy.random.")) and last in _NP_RANDOM:
                if not np_seeded:
                    findings.append(Finding(number, call.lineno,
                                            f"{name}() with no np.random.seed(...) before it",
                                            "call np.random.seed(42) first"))
            elif name.startswith("random.") and last in _PY_RANDOM and not py_seeded:
                findings.append(Finding(number, call.lineno,
                                        f"{name}() with no random.seed(...) before it",
                                        "call random.seed(42) first"))
            elif (last in RANDOM_ESTIMATORS or (
                    last in _SHUFFLING_SPLITTERS and _true(keywords.get("shuffle")))):
                state = keywords.get("random_state")
                spread = [kwargs.get(_dotted(k.value)) for k in call.keywords if k.arg is None]
                if state is None and spread:  # Model(**params): seeded if params holds one
                    if any(d is None for d in spread):
                        continue  # a dict nb2flow cannot read: no claim either way
                    state = next((d["random_state"] for d in spread if "random_state" in d),
                                 None)
                if state is None or (isinstance(state, ast.Constant) and state.value is None):
                    names = [_dotted(k.value) for k in call.keywords if k.arg is None]
                    fix = (f'add "random_state": 42 to {names[0]}' if names
                           else "pass random_state=42")
                    findings.append(Finding(number, call.lineno,
                                            f"{last}(...) without random_state", fix))
    return findings


def _keyword_dicts(trees) -> dict[str, dict[str, ast.expr]]:
    """Names bound to a dict literal or ``dict(...)`` call anywhere in the notebook, with
    their string keys: what ``Model(**params)`` passes. A name bound to two different
    dicts (or built up elsewhere) is left out, since which one applies is unknown."""
    found: dict[str, dict[str, ast.expr] | None] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Assign) or len(node.targets) != 1:
                continue
            name, value = _dotted(node.targets[0]), node.value
            if not name:
                continue
            keys: dict[str, ast.expr] | None = None
            if isinstance(value, ast.Dict) and None not in value.keys and all(
                    isinstance(k, ast.Constant) and isinstance(k.value, str)
                    for k in value.keys):
                keys = {k.value: v for k, v in zip(value.keys, value.values)}
            elif isinstance(value, ast.Call) and _dotted(value.func) == "dict" and \
                    not value.args and all(k.arg for k in value.keywords):
                keys = {k.arg: k.value for k in value.keywords}
            found[name] = keys if name not in found else None
    return {name: keys for name, keys in found.items() if keys is not None}


def _true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def seed_hints(findings: list[Finding], cells: tuple[int, ...]) -> list[str]:
    """Findings in the cells up to the last one that produced the result."""
    last = max(cells) if cells else None
    return [f"cell {f.cell} line {f.line}: {f.message}: each run draws different numbers; "
            f"{f.fix}" for f in findings if last is None or f.cell <= last]


def dropped_hints(flow, cells: tuple[int, ...]) -> list[str]:
    """The producing cells, or lines of them, that nb2flow left out of the flow."""
    if flow is None:
        return []
    hints = []
    for d in flow.dropped:
        if d.cell in cells:
            where = f"cell {d.cell}" + (f" line {d.line}" if d.line else "")
            fix = (" (remove the tag, or write the file in a kept cell)"
                   if "skip" in d.reason else "")
            hints.append(f"{where} is not in the flow: {d.reason}{fix}")
    return hints


def order_hints(flow, sources: dict[int, str], cells: tuple[int, ...]) -> list[str]:
    """A later cell, in another task, that changes in place an object the result was made from.

    The notebook ran the producing cell before that change; the flow may run the other task
    first or alongside.
    """
    if flow is None or not cells:
        return []
    from ..analyze import analyze

    tasks: dict[int, set[str]] = {}
    for p in flow.placements:
        if p.where == "task":
            tasks.setdefault(p.cell, set()).add(p.name)
    facts: dict[int, tuple[set[str], set[str]]] = {}
    modules: set[str] = set()
    for number, source in sources.items():
        tree = _parse(source)
        reads: set[str] = set()
        mutates: set[str] = set()
        for stmt in tree.body if tree else ():
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                modules.update(a.asname or a.name.split(".")[0] for a in stmt.names)
                continue
            f = analyze(stmt)
            reads.update(f.reads)
            mutates.update(f.mutates)
        facts[number] = (reads, mutates)
    made_by = set().union(*(tasks.get(c, set()) for c in cells))
    read = set().union(*(facts.get(c, (set(), set()))[0] for c in cells))
    hints = []
    for number, (_, mutates) in sorted(facts.items()):
        if number <= max(cells) or not tasks.get(number) or tasks[number] & made_by:
            continue
        shared = sorted((mutates & read) - modules)
        if shared:
            names = ", ".join(f"`{n}`" for n in shared)
            hints.append(
                f"cell {number} (task {', '.join(sorted(tasks[number]))}) changes {names} in "
                f"place after the notebook used it; the flow may run that task first or "
                f"alongside: try `nb2flow convert --sequential`"
            )
    return hints
