"""Add or update the deployment of a generated flow in prefect.yaml, as a round trip."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import Location, Nb2FlowError
from ..textdiff import unified_diff
from .flows import entrypoint_path, find_prefect_yaml, flow_info
from .model import DeployOptions, DeploymentChange, FlowInfo
from .schedule import check_options, given_schedule
from .validate import validate


def sync(
    script: Path,
    script_text: str,
    previous_text: str | None,
    options: DeployOptions,
    *,
    notebook: Path,
    func_name: str | None = None,
    write: bool = True,
) -> DeploymentChange:
    """Add or update the deployment of ``script`` in the nearest prefect.yaml.

    ``script_text`` is the script as convert wrote it (or would write it);
    ``previous_text`` the script before, whose defaults tell nb2flow's parameter values
    from the user's. With ``write=False`` nothing is written and the change is described
    (``would-create``, ``would-update`` and a diff).
    """
    from ..config import load_settings
    from ..write import read_stamp, write_atomic

    settings = load_settings(notebook)
    check_options(options, settings)
    prefect_yaml = find_prefect_yaml(notebook.parent)
    if prefect_yaml is None:
        return DeploymentChange("no-project")
    from .. import yamlrt  # ruamel.yaml: only with a prefect.yaml to edit
    rel = entrypoint_path(script, prefect_yaml)
    if rel is None:
        return DeploymentChange("outside", prefect_yaml, notes=[
            f"{script} is outside {prefect_yaml.parent}; no deployment added to "
            f"{prefect_yaml}"])
    info = flow_info(script_text, func_name)
    if info is None:  # cannot happen for a script nb2flow generated
        raise Nb2FlowError("NB2F014", f"no @flow function found in {script}",
                           Location(str(prefect_yaml)))
    previous = None
    if previous_text is not None and read_stamp(previous_text) is not None:
        previous = flow_info(previous_text, info.func_name) or flow_info(previous_text)

    old = prefect_yaml.read_text(encoding="utf-8")
    try:
        doc, style = yamlrt.load(old)
    except yamlrt.YamlSyntaxError as exc:
        raise Nb2FlowError("NB2F014", f"not valid YAML: {exc}; not updated",
                           _where(prefect_yaml, exc.line)) from None
    if doc is None:
        doc = yamlrt.block_map()
    if not isinstance(doc, dict):
        raise Nb2FlowError("NB2F014", "the top level is not a mapping; not updated",
                           _where(prefect_yaml, 1))
    change = _update(doc, prefect_yaml, rel, info, previous, options, settings)
    new = yamlrt.dump(doc, style)
    change.text = new
    change.problems = validate(prefect_yaml, new, {script.absolute(): script_text})
    if new == old:
        change.status = "unchanged"
        return change
    change.diff = unified_diff(prefect_yaml, old, new)
    if not write:
        change.status = {"created": "would-create", "updated": "would-update"}[change.status]
        return change
    write_atomic(prefect_yaml, new)
    return change


def _where(path: Path, line: int | None) -> Location:
    return Location(f"{path}:{line}" if line else str(path))


def _yaml_value(value: Any) -> Any:
    from .. import yamlrt

    if isinstance(value, (list, tuple)):
        items = [_yaml_value(v) for v in value]
        if all(not isinstance(v, (dict, list)) for v in items):
            return yamlrt.flow_seq(items)
        return yamlrt.block_seq(items)
    if isinstance(value, dict):
        return yamlrt.block_map({k: _yaml_value(v) for k, v in value.items()})
    if isinstance(value, (set, frozenset, complex, bytes)):
        return repr(value)
    return value


def _schedules(cron: str | None, interval: int | None, timezone: str | None) -> list:
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    from .. import yamlrt

    items = []
    if cron:
        items.append({"cron": DoubleQuotedScalarString(cron)})
    if interval:
        items.append({"interval": interval})
    for item in items:
        if timezone:
            item["timezone"] = timezone
    return [yamlrt.block_map(item) for item in items]


def _entry_file(entrypoint: Any) -> str | None:
    if not isinstance(entrypoint, str) or ":" not in entrypoint:
        return None
    return os.path.normpath(entrypoint.rsplit(":", 1)[0]).replace(os.sep, "/")


def _update(doc: Any, prefect_yaml: Path, rel: str, info: FlowInfo,
            previous: FlowInfo | None, options: DeployOptions,
            settings: Any) -> DeploymentChange:
    """Create or update the script's deployment in ``doc`` (edited in place)."""
    from .. import yamlrt

    deployments = _deployments(doc, prefect_yaml)
    given = options.name or getattr(settings, "deployment_name", None)
    name = given or info.name
    entrypoint = f"{rel}:{info.func_name}"
    mine = [d for d in deployments if isinstance(d, dict) and _entry_file(d.get("entrypoint"))
            == os.path.normpath(rel).replace(os.sep, "/")]
    for other in mine:  # a generated script has one flow: every entrypoint names it
        if other.get("entrypoint") != entrypoint:
            other["entrypoint"] = entrypoint
    dep = next((d for d in mine if d.get("name") == name), None)
    if dep is None and given is None and len(mine) == 1:
        dep = mine[0]  # nb2flow's deployment, renamed by the user
    change = DeploymentChange("updated", prefect_yaml, entrypoint=entrypoint,
                              flow_name=info.name)
    if dep is None and mine and given is None:
        names = ", ".join(repr(str(d.get("name"))) for d in mine)
        change.name = str(mine[0].get("name"))
        change.notes.append(
            f"deployments {names} run {rel}: nb2flow updated their entrypoints only; "
            "pass --deployment-name NAME to have it maintain one (or create NAME)")
        return change
    if dep is None:
        pool = options.pool or settings.work_pool
        yamlrt.append_item(deployments, _new_deployment(name, entrypoint, pool, info,
                                                        options, settings))
        change.status = "created"
        change.name, change.work_pool = name, pool
        return change
    change.name = str(dep.get("name"))
    _update_parameters(dep, info, previous, change)
    _apply_options(dep, options, change)
    return change


