"""Stage: what the notebook is *for*, and what each statement does for it.

Every top-level statement that classify kept as code gets one of these decisions:

- **sink**: produces what the pipeline exists for: a file written (``to_parquet``,
  ``pickle.dump``, ``model.save``, ``savefig`` of a kept figure), a model logged or
  registered (``mlflow.*.log_model``; a fit under ``mlflow.autolog()``), a table written
  (``to_sql``, Spark ``write``), an upload or a message (``s3.upload_file``,
  ``requests.post`` to a remote host, ``producer.send``);
- **report**: a print, a metric or parameter log, a shown metric. Kept with the work it
  reports on; never a reason on its own to keep a training;
- **effect**: changes the process for what follows: environment variables, seeding,
  library configuration (``mlflow.set_tracking_uri``), folders, the end of a resource's
  life (``close``, ``flush``, ``stop``, ``awaitTermination``). Kept with what it serves;
- **work**: computation a sink, a kept report or a kept effect needs;
- **experiment** (dropped): a model trained and never saved, whose only effects are
  reports, beside a model the pipeline does keep; a loop training one model class after
  another; a hyperparameter search whose result nothing uses (the best values pasted
  later). ``keep_experiments`` keeps them. Validation of the kept model is a report and
  stays.

A notebook that saves nothing keeps the chain that builds its last trained model (or, with
no model, the last table built from the data it reads), and says so (NB2W011); one that
reads, saves, logs and prints nothing has nothing to run (NB2F007).

Cell tags win over all of this: ``nb2flow:keep`` keeps, ``nb2flow:skip`` drops (classify).
The decisions are recorded on each statement (``Statement.decision``) and the reasons of
the dropped ones in ``Classified.dropped``; ``nb2flow inspect`` shows both.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace

from ..analyze import global_call_facts
from ..classify import code_of
from ..errors import Location, Nb2FlowError
from ..ir import IMPORT, KEEP, Classified, Diagnostic, Dropped, Statement
from ..load import TAG_PREFIX
from . import reasons
from .facts import Context, Role, constructor, function_roles, role_of
from .graph import closure, dependencies

_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
#: Configuration of these modules serves every later statement, not just their users.
PROCESS_WIDE = {"warnings", "logging", "os", "sys", "random", "locale", "multiprocessing",
                "socket", "tqdm", "gc", "time", "nltk", "dotenv"}


@dataclass
class _State:
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


def decide(c: Classified, keep_experiments: bool = False) -> Classified:
    """Keep what the pipeline is for; drop the rest with a reason (see the module doc)."""
    merged = _merged(c)
    code = [s for s in merged if s.role != IMPORT and not _is_import(s)]
    if not any(s.role != IMPORT for s in c.statements):
        return c
    facts = _analyse(c, code, {id(s) for _, s in c.shown})
    state = _decide(c, facts, keep_experiments)
    superseded = {} if keep_experiments else _superseded(state)
    if superseded:  # decide again without the replaced model's training and saving
        state = _decide(c, facts, keep_experiments, superseded)
    if not state.live:
        _no_output(c, state)
    return _result(c, state, merged)


def _decide(c: Classified, facts: _State, keep_experiments: bool,
            superseded: dict[int, str] | None = None) -> _State:
    """The decisions, on a fresh state over the analysed ``facts`` (roles, dependencies)."""
    state = _State(facts.code, facts.roles, facts.deps, facts.modules, shown=facts.shown,
                   settings=facts.settings)
    state.experiments.update(superseded or {})
    _roots(c, state)
    _models(state, keep_experiments)
    _reports(state)
    _effects(state)
    return state


def _superseded(state: _State) -> dict[int, str]:
    """A model saved, then replaced by another model trained on the same data and kept
    after it (the baseline saved in an early cell, the tuned booster logged at the end),
    when nothing else of the pipeline uses the first model or the files it was saved to:
    the first model's training and saving are an experiment."""
    deps, live = state.deps, state.live
    fits = [i for i, r in enumerate(state.roles)
            if r.fits and i in live and i not in state.validations]
    if len(fits) < 2:
        return {}
    final = max(fits)
    final_fit = state.roles[final].fits[-1]
    needs = {k: closure([k], deps) for k in live}
    out: dict[int, str] = {}
    for i in fits[:-1]:
        fit = state.roles[i].fits[-1]
        if not fit.name or fit.label == final_fit.label or not _same_data(state, i, final):
            continue
        users = {k for k in live if i in needs[k]}
        if final in users or any(needs[k] & users for k in live - users):
            continue
        sinks = [k for k in users if state.roles[k].sinks]
        if not sinks or any(label not in _SAVES for k in sinks for label in state.roles[k].sinks):
            continue
        written = {p for k in users for p in state.roles[k].file_writes}
        if any(state.roles[k].file_reads & written for k in live - users):
            continue
        why = reasons.superseded(fit, state.code[min(sinks)].cell, final_fit,
                                 state.code[final].cell)
        out.update({k: why for k in [i, *sinks]})
    return out


