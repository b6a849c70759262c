"""prefect.yaml: find it, add or update the deployment of a generated flow, validate it.

``convert`` keeps one deployment per generated script in the nearest ``prefect.yaml``
(searched from the notebook's folder upward, stopping at the git root). The file is
edited as a round trip (:mod:`nb2flow.yamlrt`): comments, key order, anchors and every
deployment nb2flow did not create survive byte for byte.

What nb2flow owns in its deployment (the one whose entrypoint is the generated script):

- ``entrypoint``: always rewritten (``path/to/script.py:flow_function``, relative to the
  prefect.yaml folder).
- ``parameters``: a parameter is added with the notebook's default; a value still equal
  to the default nb2flow wrote last time (read from the previous script) follows the
  notebook; a value changed by hand is kept, and convert says so. A parameter the flow no
  longer has is removed when it still holds nb2flow's old default.
- ``name``, ``description``, ``tags``, ``schedules`` and ``work_pool`` are written when the
  deployment is created (from the options and ``[tool.nb2flow]``) and then belong to the
  user, except that an explicit ``--pool`` sets ``work_pool.name``, ``--tag`` adds tags and
  ``--cron``/``--interval`` replace ``schedules``. Keys the user adds are never touched.

:func:`validate` checks a prefect.yaml against the keys of Prefect 3.8's deployment
schema (``prefect/cli/deploy/_models.py``: ``PrefectYamlModel``, ``DeploymentConfig``,
``WorkPoolConfig``, ``RawScheduleConfig``), statically: entrypoints are parsed with
``ast``, cron strings checked with cronsim. Prefect is never imported.
"""

from __future__ import annotations

import ast
import difflib
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .errors import Location, Nb2FlowError
from .repo import find_upward
from .textdiff import unified_diff

PREFECT_YAML = "prefect.yaml"

#: ``PrefectYamlModel`` fields, plus ``definitions`` (where Prefect's docs put YAML anchors
#: shared by deployments) and ``description`` (written by Prefect's own recipes).
TOP_LEVEL_KEYS = ("name", "prefect-version", "description", "definitions", "build", "push",
                  "pull", "deployments")
#: ``DeploymentConfig`` fields; ``schedule`` (legacy) is reported on its own.
DEPLOYMENT_KEYS = ("name", "version", "version_type", "tags", "description", "schedules",
                   "paused", "concurrency_limit", "flow_name", "entrypoint", "parameters",
                   "enforce_parameter_schema", "build", "push", "pull", "work_pool",
                   "triggers", "sla")
WORK_POOL_KEYS = ("name", "work_queue_name", "job_variables")
#: ``RawScheduleConfig`` fields (``extra="forbid"`` in Prefect).
SCHEDULE_KEYS = ("cron", "interval", "rrule", "timezone", "anchor_date", "active",
                 "parameters", "slug", "replaces", "day_or")
CRON_MACROS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight",
               "@hourly")


# ----------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Problem:
    """One finding of :func:`validate`, printed as ``file:line: NB2F014 message``."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: NB2F014 {self.message}"


@dataclass(frozen=True)
class FlowInfo:
    """A flow function found statically in a script."""

    func_name: str
    name: str  # the flow's name in Prefect
    doc: str
    defaults: dict[str, Any]  # parameter -> default, for literal defaults
    param_names: tuple[str, ...]
    var_keyword: bool = False  # takes **kwargs: any parameter name is accepted
    from_schedule: tuple[str, ...] = ()  # year/month a scheduled run takes from its date

    @property
    def deployed(self) -> dict[str, Any]:
        """The defaults written into the deployment's parameters: all but those a
        scheduled run must not be given (it takes them from its scheduled time)."""
        return {k: v for k, v in self.defaults.items() if k not in self.from_schedule}


@dataclass(frozen=True)
class DeployOptions:
    """What convert's deployment options ask for; None/empty: not given."""

    name: str | None = None
    pool: str | None = None
    tags: tuple[str, ...] = ()
    cron: str | None = None
    interval: int | None = None
    timezone: str | None = None


