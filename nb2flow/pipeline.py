"""The conversion pipeline, stage by stage: load, classify, plan, render, format, write.

``analyze`` runs inside ``classify`` (each statement's facts are needed to classify the
next). This module is the library API that the CLI calls.

The stages are imported inside :func:`build`: an up-to-date script is recognised from its
stamp (:func:`up_to_date`) without importing libcst, jinja2 or black, which keeps the
pre-commit hook fast.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .config import Settings, load_settings
from .errors import Location, Nb2FlowError
from .load import quick_code_hash
from .write import check_target, read_stamp, read_stamp_of, stamp, write_atomic

if TYPE_CHECKING:
    from .deployment import DeployOptions, DeploymentChange
    from .ir import Flow


@dataclass
class ConvertOptions:
    """What to convert and how. ``None`` (or an empty ``params``) means "not given": the
    value then comes from ``[tool.nb2flow]`` (the notebook's own table first), else the
    default in :data:`DEFAULTS`."""

    output: Path | None = None
    force: bool = False
    keep_exploration: bool | None = None
    flow_name: str | None = None
    params: tuple[str, ...] = ()  # added to the settings' parameters
    sequential: bool | None = None
    subflows: bool | None = None
    drop_plots: str | None = None  # "unsaved" keeps figures saved with savefig; "all" drops them
    task_runner: str | None = None  # "threads", "dask" or "ray"
    cache: bool | None = None
    cache_expiration: str | None = None  # "30m", "12h", "7d"
    secrets: str | None = None  # "block" (Prefect Secret blocks) or "env"
    date_params: bool | None = None
    scheduled_month: str | None = None  # "previous" or "current" (with date_params)
    data_dir: bool | None = None
    notify: tuple[str, ...] | None = None  # flow events that send a notification
    notify_block: str | None = None  # TYPE/NAME of the Prefect block that sends it
    notify_to: tuple[str, ...] | None = None  # recipients, for email blocks
    deploy: DeployOptions | None = None  # add/update the deployment in prefect.yaml


#: The options that shape the script: recorded per notebook, counted in the fingerprint.
SCRIPT_OPTIONS = ("keep_exploration", "flow_name", "params", "sequential", "subflows",
                  "drop_plots", "task_runner", "cache", "cache_expiration", "secrets",
                  "date_params", "scheduled_month", "data_dir", "notify", "notify_block",
                  "notify_to")
#: Their values when neither the command line nor the settings give one.
DEFAULTS = {name: getattr(Settings(), "parameters" if name == "params" else name)
            for name in SCRIPT_OPTIONS}


@dataclass
class ConvertResult:
    notebook: Path
    script: Path
    text: str
    flow: Flow | None  # None when the stamp showed the script up to date (nothing was built)
    status: str = ""  # created, updated, unchanged; with check/diff: would-create, stale,
    # edited (by hand), foreign (a file nb2flow did not write)
    diff: str = ""
    warnings: list[str] = field(default_factory=list)
    deployment: DeploymentChange | None = None  # with ConvertOptions.deploy


def _check_options(options: ConvertOptions) -> None:
    if options.notify or options.notify_block or options.notify_to:
        if not (options.notify and options.notify_block):
            raise Nb2FlowError("NB2F012", "--notify and --notify-block go together")
        from .notify import notification_code

        try:
            notification_code(options.notify, options.notify_block, options.notify_to)
        except ValueError as exc:
            raise Nb2FlowError("NB2F012", str(exc)) from None
    if options.secrets not in ("block", "env"):
        raise Nb2FlowError("NB2F012", f"--secrets {options.secrets!r}: use block or env")
    if options.task_runner not in ("threads", "dask", "ray"):
        raise Nb2FlowError("NB2F012", f"--task-runner {options.task_runner!r}: use threads, "
                           "dask or ray")
    if options.scheduled_month not in ("previous", "current"):
        raise Nb2FlowError("NB2F012", f"--scheduled-month {options.scheduled_month!r}: use "
                           "previous or current")
    if options.drop_plots not in ("unsaved", "all"):
        raise Nb2FlowError("NB2F012", "--drop-plots is 'unsaved' or 'all'")
    if options.cache_expiration and not re.fullmatch(r"[1-9]\d*[smhd]",
                                                     options.cache_expiration):
        raise Nb2FlowError("NB2F012", f"--cache-expiration {options.cache_expiration!r}: "
                           "use a number and s, m, h or d, e.g. 12h")


def fingerprint(code_hash: str, options: ConvertOptions) -> str:
    """What the script depends on: the notebook's code, nb2flow's version, the options.

    Only options that differ from their defaults count, so adding an option to nb2flow
    does not make every existing script stale. ``options`` are resolved
    (:func:`_with_settings`): an option recorded in ``[tool.nb2flow]`` and the same option
    on the command line give the same fingerprint.
    """
    changed = sorted(
        (name, repr(tuple(sorted(value)) if name == "params" else value))
        for name in SCRIPT_OPTIONS
        if (value := getattr(options, name)) != DEFAULTS[name]
    )
    return hashlib.sha256(repr((code_hash, __version__, changed)).encode()).hexdigest()[:16]


def script_path(notebook: Path, output: Path | None = None) -> Path:
    if output is not None:
        return output
    stem = re.sub(r"[^0-9a-zA-Z]+", "_", notebook.stem).strip("_").lower() or "flow"
    if stem[0].isdigit():
        stem = f"flow_{stem}"
    return notebook.with_name(f"{stem}.py")


def build(notebook: str | Path, options: ConvertOptions | None = None) -> ConvertResult:
    """Convert a notebook to script text without writing anything."""
    from .classify import classify
    from .formatting import format_code
    from .ir import IMPORT, Diagnostic
    from .load import load
    from .names import resolve
    from .plan import PlanOptions, check_defined, plan
    from .prune import prune
    from .render import render
    from .secrets import guard_results, redact, warn_prints

    options = options or ConvertOptions()
    nb = load(notebook)
    options = _with_settings(options, load_settings(nb.path))
    classified = classify(
        nb, keep_exploration=options.keep_exploration, drop_plots=options.drop_plots
    )
    resolve(classified)
    classified, secret_uses = redact(classified, options.secrets)
    check_defined(classified)
    if not options.keep_exploration:
        classified = prune(classified)
    classified = warn_prints(classified)
    if not any(s.role != IMPORT for s in classified.statements):
        raise Nb2FlowError(
            "NB2F007", "no code is left after removing plots, displays and magics",
            Location(str(nb.path)),
        )
    _check_options(options)
    plan_options = PlanOptions(
        flow_name=options.flow_name, params=options.params, sequential=options.sequential,
        subflows=options.subflows, task_runner=options.task_runner, cache=options.cache,
        cache_expiration=options.cache_expiration, date_params=options.date_params,
        scheduled_month=options.scheduled_month, data_dir=options.data_dir,
        notify=options.notify, notify_block=options.notify_block, notify_to=options.notify_to,
    )
    flow = guard_results(plan(classified, plan_options), classified)
    target = script_path(nb.path, options.output)
    shadowed = _shadowed_module(target.stem, classified)
    diagnostics = flow.diagnostics
    if shadowed:
        diagnostics = (*diagnostics, Diagnostic(
            "NB2W010", f"the script {target.name} has the name of the module `{shadowed}`: "
            f"`python {target.name}` puts its folder first on sys.path, so `import "
            f"{shadowed}` (here or inside a library) finds the script; rename the notebook "
            "or pass -o"))
    flow = replace(flow, code_hash=fingerprint(nb.code_hash, options),
                   secrets=tuple(secret_uses), secrets_mode=options.secrets,
                   diagnostics=diagnostics)
    text = stamp(format_code(render(flow)))
    return ConvertResult(nb.path, target, text, flow)


def _shadowed_module(stem: str, classified) -> str | None:
    """The module a script named ``stem`` would hide: the standard library's, one the
    notebook imports, or prefect (every script imports it)."""
    import ast

    imported = {"prefect"}
    for s in classified.statements:
        if isinstance(s.tree, ast.Import):
            imported |= {a.name.split(".")[0] for a in s.tree.names}
        elif isinstance(s.tree, ast.ImportFrom) and s.tree.module and not s.tree.level:
            imported.add(s.tree.module.split(".")[0])
    if stem in imported or stem in sys.stdlib_module_names:
        return stem
    return None


def _with_settings(options: ConvertOptions, settings: Settings) -> ConvertOptions:
    """Command-line options completed by ``[tool.nb2flow]``: every option not given takes
    the setting's value (the notebook's own table, then the project's, then the default)."""
    given = {name: getattr(options, name) for name in SCRIPT_OPTIONS if name != "params"}
    resolved = {name: getattr(settings, name) if value is None else value
                for name, value in given.items()}
    resolved["params"] = tuple(dict.fromkeys((*options.params, *settings.parameters)))
    return replace(options, **resolved)


def record_options(notebook: str | Path, options: ConvertOptions) -> Path | None:
    """Record the script options given (not None) in the notebook's table of
    ``[tool.nb2flow]``, so that plain ``convert``, ``--check`` and the pre-commit hook
    write the same script. Returns the pyproject.toml when it changed."""
    from .config import record

    changes: dict[str, object] = {
        name: getattr(options, name) for name in SCRIPT_OPTIONS
        if name != "params" and getattr(options, name) is not None
    }
    if options.params:
        changes["parameters"] = options.params
    if not changes:
        return None
    return record(Path(notebook), changes)


def up_to_date(notebook: str | Path, options: ConvertOptions | None = None) -> str | None:
    """The script's text when its stamp shows it up to date with the notebook, else None.

    The fast path: read the notebook's JSON and the script's stamp, compare the stamp's
    ``code=`` with the fingerprint of the notebook's code (cell kinds, sources and tags,
    never outputs or execution counts), nb2flow's version and the options. Nothing is
    parsed, rendered or formatted. A hand-edited script, another notebook's script or
    ``force`` take the full path (None).
    """
    options = options or ConvertOptions()
    notebook = Path(notebook)
    if options.force:
        return None
    code = quick_code_hash(notebook)  # raises the loader's errors (NB2F001 ...)
    options = _with_settings(options, load_settings(notebook))
    _check_options(options)
    target = script_path(notebook, options.output)
    if target.is_symlink() or not target.is_file():
        return None
    try:
        text = target.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    found = read_stamp(text)
    if found is None or found.edited or found.source != notebook.name:
        return None
    return text if found.code == fingerprint(code, options) else None


def hook_selects(notebook: str | Path) -> bool:
    """Whether the pre-commit hook converts this notebook.

    Yes when a ``[tool.nb2flow] notebooks`` glob matches it, when it has a per-notebook
    table there, or when its script already exists with a stamp naming it; every other
    notebook is left alone.
    """
    notebook = Path(notebook)
    settings = load_settings(notebook)
    if settings.selects(notebook) or settings.recorded:
        return True
    found = read_stamp_of(script_path(notebook))
    return found is not None and found.source == notebook.name


def hook_notebooks(paths: list[Path]) -> list[Path]:
    """The notebooks the pre-commit hook converts, given the staged files.

    A staged notebook counts when :func:`hook_selects` says so; a staged script whose stamp
    names a notebook beside it brings that notebook in, so a script edited by hand and
    committed alone is caught too. Anything else (other Python files) is ignored.
    """
    found: dict[Path, Path] = {}
    for path in map(Path, paths):
        if path.suffix == ".py":
            stamp_ = read_stamp_of(path)
            if stamp_ is None:
                continue
            notebook = path.with_name(stamp_.source)
            if not notebook.is_file() or script_path(notebook) != path:
                continue
        elif hook_selects(path):
            notebook = path
        else:
            continue
        found.setdefault(notebook.resolve(), notebook)
    return list(found.values())


def convert(
    notebook: str | Path,
    options: ConvertOptions | None = None,
    *,
    check: bool = False,
    diff: bool = False,
) -> ConvertResult:
    """Convert and write the script (or, with ``check``/``diff``, only compare).

    An up-to-date script (see :func:`up_to_date`) is left as it is without building.
    With ``options.deploy``, the flow's deployment in the nearest prefect.yaml is then
    added or updated (:func:`nb2flow.deployment.sync`; nothing written with check/diff).
    """
    options = options or ConvertOptions()
    if options.deploy is None:
        return _convert_script(notebook, options, check=check, diff=diff)
    from .deployment import check_options, sync

    check_options(options.deploy, load_settings(Path(notebook)))  # before writing anything
    target = script_path(Path(notebook), options.output)
    previous = target.read_text(encoding="utf-8", errors="replace") \
        if target.is_file() and not target.is_symlink() else None
    result = _convert_script(notebook, options, check=check, diff=diff)
    result.deployment = sync(
        result.script, result.text, previous, options.deploy, notebook=Path(notebook),
        func_name=result.flow.func_name if result.flow is not None else None,
        write=not (check or diff),
    )
    return result


def _convert_script(notebook: str | Path, options: ConvertOptions, *, check: bool,
                    diff: bool) -> ConvertResult:
    """The script part of :func:`convert`."""
    current = up_to_date(notebook, options)
    if current is not None:
        return ConvertResult(Path(notebook), script_path(Path(notebook), options.output),
                             current, None, status="unchanged")
    result = build(notebook, options)
    target = result.script
    old = target.read_text(encoding="utf-8") if target.is_file() else None
    if diff and old != result.text:
        result.diff = "".join(difflib.unified_diff(
            (old or "").splitlines(keepends=True), result.text.splitlines(keepends=True),
            fromfile=str(target), tofile=f"{target} (nb2flow)",
        ))
    if old == result.text:
        result.status = "unchanged"
        return result
    if check or diff:
        stamp_ = read_stamp_of(target) if old is not None else None
        result.status = (
            "would-create" if old is None else "foreign" if stamp_ is None
            else "edited" if stamp_.edited else "stale"
        )
        return result
    state = check_target(target, options.force, str(result.notebook))
    write_atomic(target, result.text)
    result.status = "created" if state == "new" else "updated"
    return result