_SAVES = {"writes a file", "saves a model", "saves a file"}


def _same_data(state: _State, i: int, j: int) -> bool:
    """Two trainings are built on the same data (``X_train``, directly or through a
    ``DMatrix``): they share a statement they both need."""
    return bool(closure(state.deps[i], state.deps) & closure(state.deps[j], state.deps))


def _merged(c: Classified) -> list[Statement]:
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


def _is_import(s: Statement) -> bool:
    return isinstance(s.tree, (ast.Import, ast.ImportFrom))


def _analyse(c: Classified, code: list[Statement], shown_ids: set[int]) -> _State:
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
        if isinstance(s.tree, _DEFS) or i in shown:
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
    return _State(code, roles, dependencies(code, roles, facts), modules, shown=shown,
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
        for node in ast.walk(t) if not isinstance(t, ast.ClassDef) else ():
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


def _roots(c: Classified, state: _State) -> None:
    """Sinks, tagged and parameter cells, kept figures; fits whose model autolog logs."""
    roots: list[int] = []
    autolog: dict[str, bool] = {}
    for i, (s, role) in enumerate(zip(state.code, state.roles)):
        tags = c.cell_tags.get(s.cell, ())
        if i in state.experiments and f"{TAG_PREFIX}keep" not in tags:
            continue  # a superseded model's saving
        if role.autolog is not None:
            flavor = role.autolog_flavor
            if flavor in ("", "autolog"):
                autolog = {k: role.autolog for k in autolog} | {"": role.autolog}
            else:
                autolog[flavor] = role.autolog
        if f"{TAG_PREFIX}keep" in tags or s.cell in c.parameter_cells:
            roots.append(i)
            state.decision[i] = "tagged" if f"{TAG_PREFIX}keep" in tags else "parameters"
        elif role.demo:
            state.why[i] = reasons.demo(role.demo)
        elif s.draws or role.sinks or (role.records and not role.fits):
            roots.append(i)
            state.decision[i] = "sink"
        elif role.fits and not role.zoo and not role.search and _autologged(role, autolog):
            roots.append(i)
            state.decision[i] = "sink"
    state.keep(roots, "sink")
    for i in roots:
        state.decision[i] = state.decision.get(i) or "sink"


def _autologged(role: Role, active: dict[str, bool]) -> bool:
    from ..rules.pipeline import AUTOLOG_FLAVORS

    if active.get(""):
        return True
    for fit in role.fits:
        for flavor, on in active.items():
            if on and flavor and AUTOLOG_FLAVORS.get(flavor, flavor) in (fit.package, None):
                return True
    return False


def _models(state: _State, keep_experiments: bool) -> None:
    """Trained models nothing keeps are experiments, when the pipeline keeps another
    model; with no model kept at all, the last one trained is the product."""
    fits = [i for i, r in enumerate(state.roles) if r.fits and i not in state.why]
    state.validations = {i for i in fits if _validates_kept(state, i)}
    fits = [i for i in fits if i not in state.validations]
    if not fits:
        return
    kept = [i for i in fits if i in state.live]
    if not kept:
        plain = [i for i in fits if not state.roles[i].zoo and not state.roles[i].search]
        if not plain:
            return
        product = plain[-1]
        state.keep([product], "product")
        fit = state.roles[product].fits[-1]
        state.product = (fit.name or "", state.code[product].cell)
        kept = [product]
        s = state.code[product]
        state.diagnostics.append(Diagnostic(
            "NB2W011", reasons.unsaved_model(fit), s.cell, s.line))
    final = max(kept)
    final_fit = state.roles[final].fits[-1] if state.roles[final].fits else None
    keeper = reasons.keeper(final_fit, state.code[final].cell,
                            state.decision.get(final) == "product")
    for i in fits:
        if i in state.live or i in state.experiments:  # superseded: its reason is set
            continue
        if keep_experiments:
            state.keep([i], "experiment kept")
            continue
        state.experiments[i] = reasons.experiment(state.roles[i], keeper)


def _validates_kept(state: _State, i: int) -> bool:
    """Cross-validation of an estimator the pipeline keeps (a report, not a training)."""
    name = state.roles[i].validates
    return bool(name) and any(
        j in state.live and name in state.code[j].facts.writes for j in state.deps[i])


def _reports(state: _State) -> None:
    """Prints and metric logs stay when what they report on is kept. Prints that only
    explore (shapes, heads, versions) go when the pipeline has a product; when printing is
    all the notebook does, they are its output."""
    has_product = bool(state.live)
    trains = any(r.fits for r in state.roles)  # in a notebook that trains a model, prints
    messages = []  # of data statistics are exploration; in an ETL job they are its log
    for i, role in enumerate(state.roles):
        if i in state.live or i in state.why or i in state.experiments:
            continue
        if not (role.reports or role.records or role.metric or _shows_metric(state.code[i])):
            continue
        if role.message:
            messages.append(i)
            continue
        if role.environment:
            state.why[i] = reasons.ENVIRONMENT
            continue
        if role.exploration and has_product:
            state.why[i] = reasons.EXPLORATION
            continue
        reach = closure([i], state.deps, state.live)
        demos = sorted(j for j in reach if state.roles[j].demo)
        if demos:
            state.why[i] = reasons.demo(state.roles[demos[-1]].demo)
            continue
        hit = sorted(reach & set(state.experiments))
        if hit and not any(j in state.live and state.roles[j].fits for j in state.deps[i]):
            why = reasons.reports_on(state.roles[hit[-1]], state.code[hit[-1]].cell)
            for j in reach - set(state.experiments):
                if hit[-1] in closure([j], state.deps):  # downstream: evaluates it
                    state.why.setdefault(j, why)  # (upstream code prepares it: _why)
            continue
        if any(state.roles[j].fits for j in reach if j != i and j not in state.validations
               and j not in state.live and j not in state.experiments):
            continue  # would keep a training for its print: decided with the models
        if trains and has_product and not _about_a_model(state, reach):
            state.why[i] = reasons.EXPLORATION  # data statistics, not a result
            continue
        state.keep([i], "report", avoid=state.experiments.keys())  # the kept model's
        state.decision[i] = "report"  # loss, not an experiment's a loop may have left
    for i in messages:
        if _neighbour_kept(state, i):
            state.keep([i], "report")
            state.decision[i] = "report"
        else:
            state.why[i] = reasons.MESSAGE


def _about_a_model(state: _State, reach: set[int]) -> bool:
    """The report (or what it prints) evaluates a model: a metric, a prediction, a
    fitted attribute, a tracking log."""
    near = reach | {j for i in reach for j in state.deps[i]}
    return any(state.roles[j].evidence or state.roles[j].fits for j in near)


def _neighbour_kept(state: _State, i: int) -> bool:
    """A text-only print goes with the output it introduces: the next statement of its
    cell (the previous one for the last)."""
    cell = state.code[i].cell
    after = [j for j in range(i + 1, len(state.code)) if state.code[j].cell == cell
             and not state.roles[j].message]
    before = [j for j in range(i - 1, -1, -1) if state.code[j].cell == cell
              and not state.roles[j].message]
    near = after[:1] or before[:1]
    return bool(near) and near[0] in state.live or not near and not state.why


def _shows_metric(s: Statement) -> bool:
    t = s.tree
    return isinstance(t, ast.Expr) and isinstance(t.value, ast.Call) and isinstance(
        t.value.func, ast.Name) and t.value.func.id == "print"


def _effects(state: _State) -> None:
    """Effects stay when something kept after them needs them (a fixpoint: a kept effect
    may need work of its own)."""
    changed = True
    while changed:
        changed = False
        for i, role in enumerate(state.roles):
            if i in state.live or i in state.why or i in state.experiments or not role.effect:
                continue
            if _serves(state, i, role):
                state.keep([i], "effect")
                state.decision[i] = "effect"
                changed = True


def _serves(state: _State, i: int, role: Role) -> bool:
    if role.effect == "lifecycle":  # the resource comes from kept code, perhaps through
        return bool((set(closure([i], state.deps)) - {i}) & state.live)  # dropped calls on it
    later = [j for j in state.live if j > i]
    again = state.settings.get(i)
    if again is not None:  # set_experiment("a") then set_experiment("b"): the first is
        later = [j for j in later if j < again]  # superseded before anything used it
    if not later:
        return False
    if role.effect == "config" and role.effect_target not in PROCESS_WIDE:
        names = {n for n, pkg in state.modules.items() if pkg == role.effect_target}
        return any(names & set(state.code[j].facts.reads) for j in later) or any(
            _uses_package(state.code[j], role.effect_target) for j in later)
    return True


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


def _uses_package(s: Statement, package: str) -> bool:
    """A kept statement in a cell that imports the package uses it through those names."""
    return False if not package else any(
        isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == package
        for n in ast.walk(s.tree))


def _no_output(c: Classified, state: _State) -> None:
    """Nothing is saved, logged, printed or trained: keep the last table the notebook
    builds from the data it reads, or say there is nothing to run."""
    reading = _reading_functions(state.code)
    for i in range(len(state.code) - 1, -1, -1):
        s = state.code[i]
        if i in state.why or i in state.shown or isinstance(s.tree, _DEFS) or not (
            s.facts.writes
        ):
            continue
        reach = closure([i], state.deps)
        if any(state.code[j].facts.reads_io or set(state.code[j].facts.calls) & reading
               for j in reach):
            state.keep([i], "product")
            name = s.facts.writes[0]
            state.product = (name, s.cell)
            state.diagnostics.append(Diagnostic(
                "NB2W011", reasons.unsaved_table(name), s.cell, s.line))
            return
    raise Nb2FlowError(
        "NB2F007", "nothing left to run: the notebook reads no data and saves, logs, prints "
        "or trains nothing once plots and displays are removed", Location(str(c.notebook.path)))


def _reading_functions(code: list[Statement]) -> set[str]:
    """Notebook functions that read files, URLs or databases, directly or through the
    notebook functions they call (``get_table(url)`` calling ``pd.read_html``)."""
    from ..analyze import through_calls, tree_io

    funcs = {s.tree.name: s.tree for s in code
             if isinstance(s.tree, (ast.FunctionDef, ast.AsyncFunctionDef))}
    own = {name: {"io"} if tree_io(fn)[0] else set() for name, fn in funcs.items()}
    return {name for name, io in through_calls(funcs, own).items() if io}


def _result(c: Classified, state: _State, merged: list[Statement]) -> Classified:
    index = {id(s): i for i, s in enumerate(state.code)}
    revived = {id(state.code[i]) for i in state.shown & state.live}
    revived |= _needed_imports(c, state)
    statements: list[Statement] = []
    dropped = list(c.dropped)
    for s in merged:
        i = index.get(id(s))
        if id(s) in revived:
            statements.append(replace(
                s, role=IMPORT if _is_import(s) else KEEP, reason="",
                decision="import" if _is_import(s) else "work"))
            dropped = _undrop(dropped, s, c)
        elif i is None:
            if s.role == IMPORT:
                statements.append(s)
        elif i in state.shown:
            continue
        elif i in state.live:
            decision = state.decision.get(i, "work")
            statements.append(replace(s, decision=decision,
                                      kept_because=reasons.kept(decision, state.roles[i])))
        else:
            dropped.append(Dropped(s.cell, s.line, _why(state, i), code_of(s.node).strip()))
    return replace(
        c, statements=statements,
        dropped=sorted(dropped, key=lambda d: (d.cell, d.line or 0)),
        diagnostics=[*c.diagnostics, *state.diagnostics],
        product=state.product,
        shown=[(p, s) for p, s in c.shown if id(s) not in revived],
    )


def _needed_imports(c: Classified, state: _State) -> set[int]:
    """Plotting imports a kept statement needs (a visualiser whose result is used)."""
    needed = {r for i in state.live for r in state.code[i].facts.reads}
    have = {w for s in c.statements if s.role == IMPORT for w in s.facts.writes}
    have |= {w for i in state.live for w in state.code[i].facts.writes}
    missing = needed - have
    return {id(s) for _, s in c.shown if _is_import(s) and set(s.facts.writes) & missing}


def _undrop(dropped: list[Dropped], s: Statement, c: Classified) -> list[Dropped]:
    """The drop records without ``s``: its own line, or its cell's record, which becomes
    one record per statement of the cell still dropped."""
    out = [d for d in dropped if not (d.cell == s.cell and d.line == s.line)]
    whole = [d for d in out if d.cell == s.cell and d.line is None]
    if whole:
        out = [d for d in out if d not in whole]
        out += [Dropped(t.cell, t.line, t.reason, code_of(t.node).strip())
                for _, t in c.shown if t.cell == s.cell and t is not s]
    return out


def _why(state: _State, i: int) -> str:
    if i in state.experiments:
        return state.experiments[i]
    if i in state.why:
        return state.why[i]
    for j in sorted(state.experiments):
        if i in closure([j], state.deps):
            return reasons.prepares(state.code[j].cell)
    role = state.roles[i]
    if role.effect == "lifecycle":
        return reasons.ends(role.effect_target)
    if role.effect == "config":
        return reasons.configures(role.effect_target)
    if role.effect:
        return reasons.UNUSED_EFFECT
    return reasons.UNUSED