@dataclass
class DeploymentChange:
    """What happened to prefect.yaml for one converted notebook.

    ``status``: created, updated, unchanged; with check/diff would-create, would-update;
    no-project (no prefect.yaml found), outside (the script is not under the
    prefect.yaml folder).
    """

    status: str
    path: Path | None = None  # the prefect.yaml
    name: str = ""  # deployment name
    entrypoint: str = ""
    work_pool: str = ""
    flow_name: str = ""
    text: str = ""
    diff: str = ""
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


# ----------------------------------------------------------------- flows, statically


def _is_flow_decorator(node: ast.expr) -> ast.Call | bool:
    target = node.func if isinstance(node, ast.Call) else node
    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", None)
    if name != "flow":
        return False
    return node if isinstance(node, ast.Call) else True


def flows_in(tree: ast.Module) -> dict[str, FlowInfo]:
    """Top-level functions decorated with ``@flow`` / ``@flow(...)`` / ``@prefect.flow``."""
    found: dict[str, FlowInfo] = {}
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        marks = [_is_flow_decorator(d) for d in node.decorator_list]
        if not any(marks):
            continue
        name = node.name.replace("_", "-")
        for mark in marks:
            if isinstance(mark, ast.Call):
                for kw in mark.keywords:
                    if kw.arg == "name" and isinstance(kw.value, ast.Constant) \
                            and isinstance(kw.value.value, str):
                        name = kw.value.value
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        defaults: dict[str, Any] = {}
        pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults))
        pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
        for arg, default in pairs:
            try:
                defaults[arg.arg] = ast.literal_eval(default)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                continue  # not a literal: Prefect uses the function's default
        doc = ast.get_docstring(node) or ""
        from_schedule: tuple[str, ...] = ()
        for stmt in node.body:  # year, month = scheduled_month(year, month): --date-params
            if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call) \
                    and getattr(stmt.value.func, "id", None) == "scheduled_month":
                from_schedule = tuple(a.id for a in stmt.value.args[:2]
                                      if isinstance(a, ast.Name))
        found[node.name] = FlowInfo(
            func_name=node.name, name=name, doc=doc.strip().split("\n\n")[0].strip(),
            defaults=defaults,
            param_names=tuple(a.arg for a in [*positional, *args.kwonlyargs]),
            var_keyword=args.kwarg is not None, from_schedule=from_schedule,
        )
    return found


def flow_info(source: str, func_name: str | None = None) -> FlowInfo | None:
    """The flow ``func_name`` of a script, or its main flow (the last one defined)."""
    try:
        flows = flows_in(ast.parse(source))
    except SyntaxError:
        return None
    if func_name is not None:
        return flows.get(func_name)
    return list(flows.values())[-1] if flows else None


# ----------------------------------------------------------------------------- finding


def find_prefect_yaml(start: Path) -> Path | None:
    """The nearest prefect.yaml from ``start`` upward; the search stops at a git root."""
    candidate = find_upward(start.absolute(), PREFECT_YAML)
    if candidate is None:
        return None
    try:  # shown in messages: relative to the current folder when inside it
        return candidate.relative_to(Path.cwd())
    except ValueError:
        return candidate


def entrypoint_path(script: Path, prefect_yaml: Path) -> str | None:
    """The script's path relative to the prefect.yaml folder (posix), None if outside."""
    base = prefect_yaml.parent
    for a, b in ((script.absolute(), base.absolute()), (script.resolve(), base.resolve())):
        try:
            return a.relative_to(b).as_posix()
        except ValueError:
            continue
    return None


# ----------------------------------------------------------------------------- options


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


def _schedule(options: DeployOptions, settings: Any) -> tuple[str | None, int | None]:
    """(cron, interval): the command line's schedule replaces the settings', never adds."""
    source = options if (options.cron or options.interval) else settings
    return getattr(source, "cron", None), getattr(source, "interval", None)


