"""``nb2flow convert`` on several notebooks: what it says and its exit status.

:func:`convert_all` converts each notebook with :func:`nb2flow.pipeline.convert`, tells the
caller what to print through ``echo`` (``typer.echo``'s signature: text, ``err``, ``nl``) and
returns the exit status: 1 when a notebook failed, a script or deployment is not as
generated (``check``/``diff``, :attr:`ConvertResult.failed`), or, with ``hook``, when
something was written that needs staging; else 0. One notebook failing does not stop the
others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import Nb2FlowError
from .messages import error_lines, show
from .pipeline import (STALE, ConvertOptions, ConvertResult, convert, hook_notebooks,
                       record_options)

if TYPE_CHECKING:
    from .deployment import DeploymentChange

Echo = Callable[..., None]  # echo(text, err=False, nl=True)


@dataclass(frozen=True)
class Batch:
    """How convert runs: ``check``/``diff`` write nothing; ``hook`` is the pre-commit hook
    (quiet about up-to-date scripts, fails when it wrote something to stage)."""

    check: bool = False
    diff: bool = False
    hook: bool = False
    quiet: bool = False
    verbose: bool = False  # errors come with their notebook lines and documentation page


def select(notebooks: list[Path], output: Path | None, hook: bool) -> list[Path]:
    """The notebooks to convert: all of them, or with ``hook`` (given the staged files)
    those nb2flow is in charge of; raises NB2F012 for an ``output`` that cannot apply."""
    if output is not None and len(notebooks) > 1:
        raise Nb2FlowError("NB2F012", "--output takes one notebook")
    if output is not None and hook:
        raise Nb2FlowError("NB2F012", "--hook writes each script beside its notebook; "
                           "drop --output")
    return hook_notebooks(notebooks) if hook else notebooks


def convert_all(notebooks: list[Path], options: ConvertOptions, batch: Batch,
                echo: Echo) -> int:
    """Convert each notebook, echo what happened, return the exit status (0 or 1)."""
    failed = False
    written: list[Path] = []
    news: list[str] = []  # printed at the end: options recorded, deployments written
    deployments: list[str] = []
    yamls: list[Path] = []  # prefect.yaml files convert changed
    for nb in notebooks:
        try:
            result = convert(nb, options, check=batch.check, diff=batch.diff)
        except Nb2FlowError as exc:
            for line in error_lines(exc, batch.verbose):
                echo(line, err=True)
            failed = True
            continue
        failed |= result.failed
        if result.diff:
            echo(result.diff, nl=False)
        if result.deployment is not None:
            _report_deployment(result.deployment, result.notebook, deployments, batch, echo)
            if result.deployment.status in ("created", "updated"):
                yamls.append(result.deployment.path)
        if result.status in STALE:
            echo(f"{result.script}: {stale_message(result.status, result.notebook)}",
                 err=True)
            continue
        news += _record(nb, options, batch)
        if result.status in ("created", "updated"):
            written.append(result.script)
        elif batch.hook:
            continue  # up to date: the hook says nothing
        if not batch.quiet and not batch.check and not batch.diff:
            _report_script(result, echo)
    if not batch.quiet and not batch.hook:
        for line in [*news, *dict.fromkeys(deployments)]:
            echo(line)
    if batch.hook and (written or yamls):
        _ask_to_stage(written, yamls, echo)
        failed = True
    return 1 if failed else 0


def _record(notebook: Path, options: ConvertOptions, batch: Batch) -> list[str]:
    """Record the options given for the notebook (a plain convert, beside the notebook);
    the line saying so."""
    if batch.check or batch.diff or batch.hook or options.output is not None:
        return []
    recorded = record_options(notebook, options)
    if recorded is None or batch.quiet:
        return []
    return [f"{show(recorded)}: recorded the options of {notebook} in "
            f"[tool.nb2flow.per-notebook]; `nb2flow convert {notebook}` reuses them"]


def _report_script(result: ConvertResult, echo: Echo) -> None:
    echo(f"{result.notebook} -> {result.script} ({result.status})")
    if result.flow is not None:
        from .report import summary_lines

        for line in summary_lines(result.flow):
            echo(line)


def _ask_to_stage(written: list[Path], yamls: list[Path], echo: Echo) -> None:
    staged = [*written, *(show(p) for p in dict.fromkeys(yamls))]
    what = f"{len(written)} script(s)" + (" and the deployment in prefect.yaml"
                                            if yamls else "")
    echo(f"nb2flow: wrote {what}; review and stage them "
         f"(git add {' '.join(str(p) for p in staged)}), then commit again.", err=True)


def _report_deployment(change: DeploymentChange, notebook: Path, lines: list[str],
                       batch: Batch, echo: Echo) -> None:
    """Echo what convert did to prefect.yaml (errors now, news into ``lines``)."""
    quiet = batch.check or batch.diff  # nothing was written: no news
    if change.diff and batch.diff:
        echo(change.diff, nl=False)
    if change.status == "no-project":
        if not quiet:
            lines.append(f"nb2flow: no prefect.yaml in {notebook.parent} or above (up to "
                         "the git root), so no deployment was written; `nb2flow "
                         "init-project` creates one")
    elif change.status.startswith("would-"):
        state = "missing" if change.status == "would-create" else "out of date"
        echo(f"{show(change.path)}: NB2F016 deployment '{change.name}' of "
             f"{notebook} is {state}; run `nb2flow convert {notebook}`", err=True)
    elif change.status in ("created", "updated"):
        folder = show(change.path.parent)
        where = "" if folder == Path(".") else f" in {folder}"
        lines.append(f"{show(change.path)}: deployment '{change.name}' {change.status} "
                     f"(entrypoint {change.entrypoint}, work pool {change.work_pool}); "
                     f"register it with `prefect deploy --name {change.name}`{where}")
    if not quiet:
        lines.extend(f"note: {note}" for note in change.notes)
    for problem in change.problems:
        echo(str(problem), err=True)


def stale_message(status: str, notebook: Path) -> str:
    """Why ``--check``/``--diff`` fails for a script in one of the
    :data:`~nb2flow.pipeline.STALE` states."""
    return {
        "would-create": f"NB2F016 missing: {notebook} has no generated script; run "
                        f"`nb2flow convert {notebook}`",
        "stale": f"NB2F016 stale: out of date with {notebook}; run "
                 f"`nb2flow convert {notebook}`",
        "edited": f"NB2F009 edited by hand since nb2flow generated it from {notebook}; move "
                  f"the edits into the notebook, or run `nb2flow convert --force {notebook}`",
        "foreign": f"NB2F008 not generated by nb2flow, but it is the script path of "
                   f"{notebook}; use -o, or `nb2flow convert --force {notebook}`",
    }[status]
