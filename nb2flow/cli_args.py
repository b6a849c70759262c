"""The options of ``nb2flow convert``, as typer reads them: one annotated type each, with
its help text (``docs/commands/convert.md`` is generated from them). The command itself,
in :mod:`nb2flow.cli`, only gathers them into the library's records."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

Notebooks = Annotated[list[Path], typer.Argument(help="Notebooks (.ipynb) to convert.")]

Output = Annotated[
    Optional[Path], typer.Option("-o", "--output", help="Script path (one notebook only).")
]

Force = Annotated[
    bool, typer.Option(help="Regenerate even when the stamp says up to date; overwrite "
                       "a file nb2flow did not generate, or hand edits.")
]

Check = Annotated[
    bool, typer.Option(help="Write nothing; exit 1 if a script is missing, stale or "
                       "edited by hand.")
]

Hook = Annotated[
    bool, typer.Option(help="Run as the pre-commit hook: convert only notebooks matched "
                       "by [tool.nb2flow] notebooks or that already have a generated "
                       "script (ignore others quietly); exit 1 when a script was "
                       "written, so it can be staged.")
]

Diff = Annotated[
    bool, typer.Option(help="Write nothing; print a unified diff of what would change.")
]

KeepExploration = Annotated[
    Optional[bool],
    typer.Option(help="Keep plots and displayed values [default: the keep-exploration "
                 "setting, else no]."),
]

KeepExperiments = Annotated[
    Optional[bool],
    typer.Option(help="Keep experiments: models trained and never saved, model-zoo loops, "
                 "unused searches [default: the keep-experiments setting, else no]."),
]

FlowName = Annotated[
    Optional[str], typer.Option(help="Flow name (default: from the notebook file name).")
]

Param = Annotated[
    Optional[list[str]], typer.Option("--param", help="Make this variable a parameter.")
]

Sequential = Annotated[
    Optional[bool], typer.Option(help="Call tasks one after another instead of "
                                 "submitting independent ones concurrently.")
]

Subflows = Annotated[
    Optional[bool], typer.Option(help="Make each top-level (#) notebook section a "
                                 "subflow.")
]

DropPlots = Annotated[
    Optional[str], typer.Option(help="'unsaved' (the default) drops plots not saved with "
                                "savefig; 'all' drops every plot.")
]

TaskRunner = Annotated[
    Optional[str], typer.Option(help="threads (Prefect's default), dask (prefect-dask) or "
                                "ray (prefect-ray).")
]

Cache = Annotated[
    Optional[bool], typer.Option(help="Cache task results on their inputs and source, so "
                                 "a re-run with the same parameters skips finished "
                                 "steps.")
]

CacheExpiration = Annotated[
    Optional[str], typer.Option(help="How long cached results stay valid: 30m, 12h, 7d.")
]

Secrets = Annotated[
    Optional[str], typer.Option(help="Replace hard-coded credentials by reads of Prefect "
                                "Secret blocks (block) or environment variables (env).")
]

DateParams = Annotated[
    Optional[bool], typer.Option(help="Turn paths that differ only by a YYYY-MM date "
                                 "into year and month parameters; a run started by a "
                                 "schedule takes them from its date.")
]

ScheduledMonth = Annotated[
    Optional[str], typer.Option(help="With --date-params, the month a scheduled run "
                                "uses: 'previous' (the default: the month before the "
                                "run's date) or 'current'.")
]

DataDir = Annotated[
    Optional[bool], typer.Option(help="Add a data_dir parameter that relative paths "
                                 "resolve against.")
]

Pool = Annotated[
    Optional[str], typer.Option(help="Work pool of the deployment in prefect.yaml "
                                "(default: [tool.nb2flow] work_pool).")
]

Cron = Annotated[
    Optional[str], typer.Option(help="Schedule the deployment with a cron string, e.g. "
                                "'0 6 1 * *' (replaces its schedules).")
]

Interval = Annotated[
    Optional[int], typer.Option(help="Schedule the deployment every N seconds "
                                "(replaces its schedules).")
]

Timezone = Annotated[
    Optional[str], typer.Option(help="Timezone of --cron/--interval, e.g. Europe/Paris.")
]

DeploymentName = Annotated[
    Optional[str], typer.Option(help="Name of the deployment (default: the flow name).")
]

Tag = Annotated[
    Optional[list[str]], typer.Option("--tag", help="Add a tag to the deployment "
                                      "(repeatable).")
]

NoDeployment = Annotated[
    bool, typer.Option("--no-deployment", help="Leave prefect.yaml alone.")
]

Notify = Annotated[
    Optional[list[str]], typer.Option(help="Send a notification when the flow run ends "
                                      "in these states: failure, completion, crashed, "
                                      "cancellation (comma-separated or repeated).")
]

NotifyBlock = Annotated[
    Optional[str], typer.Option(help="The Prefect block that sends it, TYPE/NAME: "
                                "slack-webhook/ml-alerts, email-server-credentials/smtp.")
]

NotifyTo = Annotated[
    Optional[list[str]], typer.Option(help="Recipient address, for email blocks "
                                      "(repeatable).")
]

Quiet = Annotated[bool, typer.Option("-q", "--quiet", help="Print only errors.")]
