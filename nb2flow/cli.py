"""The ``nb2flow`` command line: a thin shell over the library API."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__
from .errors import Nb2FlowError

app = typer.Typer(
    name="nb2flow",
    help="Turn an experimental Jupyter notebook into a production Prefect 3 pipeline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"nb2flow {__version__}")
        raise typer.Exit()


_VERBOSE = False
DOCS_ERRORS = "https://nb2flow.readthedocs.io/en/latest/errors/"


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True,
                           help="Show the version and exit.")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="On an error, also show the notebook "
                           "lines around it and the error's documentation page.")
    ] = False,
) -> None:
    """Turn an experimental Jupyter notebook into a production Prefect 3 pipeline."""
    global _VERBOSE
    _VERBOSE = verbose


@app.command()
def convert(
    notebooks: Annotated[list[Path], typer.Argument(help="Notebooks (.ipynb) to convert.")],
    output: Annotated[
        Optional[Path], typer.Option("-o", "--output", help="Script path (one notebook only).")
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Regenerate even when the stamp says up to date; overwrite "
                           "a file nb2flow did not generate, or hand edits.")
    ] = False,
    check: Annotated[
        bool, typer.Option(help="Write nothing; exit 1 if a script is missing, stale or "
                           "edited by hand.")
    ] = False,
    hook: Annotated[
        bool, typer.Option(help="Run as the pre-commit hook: convert only notebooks matched "
                           "by [tool.nb2flow] notebooks or that already have a generated "
                           "script (ignore others quietly); exit 1 when a script was "
                           "written, so it can be staged.")
    ] = False,
    diff: Annotated[
        bool, typer.Option(help="Write nothing; print a unified diff of what would change.")
    ] = False,
    keep_exploration: Annotated[
        Optional[bool],
        typer.Option(help="Keep plots and displayed values [default: the keep-exploration "
                     "setting, else no]."),
    ] = None,
    keep_experiments: Annotated[
        Optional[bool],
        typer.Option(help="Keep experiments: models trained and never saved, model-zoo loops, "
                     "unused searches [default: the keep-experiments setting, else no]."),
    ] = None,
    flow_name: Annotated[
        Optional[str], typer.Option(help="Flow name (default: from the notebook file name).")
    ] = None,
    param: Annotated[
        Optional[list[str]], typer.Option("--param", help="Make this variable a parameter.")
    ] = None,
    sequential: Annotated[
        Optional[bool], typer.Option(help="Call tasks one after another instead of "
                                     "submitting independent ones concurrently.")
    ] = None,
    subflows: Annotated[
        Optional[bool], typer.Option(help="Make each top-level (#) notebook section a "
                                     "subflow.")
    ] = None,
    drop_plots: Annotated[
        Optional[str], typer.Option(help="'unsaved' (the default) drops plots not saved with "
                                    "savefig; 'all' drops every plot.")
    ] = None,
    task_runner: Annotated[
        Optional[str], typer.Option(help="threads (Prefect's default), dask (prefect-dask) or "
                                    "ray (prefect-ray).")
    ] = None,
    cache: Annotated[
        Optional[bool], typer.Option(help="Cache task results on their inputs and source, so "
                                     "a re-run with the same parameters skips finished "
                                     "steps.")
    ] = None,
    cache_expiration: Annotated[
        Optional[str], typer.Option(help="How long cached results stay valid: 30m, 12h, 7d.")
    ] = None,
    secrets: Annotated[
        Optional[str], typer.Option(help="Replace hard-coded credentials by reads of Prefect "
                                    "Secret blocks (block) or environment variables (env).")
    ] = None,
    date_params: Annotated[
        Optional[bool], typer.Option(help="Turn paths that differ only by a YYYY-MM date "
                                     "into year and month parameters; a run started by a "
                                     "schedule takes them from its date.")
    ] = None,
    scheduled_month: Annotated[
        Optional[str], typer.Option(help="With --date-params, the month a scheduled run "
                                    "uses: 'previous' (the default: the month before the "
                                    "run's date) or 'current'.")
    ] = None,
    data_dir: Annotated[
        Optional[bool], typer.Option(help="Add a data_dir parameter that relative paths "
                                     "resolve against.")
    ] = None,
    pool: Annotated[
        Optional[str], typer.Option(help="Work pool of the deployment in prefect.yaml "
                                    "(default: [tool.nb2flow] work_pool).")
    ] = None,
    cron: Annotated[
        Optional[str], typer.Option(help="Schedule the deployment with a cron string, e.g. "
                                    "'0 6 1 * *' (replaces its schedules).")
    ] = None,
    interval: Annotated[
        Optional[int], typer.Option(help="Schedule the deployment every N seconds "
                                    "(replaces its schedules).")
    ] = None,
    timezone: Annotated[
        Optional[str], typer.Option(help="Timezone of --cron/--interval, e.g. Europe/Paris.")
    ] = None,
    deployment_name: Annotated[
        Optional[str], typer.Option(help="Name of the deployment (default: the flow name).")
    ] = None,
    tag: Annotated[
        Optional[list[str]], typer.Option("--tag", help="Add a tag to the deployment "
                                          "(repeatable).")
    ] = None,
    no_deployment: Annotated[
        bool, typer.Option("--no-deployment", help="Leave prefect.yaml alone.")
    ] = False,
    notify: Annotated[
        Optional[list[str]], typer.Option(help="Send a notification when the flow run ends "
                                          "in these states: failure, completion, crashed, "
                                          "cancellation (comma-separated or repeated).")
    ] = None,
    notify_block: Annotated[
        Optional[str], typer.Option(help="The Prefect block that sends it, TYPE/NAME: "
                                    "slack-webhook/ml-alerts, email-server-credentials/smtp.")
    ] = None,
    notify_to: Annotated[
        Optional[list[str]], typer.Option(help="Recipient address, for email blocks "
                                          "(repeatable).")
    ] = None,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="Print only errors.")] = False,
) -> None:
    """Convert notebooks into Prefect flow scripts written beside them.

    The options that shape a script are recorded for its notebook in pyproject.toml
    ([tool.nb2flow.per-notebook."path"]), so converting again, --check and the pre-commit
    hook write the same script; see docs/configuration.md. When a prefect.yaml is found (from the notebook's folder up to the git root), the
    flow's deployment in it is added or updated too; see docs/deploy.md.
    """
    from .deployment import DeployOptions
    from .pipeline import ConvertOptions, convert as run, hook_notebooks, record_options

    if output is not None and len(notebooks) > 1:
        raise Nb2FlowError("NB2F012", "--output takes one notebook")
    if output is not None and hook:
        raise Nb2FlowError("NB2F012", "--hook writes each script beside its notebook; "
                           "drop --output")
    if hook:  # staged files: notebooks and scripts; keep those nb2flow is in charge of
        notebooks = hook_notebooks(notebooks)
    failed = False
    written: list[Path] = []
    deploy = None if no_deployment else DeployOptions(
        name=deployment_name, pool=pool, tags=tuple(tag or ()), cron=cron, interval=interval,
        timezone=timezone)
    deploy_lines: list[str] = []
    record_lines: list[str] = []
    yamls: list[Path] = []  # prefect.yaml files convert changed
    for nb in notebooks:
        options = ConvertOptions(
            output=output, force=force, keep_exploration=keep_exploration,
            keep_experiments=keep_experiments,
            flow_name=flow_name, params=tuple(param or ()), sequential=sequential,
            subflows=subflows, drop_plots=drop_plots, task_runner=task_runner, cache=cache,
            cache_expiration=cache_expiration, secrets=secrets, date_params=date_params,
            scheduled_month=scheduled_month, data_dir=data_dir, deploy=deploy,
            notify=_events(notify), notify_block=notify_block,
            notify_to=tuple(notify_to) if notify_to else None,
        )
        try:
            result = run(nb, options, check=check, diff=diff)
        except Nb2FlowError as exc:
            _error(exc)
            failed = True
            continue
        if result.diff:
            typer.echo(result.diff, nl=False)
        if result.deployment is not None:
            failed |= _report_deployment(result.deployment, result.notebook, deploy_lines,
                                         check=check, diff=diff)
            if result.deployment.status in ("created", "updated"):
                yamls.append(result.deployment.path)
        if result.status in ("would-create", "stale", "edited", "foreign"):
            failed = True
            typer.echo(f"{result.script}: {_stale_message(result.status, result.notebook)}",
                       err=True)
            continue
        if not (check or diff or hook) and output is None:
            recorded = record_options(nb, options)
            if recorded is not None and not quiet:
                record_lines.append(f"{_show(recorded)}: recorded the options of {nb} in "
                                    f"[tool.nb2flow.per-notebook]; `nb2flow convert {nb}` "
                                    "reuses them")
        if result.status in ("created", "updated"):
            written.append(result.script)
        elif hook:
            continue  # up to date: the hook says nothing
        if not quiet and not check and not diff:
            typer.echo(f"{result.notebook} -> {result.script} ({result.status})")
            if result.flow is not None:
                from .report import summary_lines

                for line in summary_lines(result.flow):
                    typer.echo(line)
    if not quiet and not hook:
        for line in [*record_lines, *dict.fromkeys(deploy_lines)]:
            typer.echo(line)
    if hook and (written or yamls):
        staged = [*written, *(_show(p) for p in dict.fromkeys(yamls))]
        what = f"{len(written)} script(s)" + (" and the deployment in prefect.yaml"
                                                if yamls else "")
        typer.echo(f"nb2flow: wrote {what}; review and stage them "
                   f"(git add {' '.join(str(p) for p in staged)}), then commit again.",
                   err=True)
        failed = True
    if failed:
        raise typer.Exit(1)


@app.command()
def inspect(
    notebook: Annotated[Path, typer.Argument(help="Notebook (.ipynb) to inspect.")],
    format: Annotated[
        str, typer.Option("--format", "-f", help="table, json or mermaid.")
    ] = "table",
    keep_exploration: Annotated[
        Optional[bool], typer.Option(help="Keep plots and displays [default: the setting].")
    ] = None,
    keep_experiments: Annotated[
        Optional[bool], typer.Option(help="Keep experiments [default: the setting].")
    ] = None,
    subflows: Annotated[
        Optional[bool], typer.Option(help="Plan subflows per # section [default: the "
                                     "notebook's recorded options].")
    ] = None,
) -> None:
    """Show what convert would do, without writing anything: cells, tasks, parameters."""
    from .inspect_cmd import print_tables, render_json
    from .report import mermaid
    from .load import load
    from .pipeline import ConvertOptions, build

    if format not in ("table", "json", "mermaid"):
        raise Nb2FlowError("NB2F012", "--format is table, json or mermaid")
    result = build(notebook, ConvertOptions(keep_exploration=keep_exploration,
                                            keep_experiments=keep_experiments,
                                            subflows=subflows))
    if format == "json":
        typer.echo(render_json(result.flow, load(notebook)), nl=False)
    elif format == "mermaid":
        typer.echo(mermaid(result.flow), nl=False)
    else:
        from rich.console import Console

        print_tables(result.flow, load(notebook), Console())


@app.command("init-project")
def init_project(
    directory: Annotated[
        Path, typer.Argument(help="Project folder (default: the current one).")
    ] = Path("."),
    name: Annotated[
        Optional[str], typer.Option(help="Project name in prefect.yaml (default: the "
                                    "folder's name).")
    ] = None,
    pool: Annotated[
        Optional[str], typer.Option(help="Work pool of the deployments, saved as "
                                    "[tool.nb2flow] work_pool (default: 'default').")
    ] = None,
    recipe: Annotated[
        Optional[str], typer.Option(help="How a worker gets the code: 'local' (this "
                                    "folder, the default) or 'git' (clone --repo).")
    ] = None,
    repo: Annotated[
        Optional[str], typer.Option(help="git recipe: repository URL (default: the "
                                    "remote 'origin').")
    ] = None,
    branch: Annotated[
        Optional[str], typer.Option(help="git recipe: branch (default: the current one).")
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Apply --name/--pool/--recipe over what the files say.")
    ] = False,
) -> None:
    """Set a project up for deployment: prefect.yaml, .prefectignore, [tool.nb2flow] in
    pyproject.toml and the nb2flow pre-commit hook. Merges; never overwrites your edits."""
    from .project import InitOptions, init_project as run, next_steps

    try:
        result = run(InitOptions(directory=directory, name=name, pool=pool, recipe=recipe,
                                 repo=repo, branch=branch, force=force))
    except Nb2FlowError as exc:
        _error(exc)
        raise typer.Exit(1) from None
    failed = result.conflicts
    if failed:
        typer.echo("nb2flow: nothing written: the options conflict with your files (below); "
                   "run again with --force to apply them, or without those options", err=True)
    for change in result.changes:
        path = _show(change.path)
        if change.status == "kept":
            typer.echo(f"{path}: kept as it is; --force would change it:", err=True)
            for note in change.notes:
                typer.echo(f"  {note}", err=True)
            typer.echo(change.diff, nl=False)
            continue
        pending = " (not written)" if failed and change.status != "unchanged" else ""
        typer.echo(f"{path}: {change.status}{pending}")
        for note in change.notes:
            typer.echo(f"  note: {note}")
        if change.status in ("updated", "forced"):
            typer.echo(change.diff, nl=False)
    for problem in result.problems:
        typer.echo(str(problem), err=True)
        failed = True
    typer.echo("")
    for line in next_steps(directory, result.pool):
        typer.echo(line)
    if failed:
        raise typer.Exit(1)


@app.command("check-yaml")
def check_yaml(
    path: Annotated[
        Path, typer.Argument(help="A prefect.yaml, or a folder holding one.")
    ] = Path("prefect.yaml"),
) -> None:
    """Check a prefect.yaml the way nb2flow checks the ones it writes: known keys,
    entrypoints that name a @flow function, valid cron strings and timezones, unique
    deployment names, no legacy `schedule:`. Exit 1 with `file:line: NB2F014 ...` lines."""
    from .deployment import PREFECT_YAML, validate

    if path.is_dir():
        path = path / PREFECT_YAML
    problems = validate(path)
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        raise typer.Exit(1)
    typer.echo(f"{path}: ok")


@app.command()
def verify(
    notebook: Annotated[Path, typer.Argument(help="Notebook (.ipynb) to verify.")],
    script: Annotated[
        Optional[Path], typer.Option(help="The flow script to run (default: convert the "
                                     "notebook in memory).")
    ] = None,
    param: Annotated[
        Optional[list[str]], typer.Option("-p", "--param", help="NAME=VALUE: a flow "
                                          "parameter, also set in the notebook.")
    ] = None,
    timeout: Annotated[
        float, typer.Option(help="Seconds each side (notebook, flow) may run.")
    ] = 600.0,
    keep: Annotated[
        Optional[Path], typer.Option(help="Copy both run folders, the executed notebook "
                                     "and the flow's log into this new folder.")
    ] = None,
    rtol: Annotated[
        float, typer.Option(help="Relative tolerance for numbers.")
    ] = 1e-6,
    server: Annotated[
        bool, typer.Option(help="Run the flow against your configured Prefect server "
                           "instead of a temporary one.")
    ] = False,
    workdir: Annotated[
        Optional[Path], typer.Option(help="The folder both sides run in, copied (default: "
                                     "the current folder).")
    ] = None,
    kernel: Annotated[
        Optional[str], typer.Option(help="Jupyter kernel (default: the notebook's).")
    ] = None,
    exclude: Annotated[
        Optional[list[str]], typer.Option(help="A folder or glob not to copy.")
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Run the notebook and its flow, each in a copy of the working folder, and compare the
    files they wrote and the numbers they printed. Exit 1 unless the flow reproduced
    everything the notebook produced."""
    from .verify.model import VerifyOptions
    from .verify.report import print_report, to_json
    from .verify.run import verify as run

    from rich.console import Console

    options = VerifyOptions(script=script, params=tuple(param or ()), timeout=timeout,
                            keep=keep, rtol=rtol, server=server, workdir=workdir,
                            kernel=kernel, exclude=tuple(exclude or ()))
    report, _, _ = run(notebook, options, Console(stderr=True))
    if json_:
        typer.echo(to_json(report), nl=False)
    else:
        console = Console()
        if not console.is_terminal:  # a log or a pipe: no need to fold at 80 columns
            console.width = max(console.width, 120)
        print_report(report, console)
    if not report.ok:
        raise typer.Exit(1)


def _show(path: Path) -> Path:
    """A path relative to the current folder when it is inside it."""
    try:
        return path.absolute().relative_to(Path.cwd())
    except ValueError:
        return path


def _report_deployment(change, notebook: Path, lines: list[str], *, check: bool,
                       diff: bool) -> bool:
    """Print what convert did to prefect.yaml (errors now, news into ``lines``).

    Returns whether the command should fail: a deployment missing or out of date with
    --check/--diff, or problems found in the prefect.yaml.
    """
    failed = False
    if change.diff and diff:
        typer.echo(change.diff, nl=False)
    if change.status == "no-project":
        if not check and not diff:
            lines.append(f"nb2flow: no prefect.yaml in {notebook.parent} or above (up to "
                         "the git root), so no deployment was written; `nb2flow "
                         "init-project` creates one")
    elif change.status.startswith("would-"):
        state = "missing" if change.status == "would-create" else "out of date"
        typer.echo(f"{_show(change.path)}: NB2F016 deployment '{change.name}' of "
                   f"{notebook} is {state}; run `nb2flow convert {notebook}`", err=True)
        failed = True
    elif change.status in ("created", "updated"):
        folder = _show(change.path.parent)
        where = "" if folder == Path(".") else f" in {folder}"
        lines.append(f"{_show(change.path)}: deployment '{change.name}' {change.status} "
                     f"(entrypoint {change.entrypoint}, work pool {change.work_pool}); "
                     f"register it with `prefect deploy --name {change.name}`{where}")
    if not check and not diff:
        lines.extend(f"note: {note}" for note in change.notes)
    for problem in change.problems:
        typer.echo(str(problem), err=True)
        failed = True
    return failed


def _events(values: list[str] | None) -> tuple[str, ...] | None:
    if not values:
        return None
    from .notify import parse_events

    return parse_events(values)


def _stale_message(status: str, notebook: Path) -> str:
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


def _error(exc: Nb2FlowError) -> None:
    from .secret_spans import mask

    typer.echo(f"error: {mask(exc.render())}", err=True)
    typer.echo(f"  hint: {exc.hint}", err=True)
    if _VERBOSE:
        for line in _context(exc):
            typer.echo(line, err=True)
        typer.echo(f"  docs: {DOCS_ERRORS}#{_anchor(exc.code)}", err=True)


def _anchor(code: str) -> str:
    """The heading anchor of a code in docs/errors.md (``## NB2F006 syntax error ...``)."""
    import re

    from .errors import CATALOG, WARNINGS

    title = CATALOG[code][0] if code in CATALOG else WARNINGS.get(code, "")
    text = re.sub(r"[^\w\s-]", "", f"{code} {title}").strip().lower()
    return re.sub(r"[-\s]+", "-", text)  # as Python-Markdown's toc slugify


def _context(exc: Nb2FlowError, around: int = 2) -> list[str]:
    """The cell's lines around the error's line, numbered, the line itself marked."""
    where = exc.where
    if where is None or where.cell is None or where.line is None:
        return []
    try:
        import json

        cells = json.loads(Path(where.path).read_text(encoding="utf-8-sig"))["cells"]
        source = cells[where.cell - 1]["source"]
        lines = ("".join(source) if isinstance(source, list) else source).split("\n")
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return []
    from .secret_spans import mask

    first, last = max(1, where.line - around), min(len(lines), where.line + around)
    return [f"  {'>' if n == where.line else ' '} {n:>4} | {mask(lines[n - 1])}"
            for n in range(first, last + 1)]


def main() -> None:
    try:
        _main()
    except SystemExit as exc:  # every path ends here: click exits even on success
        code = exc.code
        _exit(code if isinstance(code, int) else (0 if code is None else 1))
    _exit(0)


def _main() -> None:
    try:
        app()
    except Nb2FlowError as exc:
        _error(exc)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception:  # noqa: BLE001 - an nb2flow bug: show it, ask for a report
        traceback.print_exc()
        print(
            "\nnb2flow hit an internal error. Please report it with the notebook (or a "
            "reduced copy) at https://github.com/nb2flow/nb2flow/issues",
            file=sys.stderr,
        )
        sys.exit(2)


def _exit(code: int) -> None:
    """Exit without tearing the interpreter down when nothing needs it.

    Freeing libcst's and black's objects module by module takes 30-60 ms after a
    conversion (benchmarks/bench_convert.py). Everything convert, inspect and check write is
    closed by then, so the process ends with ``os._exit`` once stdout and stderr are
    flushed. Commands that talked to Prefect (its client flushes logs and events at exit)
    exit normally.
    """
    if "prefect" in sys.modules:
        sys.exit(code)
    import os

    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: nothing more to say
        pass
    os._exit(code)