def check_options(options: DeployOptions, settings: Any = None) -> None:
    """Raise NB2F012 for an invalid --cron, --interval, --timezone or setting."""
    cron, interval = _schedule(options, settings)
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


# ------------------------------------------------------------------------------ update


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
    from .config import load_settings
    from .write import read_stamp, write_atomic

    settings = load_settings(notebook)
    check_options(options, settings)
    prefect_yaml = find_prefect_yaml(notebook.parent)
    if prefect_yaml is None:
        return DeploymentChange("no-project")
    from . import yamlrt  # ruamel.yaml: only with a prefect.yaml to edit
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
    from . import yamlrt

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

    from . import yamlrt

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
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    from . import yamlrt

    deployments = doc.get("deployments")
    if deployments is None:
        deployments = doc["deployments"] = yamlrt.block_seq()
    if not isinstance(deployments, list):
        raise Nb2FlowError("NB2F014", "deployments: should be a list; not updated",
                           _where(prefect_yaml, yamlrt.line_of(doc, "deployments")))
    if isinstance(deployments, CommentedSeq):
        deployments.fa.set_block_style()  # `deployments: []` from init-project
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
    pool = options.pool or settings.work_pool
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
        dep = yamlrt.block_map({"name": name})
        if info.doc:
            dep["description"] = info.doc
        tags = options.tags or settings.tags
        if tags:
            dep["tags"] = yamlrt.flow_seq(list(dict.fromkeys(tags)))
        schedules = _schedules(*_schedule(options, settings),
                               options.timezone or settings.timezone)
        if schedules:
            dep["schedules"] = yamlrt.block_seq(schedules)
        dep["entrypoint"] = entrypoint
        dep["parameters"] = yamlrt.block_map(
            {k: _yaml_value(v) for k, v in info.deployed.items()})
        dep["work_pool"] = yamlrt.block_map(
            {"name": pool, "work_queue_name": None, "job_variables": {}})
        yamlrt.append_item(deployments, dep)
        change.status = "created"
        change.name, change.work_pool = name, pool
        return change

    change.name = str(dep.get("name"))
    params = dep.get("parameters")
    if params is None:
        params = yamlrt.block_map()
        yamlrt.set_value(dep, "parameters", params)
    if isinstance(params, dict):
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
    return change


# ---------------------------------------------------------------------------- validate


