"""The conversion pipeline: the library API that the CLI calls.

:func:`build` is the compiler, one line per stage::

    load -> classify (with analyze's facts) -> names -> redact -> check -> prune (and the
    secrets' print warnings) -> plan -> the secrets' result guard -> the script-name
    check -> render -> format -> stamp

:func:`convert` adds the fast path (an up-to-date stamp: nothing is built) and the write.
The stages are imported inside :func:`build`: an up-to-date script is recognised from its
stamp (:func:`up_to_date`) without importing libcst, jinja2 or black, which keeps the
pre-commit hook fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .config import load_settings
from .load import quick_code_hash
from .options import (
    DEFAULTS,
    SCRIPT_OPTIONS,
    ConvertOptions,
    fingerprint,
    given,
    resolve,
    validate,
)
from .textdiff import unified_diff
from .write import check_target, read_stamp, read_stamp_of, stamp, write_atomic

if TYPE_CHECKING:
    from .deployment import DeploymentChange
    from .ir import Flow

__all__ = ["DEFAULTS", "SCRIPT_OPTIONS", "ConvertOptions", "ConvertResult", "build",
           "convert", "fingerprint", "hook_notebooks", "hook_selects", "record_options",
           "script_path", "up_to_date"]


@dataclass(frozen=True)
class ConvertResult:
    notebook: Path
    script: Path
    text: str
    flow: Flow | None  # None when the stamp showed the script up to date (nothing was built)
    status: str = ""  # created, updated, unchanged; with check/diff: would-create, stale,
    # edited (by hand), foreign (a file nb2flow did not write)
    diff: str = ""
    warnings: tuple[str, ...] = field(default=())
    deployment: DeploymentChange | None = None  # with ConvertOptions.deploy

    @property
    def failed(self) -> bool:
        """Whether the exit status is 1: the script (or its deployment) is not as generated
        (``--check``/``--diff``), or the deployment has problems."""
        change = self.deployment
        deployment = change is not None and bool(
            change.problems or change.status.startswith("would-"))
        return self.status in STALE or deployment


#: Statuses of a script that is not what nb2flow would write (with check/diff).
STALE = ("would-create", "stale", "edited", "foreign")


def resolved(options: ConvertOptions | None, notebook: Path) -> ConvertOptions:
    """``options`` completed by the notebook's ``[tool.nb2flow]`` settings, and checked."""
    options = resolve(options or ConvertOptions(), load_settings(notebook))
    validate(options)
    return options


def script_path(notebook: Path, output: Path | None = None) -> Path:
    if output is not None:
        return output
    stem = re.sub(r"[^0-9a-zA-Z]+", "_", notebook.stem).strip("_").lower() or "flow"
    if stem[0].isdigit():
        stem = f"flow_{stem}"
    return notebook.with_name(f"{stem}.py")


def build(notebook: str | Path, options: ConvertOptions | None = None) -> ConvertResult:
    """Convert a notebook to script text without writing anything: the compiler."""
    from importlib import import_module

    from .collect import fewer_collections

    for stage in ("classify", "names", "plan", "prune", "render", "secrets"):
        import_module(f"{__package__}.{stage}")  # before the heap is frozen (collect.py)
    with fewer_collections():  # a quarter of the time at 5,000 cells otherwise (collect.py)
        return _build(notebook, options)


def _build(notebook: str | Path, options: ConvertOptions | None) -> ConvertResult:
    from .classify import classify
    from .formatting import format_code
    from .load import load
    from .names import resolve
    from .plan import check_defined, check_script_name, plan, require_code
    from .prune import prune
    from .render import render
    from .secrets import guard_results, redact, warn_prints

    nb = load(notebook)
    options = resolved(options, nb.path)
    classified = classify(nb, keep_exploration=options.keep_exploration,
                          drop_plots=options.drop_plots)  # and analyze, statement by statement
    resolve(classified)  # every name read gets a definition, or NB2F006/NB2F022/NB2F023
    classified, secrets = redact(classified, options.secrets)
    check_defined(classified)
    classified = classified if options.keep_exploration else prune(
        classified, keep_experiments=options.keep_experiments)
    classified = warn_prints(classified)
    require_code(classified)
    target = script_path(nb.path, options.output)
    flow = plan(classified, options, secrets=tuple(secrets),
                fingerprint=fingerprint(nb.code_hash, options))
    flow = guard_results(flow, classified)
    flow = check_script_name(flow, target.name, classified)
    text = stamp(format_code(render(flow)))
    return ConvertResult(nb.path, target, text, flow)


def record_options(notebook: str | Path, options: ConvertOptions) -> Path | None:
    """Record the script options given (not None) in the notebook's table of
    ``[tool.nb2flow]``, so that plain ``convert``, ``--check`` and the pre-commit hook
    write the same script. Returns the pyproject.toml when it changed."""
    from .config import record

    changes = given(options)
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
    options = resolved(options, notebook)
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
    return replace(result, deployment=sync(
        result.script, result.text, previous, options.deploy, notebook=Path(notebook),
        func_name=result.flow.func_name if result.flow is not None else None,
        write=not (check or diff),
    ))


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
        result = replace(result, diff=unified_diff(target, old, result.text))
    if old == result.text:
        return replace(result, status="unchanged")
    if check or diff:
        stamp_ = read_stamp_of(target) if old is not None else None
        return replace(result, status=(
            "would-create" if old is None else "foreign" if stamp_ is None
            else "edited" if stamp_.edited else "stale"
        ))
    state = check_target(target, options.force, str(result.notebook))
    write_atomic(target, result.text)
    return replace(result, status="created" if state == "new" else "updated")
