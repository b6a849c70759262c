"""Check a prefect.yaml statically against Prefect's deployment schema (``validate``)."""

from __future__ import annotations

import ast
import difflib
from pathlib import Path
from typing import Any

from .flows import flows_in
from .model import (DEPLOYMENT_KEYS, SCHEDULE_KEYS, TOP_LEVEL_KEYS, WORK_POOL_KEYS, FlowInfo,
                    Problem)
from .schedule import check_cron, check_timezone


def validate(path: Path, text: str | None = None,
             sources: dict[Path, str] | None = None) -> list[Problem]:
    """Everything wrong with a prefect.yaml that ``prefect deploy`` would trip over.

    ``sources`` gives the text of scripts not written yet (absolute path -> text).
    """
    from .. import yamlrt

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

    _check_top_level(doc, report)
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
        _check_deployment(dep, label, path.parent, sources, report)
        entrypoint = dep.get("entrypoint")
        if isinstance(name, str) and isinstance(entrypoint, str):
            first = seen.setdefault((name, entrypoint), index)
            if first != index:
                report(deployments, index,
                       f"duplicate {label} for entrypoint {entrypoint!r} (first at line "
                       f"{yamlrt.line_of(deployments, first)}); Prefect keeps only the last "
                       "one: rename one")
    return problems


def _check_top_level(doc: dict, report: Any) -> None:
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


def _check_deployment(dep: dict, label: str, base: Path, sources: dict[Path, str],
                      report: Any) -> None:
    """One item of ``deployments:``: its keys, name, entrypoint, parameters, work pool,
    tags, schedules and steps."""
    for key in dep:
        if key == "schedule":
            empty = " (empty)" if not dep[key] else ""
            report(dep, key, f"{label}: legacy key 'schedule'{empty}: Prefect 3 reads "
                             "'schedules', a list (schedules: [{cron: \"0 6 * * *\"}])")
        elif key not in DEPLOYMENT_KEYS:
            report(dep, key, f"{label}: unknown key '{key}'"
                             f"{_suggest(key, DEPLOYMENT_KEYS)}; Prefect ignores it")
    name = dep.get("name")
    if not isinstance(name, str) or not name.strip():
        report(dep, "name" if "name" in dep else None, f"{label}: no name")
    entrypoint = dep.get("entrypoint")
    flow = None
    if entrypoint is None:
        report(dep, "entrypoint" if "entrypoint" in dep else None,
               f"{label}: missing entrypoint (path/to/script.py:flow_function)")
    else:
        why, flow = _check_entrypoint(entrypoint, base, sources)
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