def _deployments(doc: Any, prefect_yaml: Path) -> Any:
    """The ``deployments:`` list of ``doc``, added when missing."""
    from ruamel.yaml.comments import CommentedSeq

    from .. import yamlrt

    deployments = doc.get("deployments")
    if deployments is None:
        deployments = doc["deployments"] = yamlrt.block_seq()
    if not isinstance(deployments, list):
        raise Nb2FlowError("NB2F014", "deployments: should be a list; not updated",
                           _where(prefect_yaml, yamlrt.line_of(doc, "deployments")))
    if isinstance(deployments, CommentedSeq):
        deployments.fa.set_block_style()  # `deployments: []` from init-project
    return deployments


def _new_deployment(name: str, entrypoint: str, pool: str, info: FlowInfo,
                    options: DeployOptions, settings: Any) -> Any:
    """A deployment as nb2flow creates it, from the options and ``[tool.nb2flow]``."""
    from .. import yamlrt

    dep = yamlrt.block_map({"name": name})
    if info.doc:
        dep["description"] = info.doc
    tags = options.tags or settings.tags
    if tags:
        dep["tags"] = yamlrt.flow_seq(list(dict.fromkeys(tags)))
    schedules = _schedules(*given_schedule(options, settings),
                           options.timezone or settings.timezone)
    if schedules:
        dep["schedules"] = yamlrt.block_seq(schedules)
    dep["entrypoint"] = entrypoint
    dep["parameters"] = yamlrt.block_map(
        {k: _yaml_value(v) for k, v in info.deployed.items()})
    dep["work_pool"] = yamlrt.block_map(
        {"name": pool, "work_queue_name": None, "job_variables": {}})
    return dep


def _update_parameters(dep: Any, info: FlowInfo, previous: FlowInfo | None,
                       change: DeploymentChange) -> None:
    """Parameters follow the notebook's defaults, except values edited by hand."""
    from ruamel.yaml.comments import CommentedMap

    from .. import yamlrt

    params = dep.get("parameters")
    if params is None:
        params = yamlrt.block_map()
        yamlrt.set_value(dep, "parameters", params)
    if not isinstance(params, dict):
        return
    if isinstance(params, CommentedMap) and not params:
        params.fa.set_block_style()
    old = previous.defaults if previous else {}
    wanted = info.deployed
    order = list(wanted)
    for key, default in wanted.items():
        if key not in params:  # placed before the next flow parameter already there
            following = [k for k in order[order.index(key) + 1:] if k in params]
            position = list(params).index(following[0]) if following else len(params)
            yamlrt.insert_key(params, position, key, _yaml_value(default))
        elif params[key] == default:
            continue
        elif key in old and params[key] == old[key]:
            params[key] = _yaml_value(default)
        else:
            change.notes.append(
                f"kept parameters.{key}: {params[key]!r} of deployment "
                f"'{change.name}' (edited by hand; the notebook's default is "
                f"{default!r})")
    for key in list(params):
        if key in wanted:
            continue
        if key in old and params[key] == old[key]:
            if key not in info.param_names or key in info.from_schedule:
                yamlrt.delete_key(params, key)
        elif key in info.from_schedule:
            change.notes.append(
                f"kept parameters.{key}: {params[key]!r} of deployment "
                f"'{change.name}': its scheduled runs use it instead of the month of "
                "their date; remove it to let the schedule choose")


def _apply_options(dep: Any, options: DeployOptions, change: DeploymentChange) -> None:
    """What an existing deployment takes from the command line: --pool, --tag, --cron and
    --interval."""
    from .. import yamlrt

    work_pool = dep.get("work_pool")
    if options.pool:
        if not isinstance(work_pool, dict):
            yamlrt.set_value(dep, "work_pool", yamlrt.block_map(
                {"name": options.pool, "work_queue_name": None, "job_variables": {}}))
        elif work_pool.get("name") != options.pool:
            if getattr(getattr(work_pool, "anchor", None), "value", None):
                # shared through a YAML anchor: change this deployment only
                yamlrt.set_value(dep, "work_pool",
                                 yamlrt.block_map({**work_pool, "name": options.pool}))
            else:
                work_pool["name"] = options.pool
    work_pool = dep.get("work_pool")
    change.work_pool = str(work_pool.get("name")) if isinstance(work_pool, dict) else ""
    if options.tags:
        tags = dep.get("tags")
        if isinstance(tags, list):
            tags.extend(t for t in dict.fromkeys(options.tags) if t not in tags)
        else:
            if tags:
                change.notes.append(f"replaced tags: {tags!r} of deployment "
                                    f"'{change.name}' (not a list)")
            yamlrt.set_value(dep, "tags", yamlrt.flow_seq(list(dict.fromkeys(options.tags))))
    if options.cron or options.interval:
        yamlrt.set_value(dep, "schedules", yamlrt.block_seq(
            _schedules(options.cron, options.interval, options.timezone)))
