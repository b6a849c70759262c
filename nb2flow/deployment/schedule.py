"""The deployment options of convert, checked: cron strings, intervals, timezones, tags."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..errors import Nb2FlowError
from .model import CRON_MACROS, DeployOptions


def check_cron(cron: str) -> str | None:
    """Why a cron string is invalid (cronsim's reason), or None when it is valid."""
    from cronsim import CronSim, CronSimError

    if not isinstance(cron, str):
        return "should be a string such as \"0 6 * * *\""
    if cron.strip().lower() in CRON_MACROS:
        return None
    if any(part.upper() in ("H", "R") for part in cron.split()):
        return "random (R) and hashed (H) fields are not supported by Prefect"
    try:
        CronSim(cron, datetime(2000, 1, 1))
    except CronSimError as exc:
        return str(exc)
    return None


def check_timezone(name: str) -> str | None:
    import zoneinfo

    if not isinstance(name, str) or name not in zoneinfo.available_timezones():
        return f"unknown timezone {name!r}; use an IANA name such as Europe/Paris"
    return None


def given_schedule(options: DeployOptions, settings: Any) -> tuple[str | None, int | None]:
    """(cron, interval): the command line's schedule replaces the settings', never adds."""
    source = options if (options.cron or options.interval) else settings
    return getattr(source, "cron", None), getattr(source, "interval", None)


def check_options(options: DeployOptions, settings: Any = None) -> None:
    """Raise NB2F012 for an invalid --cron, --interval, --timezone or setting."""
    cron, interval = given_schedule(options, settings)
    timezone = options.timezone or getattr(settings, "timezone", None)
    if cron is not None and (why := check_cron(cron)):
        raise Nb2FlowError("NB2F012", f"cron {cron!r}: {why}")
    if interval is not None and interval <= 0:
        raise Nb2FlowError("NB2F012", f"interval {interval}: use a number of seconds > 0")
    if timezone is not None and (why := check_timezone(timezone)):
        raise Nb2FlowError("NB2F012", f"timezone: {why}")
    if timezone is not None and cron is None and interval is None:
        raise Nb2FlowError("NB2F012", "--timezone applies to a --cron or --interval "
                           "schedule; give one")
    for tag in options.tags:
        if not tag.strip():
            raise Nb2FlowError("NB2F012", "--tag: empty tag")