def validate(path: Path, text: str | None = None,
             sources: dict[Path, str] | None = None) -> list[Problem]:
    """Everything wrong with a prefect.yaml that ``prefect deploy`` would trip over.

    ``sources`` gives the text of scripts not written yet (absolute path -> text).
    """
    from . import yamlrt

    sources = {p.absolute(): t for p, t in (sources or {}).items()}
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return [Problem(path, None, "file not found")]
        except (OSError, UnicodeDecodeError) as exc:
            return [Problem(path, None, f"cannot read: {exc}")]
    try:
        doc, _ = yamlrt.load(text)
    except yamlrt.YamlSyntaxError as exc:
        return [Problem(path, exc.line, f"not valid YAML: {exc}")]
    if doc is None:
        return [Problem(path, 1, "the file is empty; `nb2flow init-project` writes one")]
    if not isinstance(doc, dict):
        return [Problem(path, 1, "the top level should be a mapping (name, pull, "
                                 "deployments ...)")]
    problems: list[Problem] = []

    def report(node: Any, key: Any, message: str) -> None:
        problems.append(Problem(path, yamlrt.line_of(node, key), message))

    for key in doc:
        if key in TOP_LEVEL_KEYS:
            continue
        if key in DEPLOYMENT_KEYS or key == "schedule":
            report(doc, key, f"'{key}' at the top level: it belongs to a deployment (an "
                             "item of `deployments:`); Prefect ignores it here")
        else:
            report(doc, key, f"unknown top-level key '{key}'{_suggest(key, TOP_LEVEL_KEYS)}"
                             "; Prefect ignores it (put YAML anchors under `definitions:`)")
    for key in ("build", "push", "pull"):
        _check_steps(doc, key, key, report)
    deployments = doc.get("deployments")
    if deployments is not None and not isinstance(deployments, list):
        report(doc, "deployments", "deployments: should be a list of deployments")
        return problems
    seen: dict[tuple[str, str], int] = {}
    for index, dep in enumerate(deployments or []):
        if not isinstance(dep, dict):
            report(deployments, index, f"deployment #{index + 1} should be a mapping with "
                                       "name, entrypoint, work_pool ...")
            continue
        name = dep.get("name")
        label = f"deployment '{name}'" if isinstance(name, str) and name else \
            f"deployment #{index + 1}"
        for key in dep:
            if key == "schedule":
                empty = " (empty)" if not dep[key] else ""
                report(dep, key, f"{label}: legacy key 'schedule'{empty}: Prefect 3 reads "
                                 "'schedules', a list (schedules: [{cron: \"0 6 * * *\"}])")
            elif key not in DEPLOYMENT_KEYS:
                report(dep, key, f"{label}: unknown key '{key}'"
                                 f"{_suggest(key, DEPLOYMENT_KEYS)}; Prefect ignores it")
        if not isinstance(name, str) or not name.strip():
            report(dep, "name" if "name" in dep else None, f"{label}: no name")
        entrypoint = dep.get("entrypoint")
        flow = None
        if entrypoint is None:
            report(dep, "entrypoint" if "entrypoint" in dep else None,
                   f"{label}: missing entrypoint (path/to/script.py:flow_function)")
        else:
            why, flow = _check_entrypoint(entrypoint, path.parent, sources)
            if why:
                report(dep, "entrypoint", f"{label}: entrypoint {entrypoint!r}: {why}")
        _check_parameters(dep, label, flow, report)
        _check_work_pool(dep, label, report)
        tags = dep.get("tags")
        if tags is not None and not isinstance(tags, (list, str)):
            report(dep, "tags", f"{label}: tags should be a list")
        _check_schedules(dep, label, report)
        for key in ("build", "push", "pull"):
            _check_steps(dep, key, f"{label}: {key}", report)
        if isinstance(name, str) and isinstance(entrypoint, str):
            first = seen.setdefault((name, entrypoint), index)
            if first != index:
                report(deployments, index,
                       f"duplicate {label} for entrypoint {entrypoint!r} (first at line "
                       f"{yamlrt.line_of(deployments, first)}); Prefect keeps only the last "
                       "one: rename one")
    return problems


