"""The decision passes, in the order ``decide`` runs them: sinks and tags, models and
experiments, reports, effects, and the product of a notebook that saves nothing."""

from __future__ import annotations

import ast

from ..errors import Location, Nb2FlowError
from ..ir import Classified, Diagnostic, Statement
from ..load import TAG_PREFIX
from . import reasons
from .roles import Role
from .graph import closure, needing
from .state import DEFS, PROCESS_WIDE, State


def superseded_models(state: State) -> dict[int, str]:
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


def _same_data(state: State, i: int, j: int) -> bool:
    """Two trainings are built on the same data (``X_train``, directly or through a
    ``DMatrix``): they share a statement they both need."""
    return bool(closure(state.deps[i], state.deps) & closure(state.deps[j], state.deps))


def keep_sinks(c: Classified, state: State) -> None:
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


def decide_models(state: State, keep_experiments: bool) -> None:
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


def _validates_kept(state: State, i: int) -> bool:
    """Cross-validation of an estimator the pipeline keeps (a report, not a training)."""
    name = state.roles[i].validates
    return bool(name) and any(
        j in state.live and name in state.code[j].facts.writes for j in state.deps[i])


def keep_reports(state: State) -> None:
    """Prints and metric logs stay when what they report on is kept. Prints that only
    explore (shapes, heads, versions) go when the pipeline has a product (something saved,
    or a model trained that the flow returns); when printing is all the notebook does, they
    are its output."""
    trains = any(r.fits for r in state.roles)
    # a kept sink, or a model the flow will return when nothing is saved (NB2W011)
    has_product = bool(state.live) or any(
        r.fits for i, r in enumerate(state.roles)
        if i not in state.experiments and i not in state.why)  # in a notebook that trains a model, prints
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
            downstream = needing(hit[-1], state.deps, i)
            for j in reach - set(state.experiments):
                if j in downstream:  # downstream: evaluates it
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


def _about_a_model(state: State, reach: set[int]) -> bool:
    """The report (or what it prints) evaluates a model: a metric, a prediction, a
    fitted attribute, a tracking log."""
    near = reach | {j for i in reach for j in state.deps[i]}
    return any(state.roles[j].evidence or state.roles[j].fits for j in near)


def _neighbour_kept(state: State, i: int) -> bool:
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


def keep_effects(state: State) -> None:
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


def _serves(state: State, i: int, role: Role) -> bool:
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


def _uses_package(s: Statement, package: str) -> bool:
    """A kept statement in a cell that imports the package uses it through those names."""
    return False if not package else any(
        isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == package
        for n in ast.walk(s.tree))


def keep_product(c: Classified, state: State) -> None:
    """Nothing is saved, logged, printed or trained: keep the last table the notebook
    builds from the data it reads, or say there is nothing to run."""
    reading = _reading_functions(state.code)
    for i in range(len(state.code) - 1, -1, -1):
        s = state.code[i]
        if i in state.why or i in state.shown or isinstance(s.tree, DEFS) or not (
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
