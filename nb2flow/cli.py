"""The ``nb2flow`` command line: a thin shell over the library API."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__
from . import cli_args as args
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
    notebooks: args.Notebooks,
    output: args.Output = None,
    force: args.Force = False,
    check: args.Check = False,
    hook: args.Hook = False,
    diff: args.Diff = False,
    keep_exploration: args.KeepExploration = None,
    keep_experiments: args.KeepExperiments = None,
    flow_name: args.FlowName = None,
    param: args.Param = None,
    sequential: args.Sequential = None,
    subflows: args.Subflows = None,
    drop_plots: args.DropPlots = None,
    task_runner: args.TaskRunner = None,
    cache: args.Cache = None,
    cache_expiration: args.CacheExpiration = None,
    secrets: args.Secrets = None,
    date_params: args.DateParams = None,
    scheduled_month: args.ScheduledMonth = None,
    data_dir: args.DataDir = None,
    pool: args.Pool = None,
    cron: args.Cron = None,
    interval: args.Interval = None,
    timezone: args.Timezone = None,
    deployment_name: args.DeploymentName = None,
    tag: args.Tag = None,
    no_deployment: args.NoDeployment = False,
    notify: args.Notify = None,
    notify_block: args.NotifyBlock = None,
    notify_to: args.NotifyTo = None,
    quiet: args.Quiet = False,
) -> None:
    """Convert notebooks into Prefect flow scripts written beside them.

    The options that shape a script are recorded for its notebook in pyproject.toml
    ([tool.nb2flow.per-notebook."path"]), so converting again, --check and the pre-commit
    hook write the same script; see docs/configuration.md. When a prefect.yaml is found (from the notebook's folder up to the git root), the
    flow's deployment in it is added or updated too; see docs/deploy.md.
    """
    from .batch import Batch, convert_all, select
    from .deployment import DeployOptions
    from .pipeline import ConvertOptions

    notebooks = select(notebooks, output, hook)
    if not notebooks:  # the hook was given no notebook of nb2flow's: nothing to check
        return
    deploy = None if no_deployment else DeployOptions(
        name=deployment_name, pool=pool, tags=tuple(tag or ()), cron=cron, interval=interval,
        timezone=timezone)
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
    batch = Batch(check=check, diff=diff, hook=hook, quiet=quiet, verbose=_VERBOSE)
    if convert_all(notebooks, options, batch, typer.echo):
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
    from .messages import show
    from .project import InitOptions, init_project as run, next_steps

    try:
        result = run(InitOptions(directory=directory, name=name, pool=pool, recipe=recipe,
                                 repo=repo, branch=branch, force=force))
    except Nb2FlowError as exc:
        _error(exc)
        raise typer.Exit(1) from None
    if result.conflicts:
        typer.echo("nb2flow: nothing written: the options conflict with your files (below); "
                   "run again with --force to apply them, or without those options", err=True)
    for change in result.changes:
        path = show(change.path)
        if change.status == "kept":
            typer.echo(f"{path}: kept as it is; --force would change it:", err=True)
            for note in change.notes:
                typer.echo(f"  {note}", err=True)
            typer.echo(change.diff, nl=False)
            continue
        pending = " (not written)" if result.conflicts and change.status != "unchanged" \
            else ""
        typer.echo(f"{path}: {change.status}{pending}")
        for note in change.notes:
            typer.echo(f"  note: {note}")
        if change.status in ("updated", "forced"):
            typer.echo(change.diff, nl=False)
    for problem in result.problems:
        typer.echo(str(problem), err=True)
    typer.echo("")
    for line in next_steps(directory, result.pool):
        typer.echo(line)
    if result.failed:
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






def _events(values: list[str] | None) -> tuple[str, ...] | None:
    if not values:
        return None
    from .notify import parse_events

    return parse_events(values)










def _error(exc: Nb2FlowError) -> None:
    from .messages import error_lines

    for line in error_lines(exc, _VERBOSE):
        typer.echo(line, err=True)


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