def _suggest(key: Any, known: tuple[str, ...]) -> str:
    text = str(key)
    close = difflib.get_close_matches(text.replace("-", "_").lower(), known, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _templated(value: Any) -> bool:
    return isinstance(value, str) and "{{" in value


def _check_steps(node: dict, key: str, label: str, report: Any) -> None:
    steps = node.get(key)
    if steps is None or _templated(steps):
        return
    if isinstance(steps, dict):
        steps = [steps]
    if not isinstance(steps, list):
        report(node, key, f"{label}: should be a list of steps (or null)")
        return
    for i, step in enumerate(steps):
        if not isinstance(step, dict):
            report(node, key, f"{label}: step #{i + 1} should be a mapping "
                              "`- prefect.deployments.steps.NAME: {...}`")


def _check_entrypoint(value: Any, base: Path,
                      sources: dict[Path, str]) -> tuple[str | None, FlowInfo | None]:
    if not isinstance(value, str):
        return "should be a string path/to/script.py:flow_function", None
    if _templated(value) or ":" not in value:
        return None, None  # a template, or a module path Prefect imports at deploy time
    file_part, func = value.rsplit(":", 1)
    file = Path(file_part) if Path(file_part).is_absolute() else base / file_part
    if not func:
        return "no function after ':' (path/to/script.py:flow_function)", None
    text = sources.get(file.absolute())
    if text is None:
        if not file.is_file():
            return f"{file_part} does not exist (relative to {base})", None
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            return f"cannot read {file_part}: {exc}", None
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        return f"{file_part} line {exc.lineno}: syntax error: {exc.msg}", None
    if "." in func:  # Class.method
        cls = func.split(".")[0]
        if not any(isinstance(n, ast.ClassDef) and n.name == cls for n in tree.body):
            return f"no class {cls} in {file_part}", None
        return None, None
    flows = flows_in(tree)
    if func in flows:
        return None, flows[func]
    defined = {n.name for n in tree.body
               if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    hint = f"; flows there: {', '.join(flows)}" if flows else ""
    if func in defined:
        return f"{func} in {file_part} is not decorated with @flow{hint}", None
    return f"{file_part} has no flow function {func}{hint}", None


def _check_parameters(dep: dict, label: str, flow: FlowInfo | None, report: Any) -> None:
    params = dep.get("parameters")
    if params is None:
        return
    if not isinstance(params, dict):
        report(dep, "parameters", f"{label}: parameters should be a mapping name: value")
        return
    if flow is None or flow.var_keyword:
        return
    for key in params:
        if key not in flow.param_names:
            report(params, key, f"{label}: parameter '{key}' is not a parameter of flow "
                                f"function {flow.func_name}"
                                f"{_suggest(key, flow.param_names)}")


def _check_work_pool(dep: dict, label: str, report: Any) -> None:
    pool = dep.get("work_pool")
    if pool is None or _templated(pool):
        return
    if not isinstance(pool, dict):
        report(dep, "work_pool", f"{label}: work_pool should be a mapping with name, "
                                 "work_queue_name, job_variables")
        return
    for key in pool:
        if key not in WORK_POOL_KEYS:
            report(pool, key, f"{label}: unknown key work_pool.{key}"
                              f"{_suggest(key, WORK_POOL_KEYS)}; Prefect ignores it")
    name = pool.get("name")
    if name is not None and not isinstance(name, str):
        report(pool, "name", f"{label}: work_pool.name should be a string")
    variables = pool.get("job_variables")
    if variables is not None and not isinstance(variables, dict) and not _templated(variables):
        report(pool, "job_variables", f"{label}: work_pool.job_variables should be a mapping")


def _check_schedules(dep: dict, label: str, report: Any) -> None:
    schedules = dep.get("schedules")
    if schedules is None:
        return
    if not isinstance(schedules, list):
        report(dep, "schedules", f"{label}: schedules should be a list (- cron: ...)")
        return
    for i, item in enumerate(schedules):
        where = f"{label}: schedules[{i}]"
        if not isinstance(item, dict):
            report(schedules, i, f"{where} should be a mapping with cron, interval or rrule")
            continue
        if "schedule" in item:  # DeploymentScheduleCreate form: {schedule: {...}, active}
            continue
        for key in item:
            if key not in SCHEDULE_KEYS:
                report(item, key, f"{where}: unknown key '{key}'"
                                  f"{_suggest(key, SCHEDULE_KEYS)}")
        kinds = [k for k in ("cron", "interval", "rrule") if item.get(k) is not None]
        if len(kinds) != 1:
            report(schedules, i, f"{where}: give exactly one of cron, interval or rrule"
                                 + (f" (found {', '.join(kinds)})" if kinds else ""))
        cron = item.get("cron")
        if cron is not None and not _templated(cron) and (why := check_cron(cron)):
            report(item, "cron", f"{where}: invalid cron {cron!r}: {why}")
        interval = item.get("interval")
        if interval is not None and not _templated(interval):
            if isinstance(interval, bool) or (
                    isinstance(interval, (int, float)) and interval <= 0):
                report(item, "interval", f"{where}: interval should be a number of seconds "
                                         "> 0")
            elif not isinstance(interval, (int, float, str)):
                report(item, "interval", f"{where}: interval should be a number of seconds "
                                         "or an ISO 8601 duration")
        timezone = item.get("timezone")
        if timezone is not None and not _templated(timezone) \
                and (why := check_timezone(timezone)):
            report(item, "timezone", f"{where}: {why}")

