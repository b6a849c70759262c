"""What each top-level statement does for the pipeline, read off its calls.

One walk per statement (and one per notebook function, through the call graph, callbacks
included) gives a :class:`Role`: the sinks, run records and reports it calls, the models it
trains, whether it searches hyperparameters or loops over model classes, its effect on the
process (environment, seeding, library configuration, a resource's end of life) and the
files it names. The decision itself is :func:`nb2flow.semantics.decide`'s.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from ..analyze import attr_chain, call_io, call_name, root_name
from ..rules import PATH_SUFFIXES
from ..rules.pipeline import (
    CHECKPOINT_CALLBACKS,
    CV_FUNCTIONS,
    DESCRIBE_METHODS,
    EVALUATION_CALLS,
    ENVIRONMENT_CALLS,
    ENVIRONMENT_RECEIVERS,
    FIT_METHODS,
    FOLDER_CALLS,
    HTTP_SENDS,
    LIFECYCLE_METHODS,
    LOCAL_URL,
    LOGGER_METHODS,
    LOGGER_NAMES,
    METRIC_FUNCTION,
    MACHINE_ATTRIBUTES,
    MACHINE_CALLS,
    NOTEBOOK_RUNS,
    PROJECT_RUNS,
    READ_ONLY_SQL,
    REPORT_FUNCTIONS,
    RUN_RECORDS,
    SEARCH_CLASSES,
    SEARCH_FUNCTIONS,
    SEED_CALLS,
    SHAPE_ATTRIBUTES,
    SPARK_WRITERS,
    TRACKING_REPORTS,
)

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


@dataclass
class Fit:
    """A model trained by a statement: the name that holds it and what it is."""

    name: str | None  # the variable holding the trained model (None: inside a function)
    label: str  # "Lasso", "the xgboost booster", "`model`"
    line: int
    package: str | None = None  # the library it comes from, when known (autolog)


@dataclass
class Role:
    """What one statement (or a notebook function's body) does, before any decision."""

    sinks: list[str] = field(default_factory=list)  # what it produces: "writes a file", ...
    records: bool = False  # MLflow records attached to a run (log_artifact, log_dict)
    reports: bool = False  # prints, metric and parameter logs
    demo: str = ""  # a call to a local service: its URL
    fits: list[Fit] = field(default_factory=list)
    search: str = ""  # the search call or class: "fmin", "GridSearchCV"
    search_result: str = ""  # the name its result is assigned to
    zoo: list[str] = field(default_factory=list)  # model classes a loop trains in turn
    effect: str = ""  # "environment", "seed", "config", "folders", "lifecycle"
    effect_target: str = ""  # the module configured or the resource ended
    autolog: bool | None = None  # True: enables MLflow autologging; False: disables it
    autolog_flavor: str = ""
    file_reads: set[str] = field(default_factory=set)
    file_writes: set[str] = field(default_factory=set)
    callbacks: set[str] = field(default_factory=set)  # notebook functions passed as values
    exploration: bool = False  # prints only shapes, heads, summaries or versions
    evidence: bool = False  # evaluates a model: a metric, a prediction, a fitted attribute
    message: bool = False  # prints only text (a heading or a separator)
    environment: bool = False  # prints only versions or the machine (``torch.__version__``)
    metric: bool = False  # assigns a metric (``auc = roc_auc_score(y, p)``)
    validates: str = ""  # cross-validation: the estimator it validates


@dataclass(frozen=True)
class Context:
    """Notebook-wide facts the per-statement walk needs."""

    modules: dict[str, str]  # imported name -> top-level package ("np" -> "numpy")
    functions: dict[str, Role]  # notebook function -> what calling it does
    constructors: dict[str, str]  # variable -> the class that built it ("lr" -> "Lasso")


def calls_in(tree: ast.AST) -> list[ast.Call]:
    """The calls a statement makes itself, in source order, not inside nested scopes."""
    return [n for n in walk_scope(tree) if isinstance(n, ast.Call)]


def walk_scope(tree: ast.AST):
    """The nodes of a statement in source order, not descending into nested scopes."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if node is not tree and isinstance(node, _SCOPES):
            continue
        yield node
        stack.extend(reversed(list(ast.iter_child_nodes(node))))



def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _first_string(call: ast.Call, keywords=("url", "path", "filepath_or_buffer", "fname",
                                            "file", "filename", "local_path")) -> str | None:
    for a in call.args[:2]:
        if (s := _string(a)) is not None:
            return s
    for k in call.keywords:
        if k.arg in keywords and (s := _string(k.value)) is not None:
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


def constructor(value: ast.expr) -> str | None:
    """The class a value is built from: ``Lasso`` for ``Lasso(alpha)`` or
    ``Lasso(alpha).fit(X, y)``, ``XGBRegressor`` for ``xgb.XGBRegressor(**p)``."""
    while isinstance(value, ast.Call):
        func = value.func
        if isinstance(func, ast.Attribute) and func.attr in FIT_METHODS | {"set_params"}:
            value = func.value
            continue
        name = call_name(value)
        if name and name[:1].isupper():
            return name
        return None
    return None


def role_of(tree: ast.AST, ctx: Context) -> Role:
    """The role of a top-level statement (or a function body, for :func:`function_roles`)."""
    role = Role()
    assigned = _assigned_calls(tree)
    alone = {id(n.value) for n in walk_scope(tree) if isinstance(n, ast.Expr)}
    for call in calls_in(tree):
        _call(call, role, ctx, assigned.get(id(call), []), id(call) in alone)
    if isinstance(tree, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
        _environment_assignment(tree, role)
    if isinstance(tree, (ast.For, ast.AsyncFor)) and role.fits:
        role.zoo = _zoo(tree, ctx)
    if isinstance(tree, (ast.For, ast.AsyncFor, ast.While)) and not role.fits and (
        fit := _training_loop(tree, ctx)
    ):
        role.fits.append(fit)
    if isinstance(tree, ast.Expr) and isinstance(tree.value, ast.Call):
        role.exploration = _explores(tree.value, ctx)
        role.message = _message(tree.value)
        role.environment = role.exploration and _environment_print(tree.value, ctx)
    role.evidence = _evaluates(tree)
    role.metric = _assigns_metric(tree)
    return role


def _assigns_metric(tree: ast.AST) -> bool:
    """``auc = roc_auc_score(y_val, y_pred)``: the evaluation of a model, kept with the
    model as a person keeps it (a report whose value the flow logs)."""
    if not isinstance(tree, ast.Assign) or not isinstance(tree.value, (ast.Call, ast.BinOp)):
        return False
    value = tree.value
    while isinstance(value, ast.BinOp):
        value = value.left
    name = call_name(value) if isinstance(value, ast.Call) else None
    return bool(name) and bool(METRIC_FUNCTION.search(name))


def _training_loop(loop: ast.AST, ctx: Context) -> Fit | None:
    """A hand-written training loop (``loss.backward()`` then ``optimizer.step()``):
    it trains the model it calls."""
    names = {call_name(c) for c in calls_in(loop)}
    if not {"backward", "step"} <= names and "apply_gradients" not in names:
        return None
    called = [c.func.id for c in calls_in(loop) if isinstance(c.func, ast.Name)
              and c.func.id in ctx.constructors
              and not re.search(r"loss|criterion", ctx.constructors[c.func.id] + c.func.id,
                                re.I)]
    name = called[0] if called else None
    label = ctx.constructors.get(name, "") if name else ""
    return Fit(name, label or "a model trained in a loop", loop.lineno, "torch")


def _message(call: ast.Call) -> bool:
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


def _evaluates(tree: ast.AST) -> bool:
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


def _assigned_calls(tree: ast.AST) -> dict[int, list[str]]:
    """Call -> the names its value is assigned to (``booster = xgb.train(...)`` anywhere
    in the statement, not inside nested scopes)."""
    return {
        id(node.value): _targets(node) for node in walk_scope(tree)
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign))
        and isinstance(node.value, ast.Call)
    }


def _targets(tree: ast.AST) -> list[str]:
    if isinstance(tree, ast.Assign):
        return [n.id for t in tree.targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    if isinstance(tree, (ast.AnnAssign, ast.AugAssign)) and isinstance(tree.target, ast.Name):
        return [tree.target.id]
    return []


def _call(call: ast.Call, role: Role, ctx: Context, targets: list[str],
          alone: bool = True) -> None:
    """What one call does. ``alone``: the call is a statement of its own (``f.close()``),
    not a value inside another expression; only such a call can be an effect."""
    name = call_name(call) or ""
    func = call.func
    receiver = root_name(func.value) if isinstance(func, ast.Attribute) else None
    chain = attr_chain(func)
    for arg in [*call.args, *(k.value for k in call.keywords)]:
        if isinstance(arg, ast.Name) and arg.id in ctx.functions:
            role.callbacks.add(arg.id)
            _absorb(role, ctx.functions[arg.id], via=arg.id)
    if isinstance(func, ast.Name) and func.id in ctx.functions:
        _absorb(role, ctx.functions[func.id], call, targets, func.id)
    reads, writes = call_io(call)
    path = _first_string(call)
    if isinstance(func, ast.Name) and name in REPORT_FUNCTIONS:
        role.reports = True
        return
    if name in TRACKING_REPORTS or (
        name in LOGGER_METHODS and isinstance(func, ast.Attribute)
        and receiver is not None and LOGGER_NAMES.match(receiver)
    ):
        role.reports = True
        return
    if name in RUN_RECORDS:
        role.records = True
        if path and looks_like_path(path):
            role.file_reads.add(normal_path(path))
        return
    if name == "autolog" and receiver is not None and ctx.modules.get(receiver) == "mlflow":
        disabled = any(k.arg == "disable" and isinstance(k.value, ast.Constant)
                       and k.value.value is True for k in call.keywords)
        role.autolog = not disabled
        role.autolog_flavor = chain[1] if len(chain) > 1 else ""
        role.effect, role.effect_target = "config", "mlflow"
        return
    url = path if path and "://" in path else None
    if name in HTTP_SENDS | {"get", "request", "urlopen"} and url and LOCAL_URL.match(url):
        role.demo = url
        return
    if name in HTTP_SENDS and receiver is not None and (
        ctx.modules.get(receiver) in ("requests", "httpx") or receiver.endswith("session")
    ):
        role.sinks.append("sends a request")
        return
    if any(a in SPARK_WRITERS for a in chain[1:]):
        role.sinks.append("writes a table")
        if path:
            role.file_writes.add(normal_path(path))
        return
    if name in NOTEBOOK_RUNS and receiver is not None and (
        ctx.modules.get(receiver) == "papermill"
    ):
        role.sinks.append("runs a notebook")
        return
    if name in PROJECT_RUNS and receiver is not None and ctx.modules.get(receiver) == "mlflow":
        role.sinks.append("runs an MLflow project")
        return
    if name in SHELL_CALLS and receiver in ("subprocess", "os", "sp"):
        role.sinks.append("runs a shell command")
        command = _string(call.args[0]) if call.args else None
        for word in shell_paths(command or ""):
            role.file_reads.add(word)
            role.file_writes.add(word)
        return
    if name in FOLDER_CALLS:
        if not role.effect:
            role.effect = "folders"
        return
    if name in ("execute", "executemany") and (sql := _first_string(call)) is not None and (
        READ_ONLY_SQL.match(sql)
    ):
        return
    if writes:
        role.sinks.append(_sink_label(name))
        if path and looks_like_path(path):
            role.file_writes.add(normal_path(path))
        elif name in ("open",) and call.args and isinstance(call.args[0], ast.Name):
            pass
        return
    if reads and path and looks_like_path(path):
        role.file_reads.add(normal_path(path))
    if name in SEARCH_FUNCTIONS:
        role.search = name
        role.search_result = targets[0] if targets else ""
        role.fits.append(Fit(targets[0] if targets else None,
                             f"the hyperparameter search `{name}`", call.lineno))
        return
    if name in FIT_METHODS and isinstance(func, ast.Attribute):
        _fit(call, role, ctx, targets, receiver)
        return
    if name in CV_FUNCTIONS:
        estimator = call.args[0] if call.args else next(
            (k.value for k in call.keywords if k.arg == "estimator"), None)
        label = (ctx.constructors.get(estimator.id) if isinstance(estimator, ast.Name) else
                 constructor(estimator) if isinstance(estimator, ast.Call) else None)
        role.validates = estimator.id if isinstance(estimator, ast.Name) else ""
        role.fits.append(Fit(None, f"{label or 'a model'} (cross-validated)", call.lineno))
        return
    if not alone:
        return
    if name in SEED_CALLS:
        role.effect = "seed"
        return
    if name in LIFECYCLE_METHODS and isinstance(func, ast.Attribute) and receiver and (
        receiver not in ctx.modules or ctx.modules[receiver] == "mlflow"
    ):
        role.effect = role.effect or "lifecycle"
        role.effect_target = role.effect_target or receiver
        return
    if name in ENVIRONMENT_CALLS and any(a in ENVIRONMENT_RECEIVERS for a in chain[1:] + [
        receiver or ""
    ]) and (receiver in ctx.modules or name == "load_dotenv"):
        role.effect = "environment"
        return
    if name == "load_dotenv":
        role.effect = "environment"
        return
    if receiver is not None and receiver in ctx.modules and not targets and not role.effect:
        role.effect, role.effect_target = "config", ctx.modules[receiver]


def _sink_label(name: str) -> str:
    if name in ("log_model", "save_model", "register_model") or name.startswith("save"):
        return "saves a model" if "model" in name else "saves a file"
    if name in ("dump",):
        return "writes a file"
    if name.startswith("to_"):
        return "writes a table"
    if name.startswith(("upload", "put_object")):
        return "uploads a file"
    if name.startswith("send") or name in ("produce", "publish"):
        return "sends a message"
    if name in ("execute", "executemany", "commit", "insert_one", "insert_many"):
        return "writes to a database"
    return "writes a file"


def _fit(call: ast.Call, role: Role, ctx: Context, targets: list[str],
         receiver: str | None) -> None:
    func = call.func
    assert isinstance(func, ast.Attribute)
    owner = func.value
    if isinstance(owner, ast.Name) and owner.id not in ctx.modules:
        name = owner.id
        label = ctx.constructors.get(name)
    else:  # Lasso().fit(X, y), xgb.train(params, dtrain)
        name = targets[0] if targets else None
        label = constructor(owner) if isinstance(owner, ast.Call) else None
        if label is None and receiver in ctx.modules:
            label = ctx.modules[receiver]
    if label and SEARCH_CLASSES.match(label):
        role.search = label
        role.search_result = name or ""
    package = None
    if receiver in ctx.modules:
        package = ctx.modules[receiver]
    elif label:
        package = ctx.modules.get(label)
    role.fits.append(Fit(name, label or (f"`{name}`" if name else "a model"), call.lineno,
                         package))
    if any(isinstance(n, ast.Call) and (c := call_name(n)) and CHECKPOINT_CALLBACKS.search(c)
           for k in call.keywords if k.arg == "callbacks" for n in ast.walk(k.value)):
        role.sinks.append("saves checkpoints")  # fit(..., callbacks=[ModelCheckpoint(...)])


def _absorb(role: Role, callee: Role, call: ast.Call | None = None,
            targets: list[str] | tuple = (), via: str = "") -> None:
    """Calling a notebook function does what its body does."""
    role.sinks.extend(s for s in callee.sinks if s not in role.sinks)
    role.records |= callee.records
    role.reports |= callee.reports
    role.demo = role.demo or callee.demo
    role.search = role.search or callee.search
    role.file_reads |= callee.file_reads
    role.file_writes |= callee.file_writes
    if callee.fits:
        first = callee.fits[0]
        label = f"{first.label.strip('`')} trained by `{via}`" if via else first.label
        # the function returns the model when its own model is what it returns
        name = targets[0] if targets and len(targets) == 1 else None
        role.fits.append(Fit(name, label, call.lineno if call else first.line,
                             first.package))
    if callee.effect and not role.effect:
        role.effect, role.effect_target = callee.effect, callee.effect_target


def _environment_assignment(tree: ast.AST, role: Role) -> None:
    """``os.environ["KEY"] = value`` (and ``os.environ["PATH"] += ...``)."""
    targets = tree.targets if isinstance(tree, ast.Assign) else [tree.target]
    for t in targets:
        if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Attribute) and (
            t.value.attr == "environ"
        ):
            role.effect = "environment"


def _zoo(loop: ast.For | ast.AsyncFor, ctx: Context) -> list[str]:
    """The model classes a loop trains in turn, when the trained model comes from the loop
    variable (``for cls in (A, B): cls().fit(...)``, ``for alpha in alphas:
    Ridge(alpha=alpha).fit(...)``); [] for a loop over data (folds, files)."""
    tainted = {n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name)}
    varies = False
    through = ""
    for node in ast.walk(ast.Module(body=loop.body, type_ignores=[])):
        if isinstance(node, ast.Assign):
            if any(isinstance(n, ast.Name) and n.id in tainted for n in ast.walk(node.value)):
                tainted |= {n.id for t in node.targets for n in ast.walk(t)
                            if isinstance(n, ast.Name)}
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
            node.func.attr in FIT_METHODS
        ):
            owner = node.func.value
            if any(isinstance(n, ast.Name) and n.id in tainted for n in ast.walk(owner)):
                varies = True
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and (
            ctx.functions.get(node.func.id, Role()).fits
        ) and any(isinstance(n, ast.Name) and n.id in tainted
                  for a in [*node.args, *(k.value for k in node.keywords)]
                  for n in ast.walk(a)):
            varies = True  # objective({"alpha": alpha}): one model per value
            fit = ctx.functions[node.func.id].fits[0]
            through = f"{fit.label.strip('`')} (through `{node.func.id}`)"
    if not varies:
        return []
    if through:
        return [through]
    elements = loop.iter
    if isinstance(elements, ast.Call) and isinstance(elements.func, ast.Attribute):
        elements = elements.func.value  # models.items()
    labels: list[str] = []
    if isinstance(elements, (ast.Tuple, ast.List, ast.Set)):
        for e in elements.elts:
            e = e.elts[-1] if isinstance(e, ast.Tuple) and e.elts else e
            label = constructor(e) if isinstance(e, ast.Call) else (
                e.id if isinstance(e, ast.Name) else None)
            if label:
                labels.append(label)
    elif isinstance(elements, ast.Name) and elements.id in ctx.constructors:
        labels.append(ctx.constructors[elements.id])
    return labels or ["several models"]


def _explores(call: ast.Call, ctx: Context) -> bool:
    """``print(df.shape)``, ``print(df.head())``, ``print(pd.__version__)``: a print whose
    every argument only describes data or the environment."""
    if call_name(call) != "print" or not isinstance(call.func, ast.Name):
        return False
    values = [a for a in call.args if not isinstance(a, ast.Constant)]
    labelled = len(values) < len(call.args)  # print("rows written:", len(df)) reports
    return bool(values) and all(_describes(a, ctx) and not (labelled and _counts(a))
                                for a in values)


def _environment_print(call: ast.Call, ctx: Context) -> bool:
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


def function_roles(defs: dict[str, ast.FunctionDef | ast.AsyncFunctionDef],
                   modules: dict[str, str], constructors: dict[str, str]) -> dict[str, Role]:
    """What calling each notebook function does, through calls between them (a fixpoint:
    a function that calls a writing function writes)."""
    roles: dict[str, Role] = {name: Role() for name in defs}
    changed = True
    rounds = 0
    while changed and rounds < len(defs) + 1:
        changed = False
        rounds += 1
        ctx = Context(modules, roles, constructors)
        for name, fn in defs.items():
            role = Role()
            for stmt in fn.body:
                part = role_of(stmt, ctx)
                _merge(role, part)
            if _summary(role) != _summary(roles[name]):
                roles[name] = role
                changed = True
    return roles


def _merge(into: Role, part: Role) -> None:
    into.sinks.extend(s for s in part.sinks if s not in into.sinks)
    into.records |= part.records
    into.reports |= part.reports
    into.demo = into.demo or part.demo
    into.fits.extend(part.fits)
    into.search = into.search or part.search
    into.file_reads |= part.file_reads
    into.file_writes |= part.file_writes
    into.callbacks |= part.callbacks
    if part.effect and not into.effect:
        into.effect, into.effect_target = part.effect, part.effect_target


def _summary(role: Role) -> tuple:
    return (tuple(role.sinks), role.records, role.reports, bool(role.fits), role.search,
            role.effect, role.demo, tuple(sorted(role.file_writes)),
            tuple(sorted(role.file_reads)))
