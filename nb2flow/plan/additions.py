"""What the options add to the script: imports, module-level helpers and ``@flow``
keywords (the task runner, the cache key, notifications)."""

from __future__ import annotations

from dataclasses import dataclass

from ..ir import Task
from ..options import ConvertOptions
from .helpers import helper
from .module import ModuleLevel, ScriptNames
from .tasks import TASK_RUNNERS


@dataclass(frozen=True)
class Additions:
    imports: tuple[str, ...]
    module_code: tuple[str, ...]  # after the notebook's module-level code
    flow_options: tuple[str, ...]


def additions(options: ConvertOptions, tasks: list[Task], helpers: tuple[str, ...],
              level: ModuleLevel, names: ScriptNames) -> Additions:
    extra: list[str] = []
    code = list(helpers)
    flow_options: list[str] = []
    if options.data_dir:
        extra.append("import os")
    if options.task_runner in TASK_RUNNERS:
        line, runner = TASK_RUNNERS[options.task_runner]
        extra += [line, "import os"]
        flow_options.append(f"task_runner={runner}")
    if any(t.cached for t in tasks):
        content_key = helper("content_key")
        extra += content_key.imports
        code.append(content_key.source)
        if options.cache_expiration:
            extra.append("from datetime import timedelta")
    if options.notify:
        from ..notify import notification_code

        taken = {names.flow_func, *(t.name for t in tasks),
                 *(s.facts.writes[0] for s in level.statements)}
        notification = notification_code(options.notify, options.notify_block,
                                         options.notify_to, taken=taken)
        extra += notification.imports
        code += notification.sources
        flow_options += notification.flow_options
    return Additions(tuple(extra), tuple(code), tuple(flow_options))
