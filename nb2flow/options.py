"""The options of a conversion, declared once.

:class:`ConvertOptions` is the one record of them: the CLI builds it, :func:`resolve`
completes it from ``[tool.nb2flow]``, :func:`validate` checks it, :func:`fingerprint`
hashes it into the script's stamp and every stage reads it. The options that shape the
script are the fields marked ``script`` (:data:`SCRIPT_OPTIONS`); ``None`` means "not
given", and their defaults are the :class:`~nb2flow.config.Settings` defaults.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .config import Settings
from .errors import Nb2FlowError

if TYPE_CHECKING:
    from .deployment import DeployOptions


def _script(default: Any = None) -> Any:
    """A field that shapes the script: recorded per notebook, counted in the fingerprint."""
    return field(default=default, metadata={"script": True})


@dataclass(frozen=True)
class ConvertOptions:
    """What to convert and how. ``None`` (or an empty ``params``) means "not given": the
    value then comes from ``[tool.nb2flow]`` (the notebook's own table first), else the
    default in :data:`DEFAULTS`."""

    output: Path | None = None
    force: bool = False
    keep_exploration: bool | None = _script()
    keep_experiments: bool | None = _script()  # keep what semantics calls experiments
    flow_name: str | None = _script()
    params: tuple[str, ...] = _script(())  # added to the settings' parameters
    sequential: bool | None = _script()  # plain task calls, no submitting
    subflows: bool | None = _script()  # one subflow per top-level (#) section
    drop_plots: str | None = _script()  # "unsaved" keeps figures saved with savefig; "all"
    task_runner: str | None = _script()  # "threads", "dask" or "ray"
    cache: bool | None = _script()  # cache task results on their inputs and source
    cache_expiration: str | None = _script()  # "30m", "12h", "7d"
    secrets: str | None = _script()  # "block" (Prefect Secret blocks) or "env"
    date_params: bool | None = _script()  # paths differing by a YYYY-MM date -> year, month
    scheduled_month: str | None = _script()  # "previous" or "current" (with date_params)
    data_dir: bool | None = _script()  # a data_dir parameter relative paths resolve against
    notify: tuple[str, ...] | None = _script()  # flow events that send a notification
    notify_block: str | None = _script()  # TYPE/NAME of the Prefect block that sends it
    notify_to: tuple[str, ...] | None = _script()  # recipients, for email blocks
    deploy: DeployOptions | None = None  # add/update the deployment in prefect.yaml


#: The options that shape the script: recorded per notebook, counted in the fingerprint.
SCRIPT_OPTIONS = tuple(f.name for f in fields(ConvertOptions) if f.metadata.get("script"))
#: Their values when neither the command line nor the settings give one.
DEFAULTS = {name: getattr(Settings(), "parameters" if name == "params" else name)
            for name in SCRIPT_OPTIONS}


def resolve(options: ConvertOptions, settings: Settings) -> ConvertOptions:
    """Command-line options completed by ``[tool.nb2flow]``: every option not given takes
    the setting's value (the notebook's own table, then the project's, then the default)."""
    given = {name: getattr(options, name) for name in SCRIPT_OPTIONS if name != "params"}
    resolved = {name: getattr(settings, name) if value is None else value
                for name, value in given.items()}
    resolved["params"] = tuple(dict.fromkeys((*options.params, *settings.parameters)))
    return replace(options, **resolved)


def defaults() -> ConvertOptions:
    """Every script option at its default (what :func:`resolve` gives without settings)."""
    return resolve(ConvertOptions(), Settings())


def given(options: ConvertOptions) -> dict[str, object]:
    """The script options given (not None), as ``[tool.nb2flow]`` records them."""
    changes: dict[str, object] = {
        name: getattr(options, name) for name in SCRIPT_OPTIONS
        if name != "params" and getattr(options, name) is not None
    }
    if options.params:
        changes["parameters"] = options.params
    return changes


def validate(options: ConvertOptions) -> None:
    """NB2F012 for a resolved option value nb2flow does not know."""
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
    (:func:`resolve`): an option recorded in ``[tool.nb2flow]`` and the same option
    on the command line give the same fingerprint.
    """
    changed = sorted(
        (name, repr(tuple(sorted(value)) if name == "params" else value))
        for name in SCRIPT_OPTIONS
        if (value := getattr(options, name)) != DEFAULTS[name]
    )
    return hashlib.sha256(repr((code_hash, __version__, changed)).encode()).hexdigest()[:16]
