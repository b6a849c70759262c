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

from dataclasses import replace

from ..classify import code_of
from ..ir import IMPORT, KEEP, Classified, Dropped, Statement
from . import reasons
from .graph import closure
from .passes import (
    decide_models, keep_effects, keep_product, keep_reports, keep_sinks, superseded_models,
)
from .state import State, analyse, is_import, merged_statements


def decide(c: Classified, keep_experiments: bool = False) -> Classified:
    """Keep what the pipeline is for; drop the rest with a reason (see the module doc)."""
    merged = merged_statements(c)
    code = [s for s in merged if s.role != IMPORT and not is_import(s)]
    if not any(s.role != IMPORT for s in c.statements):
        return c
    facts = analyse(c, code, {id(s) for _, s in c.shown})
    state = _decide(c, facts, keep_experiments)
    superseded = {} if keep_experiments else superseded_models(state)
    if superseded:  # decide again without the replaced model's training and saving
        state = _decide(c, facts, keep_experiments, superseded)
    if not state.live:
        keep_product(c, state)
    return _result(c, state, merged)


def _decide(c: Classified, facts: State, keep_experiments: bool,
            superseded: dict[int, str] | None = None) -> State:
    """The decisions, on a fresh state over the analysed ``facts`` (roles, dependencies)."""
    state = State(facts.code, facts.roles, facts.deps, facts.modules, shown=facts.shown,
                   settings=facts.settings)
    state.experiments.update(superseded or {})
    keep_sinks(c, state)
    decide_models(state, keep_experiments)
    keep_reports(state)
    keep_effects(state)
    return state


def _result(c: Classified, state: State, merged: list[Statement]) -> Classified:
    index = {id(s): i for i, s in enumerate(state.code)}
    revived = {id(state.code[i]) for i in state.shown & state.live}
    revived |= _needed_imports(c, state)
    statements: list[Statement] = []
    dropped = list(c.dropped)
    prepared = _prepared(state)
    for s in merged:
        i = index.get(id(s))
        if id(s) in revived:
            statements.append(replace(
                s, role=IMPORT if is_import(s) else KEEP, reason="",
                decision="import" if is_import(s) else "work"))
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
            dropped.append(Dropped(s.cell, s.line, _why(state, i, prepared),
                                   code_of(s.node).strip()))
    return replace(
        c, statements=statements,
        dropped=sorted(dropped, key=lambda d: (d.cell, d.line or 0)),
        diagnostics=[*c.diagnostics, *state.diagnostics],
        product=state.product,
        shown=[(p, s) for p, s in c.shown if id(s) not in revived],
    )


def _needed_imports(c: Classified, state: State) -> set[int]:
    """Plotting imports a kept statement needs (a visualiser whose result is used)."""
    needed = {r for i in state.live for r in state.code[i].facts.reads}
    have = {w for s in c.statements if s.role == IMPORT for w in s.facts.writes}
    have |= {w for i in state.live for w in state.code[i].facts.writes}
    missing = needed - have
    return {id(s) for _, s in c.shown if is_import(s) and set(s.facts.writes) & missing}


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


def _prepared(state: State) -> dict[int, int]:
    """Each statement an experiment needs -> the first such experiment (by position). Each
    experiment's closure is walked once here, not once per dropped statement, and not past
    what an earlier experiment needs (all it needs is assigned already)."""
    prepared: dict[int, int] = {}
    for j in sorted(state.experiments):
        for k in closure([j], state.deps, prepared.keys()):
            prepared.setdefault(k, j)
    return prepared


def _why(state: State, i: int, prepared: dict[int, int]) -> str:
    if i in state.experiments:
        return state.experiments[i]
    if i in state.why:
        return state.why[i]
    if i in prepared:
        return reasons.prepares(state.code[prepared[i]].cell)
    role = state.roles[i]
    if role.effect == "lifecycle":
        return reasons.ends(role.effect_target)
    if role.effect == "config":
        return reasons.configures(role.effect_target)
    if role.effect:
        return reasons.UNUSED_EFFECT
    return reasons.UNUSED
