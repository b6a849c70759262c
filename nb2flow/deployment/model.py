"""The records of prefect.yaml handling, and the keys of Prefect's deployment schema."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PREFECT_YAML = "prefect.yaml"

#: ``PrefectYamlModel`` fields, plus ``definitions`` (where Prefect's docs put YAML anchors
#: shared by deployments) and ``description`` (written by Prefect's own recipes).
TOP_LEVEL_KEYS = ("name", "prefect-version", "description", "definitions", "build", "push",
                  "pull", "deployments")
#: ``DeploymentConfig`` fields; ``schedule`` (legacy) is reported on its own.
DEPLOYMENT_KEYS = ("name", "version", "version_type", "tags", "description", "schedules",
                   "paused", "concurrency_limit", "flow_name", "entrypoint", "parameters",
                   "enforce_parameter_schema", "build", "push", "pull", "work_pool",
                   "triggers", "sla")
WORK_POOL_KEYS = ("name", "work_queue_name", "job_variables")
#: ``RawScheduleConfig`` fields (``extra="forbid"`` in Prefect).
SCHEDULE_KEYS = ("cron", "interval", "rrule", "timezone", "anchor_date", "active",
                 "parameters", "slug", "replaces", "day_or")
CRON_MACROS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight",
               "@hourly")


@dataclass(frozen=True)
class Problem:
    """One finding of :func:`validate`, printed as ``file:line: NB2F014 message``."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: NB2F014 {self.message}"


@dataclass(frozen=True)
class FlowInfo:
    """A flow function found statically in a script."""

    func_name: str
    name: str  # the flow's name in Prefect
    doc: str
    defaults: dict[str, Any]  # parameter -> default, for literal defaults
    param_names: tuple[str, ...]
    var_keyword: bool = False  # takes **kwargs: any parameter name is accepted
    from_schedule: tuple[str, ...] = ()  # year/month a scheduled run takes from its date

    @property
    def deployed(self) -> dict[str, Any]:
        """The defaults written into the deployment's parameters: all but those a
        scheduled run must not be given (it takes them from its scheduled time)."""
        return {k: v for k, v in self.defaults.items() if k not in self.from_schedule}


@dataclass(frozen=True)
class DeployOptions:
    """What convert's deployment options ask for; None/empty: not given."""

    name: str | None = None
    pool: str | None = None
    tags: tuple[str, ...] = ()
    cron: str | None = None
    interval: int | None = None
    timezone: str | None = None


@dataclass
class DeploymentChange:
    """What happened to prefect.yaml for one converted notebook.

    ``status``: created, updated, unchanged; with check/diff would-create, would-update;
    no-project (no prefect.yaml found), outside (the script is not under the
    prefect.yaml folder).
    """

    status: str
    path: Path | None = None  # the prefect.yaml
    name: str = ""  # deployment name
    entrypoint: str = ""
    work_pool: str = ""
    flow_name: str = ""
    text: str = ""
    diff: str = ""
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
