"""The records of the semantics: what a statement does (:class:`Role`), a model it trains
(:class:`Fit`), and the notebook-wide facts a walk needs (:class:`Context`)."""

from __future__ import annotations

from dataclasses import dataclass, field


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
