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


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True,
                           help="Show the version and exit.")
    ] = False,
) -> None:
    """Turn an experimental Jupyter notebook into a production Prefect 3 pipeline."""


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
        bool, typer.Option(help="Keep plots and displayed values.")
    ] = False,
    flow_name: Annotated[
        Optional[str], typer.Option(help="Flow name (default: from the notebook file name).")
    ] = None,
    param: Annotated[
        Optional[list[str]], typer.Option("--param", help="Make this variable a parameter.")
    ] = None,
    sequential: Annotated[
        bool, typer.Option(help="Call tasks one after another instead of submitting "
                           "independent ones concurrently.")
    ] = False,
    subflows: Annotated[
        bool, typer.Option(help="Make each top-level (#) notebook section a subflow.")
    ] = False,
    drop_plots: Annotated[
        str, typer.Option(help="'unsaved' drops plots not saved with savefig; 'all' drops "
                          "every plot.")
    ] = "unsaved",
    task_runner: Annotated[
        str, typer.Option(help="threads (Prefect's default), dask (prefect-dask) or ray "
                          "(prefect-ray).")
    ] = "threads",
    cache: Annotated[
        bool, typer.Option(help="Cache task results on their inputs and source, so a re-run "
                           "with the same parameters skips finished steps.")
    ] = False,
    cache_expiration: Annotated[
        Optional[str], typer.Option(help="How long cached results stay valid: 30m, 12h, 7d.")
    ] = None,
    secrets: Annotated[
        Optional[str], typer.Option(help="Replace hard-coded credentials by reads of Prefect "
                                    "Secret blocks (block) or environment variables (env).")
    ] = None,
    date_params: Annotated[
        bool, typer.Option(help="Turn paths that differ only by a YYYY-MM date into year "
                           "and month parameters.")
    ] = False,
    data_dir: Annotated[
        bool, typer.Option(help="Add a data_dir parameter that relative paths resolve "
                           "against.")
    ] = False,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="Print only errors.")] = False,
) -> None:
    """Convert notebooks into Prefect flow scripts written beside them."""
    from .pipeline import ConvertOptions, convert as run, hook_notebooks

    if output is not None and len(notebooks) > 1:
        raise Nb2FlowError("NB2F012", "--output takes one notebook")
    if output is not None and hook:
        raise Nb2FlowError("NB2F012", "--hook writes each script beside its notebook; "
                           "drop --output")
    if hook:  # staged files: notebooks and scripts; keep those nb2flow is in charge of
        notebooks = hook_notebooks(notebooks)
    failed = False
    written: list[Path] = []
    for nb in notebooks:
        options = ConvertOptions(
            output=output, force=force, keep_exploration=keep_exploration,
            flow_name=flow_name, params=tuple(param or ()), sequential=sequential,
            subflows=subflows, drop_plots=drop_plots, task_runner=task_runner, cache=cache,
            cache_expiration=cache_expiration, secrets=secrets, date_params=date_params,
            data_dir=data_dir,
        )
        try:
            result = run(nb, options, check=check, diff=diff)
        except Nb2FlowError as exc:
            _error(exc)
            failed = True
            continue
        if result.diff:
            typer.echo(result.diff, nl=False)
        if result.status in ("would-create", "stale", "edited", "foreign"):
            failed = True
            typer.echo(f"{result.script}: {_stale_message(result.status, result.notebook)}",
                       err=True)
            continue
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
    if hook and written:
        typer.echo(f"nb2flow: wrote {len(written)} script(s); review and stage them "
                   f"(git add {' '.join(str(p) for p in written)}), then commit again.",
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
    keep_exploration: Annotated[bool, typer.Option(help="Keep plots and displays.")] = False,
    subflows: Annotated[bool, typer.Option(help="Plan subflows per # section.")] = False,
) -> None:
    """Show what convert would do, without writing anything: cells, tasks, parameters."""
    from .inspect_cmd import print_tables, render_json, render_mermaid
    from .load import load
    from .pipeline import ConvertOptions, build

    if format not in ("table", "json", "mermaid"):
        raise Nb2FlowError("NB2F012", "--format is table, json or mermaid")
    result = build(notebook, ConvertOptions(keep_exploration=keep_exploration,
                                            subflows=subflows))
    if format == "json":
        typer.echo(render_json(result.flow, load(notebook)), nl=False)
    elif format == "mermaid":
        typer.echo(render_mermaid(result.flow), nl=False)
    else:
        from rich.console import Console

        print_tables(result.flow, load(notebook), Console())


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
    typer.echo(f"error: {exc.render()}", err=True)
    typer.echo(f"  hint: {exc.hint}", err=True)


def main() -> None:
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
