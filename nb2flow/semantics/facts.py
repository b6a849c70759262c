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

from ..analyze import attr_chain, call_io, call_name, root_name
from ..rules.pipeline import (
    CHECKPOINT_CALLBACKS,
    CV_FUNCTIONS,
    ENVIRONMENT_CALLS,
    ENVIRONMENT_RECEIVERS,
    FIT_METHODS,
    FOLDER_CALLS,
    HTTP_SENDS,
    LIFECYCLE_METHODS,
    LOCAL_URL,
    LOGGER_METHODS,
    LOGGER_NAMES,
    NOTEBOOK_RUNS,
    PROJECT_RUNS,
    READ_ONLY_SQL,
    REPORT_FUNCTIONS,
    RUN_RECORDS,
    SEARCH_CLASSES,
    SEARCH_FUNCTIONS,
    SEED_CALLS,
    SPARK_WRITERS,
    TRACKING_REPORTS,
)

from .literals import (
    SHELL_CALLS,
    calls_in,
    walk_scope,
    first_string,
    string_value,
    looks_like_path,
    normal_path,
    shell_paths,
)
from .prints import (
    assigns_metric,
    environment_print,
    evaluates,
    explores,
    is_message,
)
from .roles import Context, Fit, Role


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
        role.exploration = explores(tree.value, ctx)
        role.message = is_message(tree.value)
        role.environment = role.exploration and environment_print(tree.value, ctx)
    role.evidence = evaluates(tree)
    role.metric = assigns_metric(tree)
    return role


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
    path = first_string(call)
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
        command = string_value(call.args[0]) if call.args else None
        for word in shell_paths(command or ""):
            role.file_reads.add(word)
            role.file_writes.add(word)
        return
    if name in FOLDER_CALLS:
        if not role.effect:
            role.effect = "folders"
        return
    if name in ("execute", "executemany") and (sql := first_string(call)) is not None and (
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


