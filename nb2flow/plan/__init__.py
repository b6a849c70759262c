"""Stage 4, plan: decide everything the script will contain, recorded in a
:class:`~nb2flow.ir.Flow`; the renderer only lays it out.

One module per concern, in the order :func:`plan` runs them: :mod:`.scope` (who binds
what), :mod:`.checks`, :mod:`.parameters`, :mod:`.module` (module-level code and the
script's own names), :mod:`.paths` and :mod:`.dates`, :mod:`.units` and :mod:`.naming`,
:mod:`.body` (:mod:`.dataflow`, :mod:`.effects`, :mod:`.tasks`, :mod:`.subflows`),
:mod:`.additions`, :mod:`.imports`, :mod:`.placements`.
"""

from __future__ import annotations

from ..ir import Classified, Flow
from ..options import ConvertOptions, defaults
from .additions import additions
from .body import flow_body
from .checks import check_defined, check_script_name, diagnose, require_code
from .imports import script_imports
from .module import hoisted_calls, module_code, module_level, script_names
from .naming import named_units
from .parameters import flow_parameters
from .paths import inline_paths
from .placements import placements_of
from .scope import scope_of

__all__ = ["check_defined", "check_script_name", "plan", "require_code"]


def plan(c: Classified, options: ConvertOptions | None = None, *, secrets: tuple = (),
         fingerprint: str = "") -> Flow:
    """The flow for the classified notebook ``c``; ``fingerprint``: its stamp's code hash,
    ``secrets``: where secrets were replaced."""
    options = options or defaults()
    nb, scope = c.notebook, scope_of(c)
    diagnostics = diagnose(c, scope)
    params, param_stmts = flow_parameters(c, scope, options)
    level = module_level(scope, param_stmts, {p.name for p in params})
    steps = inline_paths(scope, level, params, param_stmts, options, diagnostics)
    hoisted, task_fns = hoisted_calls(c, level, list(steps.statements))
    names = script_names(c, scope, level, set(steps.param_names), options, bool(steps.helpers))
    units = named_units(c, steps.statements, hoisted, names.reserved, options, scope.imports)
    tasks, body, subflows = flow_body(c, units, steps, level, names, options, scope.imports,
                                      diagnostics)
    code, fn_tasks = module_code(level, task_fns, options, names)
    extra = additions(options, fn_tasks + tasks, steps.helpers, level, names)
    return Flow(
        notebook=nb.path.name, code_hash=fingerprint or nb.code_hash,
        name=options.flow_name or names.flow_func.replace("_", "-"), func_name=names.flow_func,
        doc=c.title or nb.path.stem.replace("_", " ").replace("-", " ").capitalize(),
        description=c.description or "",
        imports=script_imports(scope, steps, level, tasks, extra.imports, names,
                               nb.path.parent),
        module_code=(*code, *extra.module_code), tasks=(*fn_tasks, *tasks),
        params=steps.params, body=tuple(body), dropped=tuple(c.dropped),
        diagnostics=tuple(diagnostics),
        pip_packages=tuple(c.pip_packages),
        placements=placements_of(scope, param_stmts, level, task_fns, units),
        subflows=tuple(subflows), flow_options=extra.flow_options,
        prelude=steps.prelude,
        flow_decorator="prefect.flow" if names.prefect_module else "flow",
        entry_point=names.entry_point, argparse=names.argparse, secrets=secrets,
        secrets_mode=options.secrets,
    )
