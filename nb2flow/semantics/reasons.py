"""The reasons users read for what the pipeline-semantics stage drops (one place)."""

from __future__ import annotations

from .roles import Role

UNUSED = "not used by the pipeline: reaches no file, saved model, table or report"
EXPLORATION = "prints an exploration of the data (shapes, heads, summaries, versions)"
ENVIRONMENT = "prints library versions or the machine it runs on"
MESSAGE = "a message printed with output the pipeline does not keep"
UNUSED_EFFECT = "an effect nothing kept after it needs"


def model(fit) -> str:
    """```lr` (Lasso)``, ``Lasso``, ```booster` (xgboost)``."""
    if fit is None:
        return "a model"
    if fit.name and fit.label != f"`{fit.name}`":
        return f"`{fit.name}` ({fit.label})"
    return fit.label


def keeper(fit, cell: int, product: bool) -> str:
    verb = "keeps" if product else "saves"
    return f"the pipeline {verb} {model(fit)} in cell {cell}"


def experiment(role: Role, keeper: str) -> str:
    if role.zoo:
        return (f"experiment: a loop trains {', '.join(role.zoo)} one after another and "
                f"only reports their scores; {keeper}")
    if role.search:
        result = f" `{role.search_result}`" if role.search_result else ""
        return (f"experiment: hyperparameter search ({role.search}) whose result{result} "
                f"the pipeline does not use; {keeper}")
    label = model(role.fits[-1] if role.fits else None)
    how = "trained and scored" if role.reports else "trained"
    where = " in an MLflow run" if role.records or role.reports and _tracked(role) else ""
    return f"experiment: {label} is {how}{where}, never saved; {keeper}"


def _tracked(role: Role) -> bool:
    return role.records


def superseded(fit, cell: int, final, final_cell: int) -> str:
    return (f"experiment: {model(fit)} is saved in cell {cell}, then replaced by "
            f"{model(final)}, trained on the same data in cell {final_cell}; nothing else "
            "uses it (--keep-experiments keeps it)")


def reports_on(role: Role, cell: int) -> str:
    label = model(role.fits[-1] if role.fits else None)
    return f"experiment: evaluates {label} (cell {cell}), which the pipeline does not keep"


def prepares(cell: int) -> str:
    return f"experiment: prepares what only the experiment in cell {cell} uses"


def demo(url: str) -> str:
    return f"demo: calls a local service ({url}) to try the model, not part of the pipeline"


def ends(receiver: str) -> str:
    return f"ends `{receiver}`, which nothing kept uses"


def configures(target: str) -> str:
    return f"configures {target}, which nothing kept uses"


def unsaved_model(fit) -> str:
    what = model(fit)
    return (f"the notebook saves nothing: the flow keeps the training of {what}, its last "
            "trained model, and returns it; save it (joblib.dump, mlflow log_model) to make "
            "it an output")


def unsaved_table(name: str) -> str:
    return (f"the notebook saves, logs and prints nothing: the flow keeps what builds "
            f"`{name}`, its last table, and returns it; write it (to_parquet, to_sql) to make "
            "it an output")


#: What each kind of effect does, for ``nb2flow inspect``.
_EFFECTS = {
    "environment": "sets the environment for what follows",
    "seed": "seeds random numbers for what follows",
    "folders": "creates folders later writes need",
    "call": "a call nb2flow cannot see into, before kept code",
}


def kept(decision: str, role: Role) -> str:
    """Why a statement is kept, as ``nb2flow inspect`` shows it beside its decision."""
    if decision == "sink":
        return ", ".join(dict.fromkeys(role.sinks)) or "produces what the pipeline is for"
    if decision == "product":
        return "the last model or table the notebook builds: the flow returns it"
    if decision == "report":
        return "reports on work the pipeline keeps"
    if decision == "effect":
        if role.effect == "config":
            return f"configures {role.effect_target or 'a library'} for what follows"
        if role.effect == "lifecycle":
            return f"ends `{role.effect_target}`" if role.effect_target else "ends a resource"
        return _EFFECTS.get(role.effect, "changes the process for what follows")
    if decision == "experiment kept":
        return "an experiment, kept by --keep-experiments"
    if decision == "tagged":
        return "tagged nb2flow:keep"
    if decision == "parameters":
        return "in the cell tagged parameters"
    return "computes what kept code needs"
