"""Stage 4: decide the shape of the script: parameters, module code, tasks and the flow.

Everything the script will contain is decided here and recorded in a :class:`Flow`; the
renderer only lays it out.
"""

from __future__ import annotations

import ast
import keyword
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

import libcst as cst

from .analyze import BUILTINS, analyze, call_io, call_name, tree_io
from .classify import code_of
from .concurrency import CallEffects, schedule
from .errors import Location, Nb2FlowError
from .ir import (
    IMPORT,
    Call,
    Classified,
    Diagnostic,
    Flow,
    Param,
    Placement,
    Statement,
    Subflow,
    Task,
)
from .load import TAG_PREFIX
from .options import ConvertOptions, defaults
from .rules import PATH_SUFFIXES

_STOPWORDS = {"the", "a", "an", "of", "and", "our", "my", "to", "for", "with", "some"}
_SMALL_LINES = 2  # a unit with fewer code lines than this joins a neighbour


TASK_RUNNERS = {
    "dask": ("from prefect_dask import DaskTaskRunner",
             'DaskTaskRunner(address=os.environ.get("DASK_SCHEDULER_ADDRESS"))'),
    "ray": ("from prefect_ray import RayTaskRunner",
            'RayTaskRunner(address=os.environ.get("RAY_ADDRESS"))'),
}


def task_decorator(retries: bool, cache: bool, expiration: str | None) -> str:
    kwargs = []
    if retries:
        kwargs.append("retries=3, retry_delay_seconds=2")
    if cache:
        kwargs.append("cache_key_fn=content_key, persist_result=True")
        if expiration:
            number, unit = int(expiration[:-1]), expiration[-1]
            word = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[unit]
            kwargs.append(f"cache_expiration=timedelta({word}={number})")
    return f"task({', '.join(kwargs)})" if kwargs else "task"


@dataclass
class _Unit:
    key: tuple
    title: str | None  # heading text or tag name
    from_tag: bool
    statements: list[Statement] = field(default_factory=list)
    call: Statement | None = None  # a hoisted call of a task function
    name: str = ""  # the task function's name, set by _name_units

    def lines(self) -> int:
        return sum(_code_lines(s) for s in self.statements)


def _code_lines(s: Statement) -> int:
    """Non-blank, non-comment lines of a statement (cached: merges ask again and again)."""
    if s.line_count is None:
        s.line_count = sum(1 for ln in code_of(s.node).splitlines()
                           if ln.strip() and not ln.strip().startswith("#"))
    return s.line_count


def plan(c: Classified, options: ConvertOptions | None = None, *, script: str = "",
         secrets: tuple = (), fingerprint: str = "") -> Flow:
    options = options or defaults()
    nb = c.notebook
    diagnostics = list(c.diagnostics)
    stmts = c.statements
    imports = [s for s in stmts if s.role == IMPORT]
    code = [s for s in stmts if s.role != IMPORT]

    import_names = {n for s in imports for n in s.facts.writes}
    write_count: dict[str, int] = {}
    mutated: set[str] = set()
    for s in code:
        for n in s.facts.writes:
            write_count[n] = write_count.get(n, 0) + 1
        mutated.update(s.facts.mutates)
    all_written = set(write_count) | import_names | {
        g for s in code for g in s.facts.declares_global
    }
    _check_defined(c, code, all_written, diagnostics)
    shadowed = _shadowed_module(script, stmts)
    for s in imports:
        if s.facts.star_import:
            diagnostics.append(Diagnostic(
                "NB2W002", f"`{code_of(s.node).strip()}` kept at module level; names it "
                "provides are not tracked", s.cell, s.line))

    # -- parameters -------------------------------------------------------------
    params, param_stmts = _parameters(c, code, write_count, mutated, options)
    param_names = {p.name for p in params}
    asked = [n for n in options.params if n not in param_names]
    if asked:  # --param NAME or [tool.nb2flow] parameters naming nothing usable
        name = asked[0]
        why = (
            "no cell assigns it" if not any(_target(s) == name for s in code)
            else "the notebook changes it in place" if name in mutated
            else "it is assigned more than once" if write_count.get(name, 0) > 1
            else "its value is not a literal (str, int, float, bool, short list)"
        )
        raise Nb2FlowError(
            "NB2F012", f"parameter `{name}` (--param or [tool.nb2flow] parameters): {why}",
            Location(str(nb.path)),
        )

    # -- module-level constants, functions and classes --------------------------
    constants = [
        s for s in code
        if s.is_literal and s not in param_stmts and write_count.get(_target(s), 0) == 1
        and _target(s) not in mutated and _target(s) not in param_names
    ]
    module_names = set(import_names) | {_target(s) for s in constants}
    defs = [
        s for s in code
        if isinstance(s.node, (cst.FunctionDef, cst.ClassDef))
        and write_count.get(s.facts.writes[0], 0) == 1
    ]
    unknown = {n for s in code for n in s.facts.reads} - all_written
    module_defs = _module_defs(defs, module_names, unknown, constants)
    module_names |= {s.facts.writes[0] for s in module_defs}
    module_set = set(map(id, constants)) | set(map(id, module_defs)) | set(map(id, param_stmts))

    # -- inline paths become parameters ------------------------------------------
    steps_src = [s for s in code if id(s) not in module_set]
    taken = all_written | BUILTINS | set(keyword.kwlist)
    path_params = _path_parameters(steps_src, taken | param_names)
    for p in path_params:
        params.append(p)
    param_names |= {p.name for p in path_params}
    replacements = {p.default: p.name for p in path_params}
    if replacements:
        steps_src = [_replace_literals(s, replacements) for s in steps_src]
    path_values = {p.name: p.default for p in params if isinstance(p.default, str)}
    prelude: list[str] = []
    helpers: list[str] = []
    templated: list[Param] = []  # path parameters now computed from year and month
    if options.date_params:
        before = params
        params, prelude, helpers = _date_parameters(params, path_params, taken | param_names,
                                                    diagnostics, options.scheduled_month)
        templated = [p for p in before if p not in params]
    if options.data_dir:
        params, lines, helper = _data_dir(params, path_params, taken | param_names, templated)
        prelude += lines
        helpers += helper

    # -- which notebook functions become tasks ----------------------------------
    module_fn_names = {
        s.facts.writes[0] for s in module_defs
        if isinstance(s.node, cst.FunctionDef) and not _is_generator(s)
    }
    tagged = {
        cell for cell, tags in c.cell_tags.items()
        if any(t.startswith(f"{TAG_PREFIX}task=") for t in tags)
    }
    hoisted = {
        id(s) for s in steps_src if s.cell not in tagged and _hoistable(s, module_fn_names)
    }
    task_fns = {_called(s) for s in steps_src if id(s) in hoisted}

    # -- units of work ----------------------------------------------------------
    steps_src, anchors = _define_before_use(steps_src)
    units = _units(c, steps_src, hoisted, anchors)
    units = _merge_small(units)
    clashes = _template_clashes(imports, constants, module_defs)
    entry_point = "main"
    if "main" in clashes:  # a notebook function main: the CLI entry point is renamed
        entry_point = _unique("cli_main", taken | param_names | module_names)
    argparse_name = "argparse"
    if "argparse" in clashes:
        argparse_name = _unique("cli_argparse", taken | param_names | module_names)
    prefect_module = bool(clashes & {"flow", "task"})  # @prefect.flow, @prefect.task
    reserved = taken | param_names | module_names | _TEMPLATE_NAMES | {entry_point,
                                                                       argparse_name}
    _name_units(units, reserved)
    if options.task_runner in TASK_RUNNERS:  # tasks run in other processes
        _replicate_process_config(units, imports)

    # -- dataflow ---------------------------------------------------------------
    flow_base = _snake(options.flow_name or nb.path.stem) or "pipeline"
    flow_func = _unique(flow_base, reserved,
                        suffix="_pipeline" if flow_base == "flow" else "_flow")
    reserved |= {"year_month", "scheduled_month", "resolve_path"} if helpers else set()
    reserved |= {"content_key", "_content"} if options.cache else set()
    sections = _sections(c, units)
    flow_vars = {p.name for p in params} | {line.split(" = ", 1)[0] for line in prelude}
    tasks, body = _dataflow(units, flow_vars, module_names | unknown, path_values, sections,
                            _pyplot_alias(imports))
    distributed = options.task_runner in TASK_RUNNERS
    if (distributed or not options.sequential) and not options.subflows:
        functions = {}
        for d in module_defs:
            reads, writes = tree_io(_tree(d))
            functions[d.facts.writes[0]] = (
                reads or _uses_random(d), writes or bool(d.facts.declares_global))
        state = {g for d in module_defs for g in d.facts.declares_global}
        effects = [_effects(u, body_call, param_names, c.import_names, functions, state)
                   for u, body_call in zip(units, body)]
        body = schedule(body, effects, reserved | {flow_func} | {t.name for t in tasks},
                        submit_all=distributed)
    by_name = {u.name: u for u in units if u.call is None}
    tasks = [_decorate(t, options, by_name, c.import_names) for t in tasks]
    if prefect_module:
        tasks = [replace(t, decorator=f"prefect.{t.decorator}") for t in tasks]
    subflows: list[Subflow] = []
    if options.subflows:
        subflows, body = _subflows(body, reserved | {flow_func} | {t.name for t in tasks})
        if not subflows:
            diagnostics.append(Diagnostic(
                "NB2W007", "--subflows: the notebook has no top-level (#) sections holding "
                "steps; the flow has no subflows"))

    module_code: list[str] = []
    fn_tasks: list[Task] = []
    previous_constant = False
    for s in sorted(constants + module_defs, key=lambda s: (s.cell, s.line)):
        name = s.facts.writes[0]
        if name in task_fns:
            fn_tasks.append(_function_task(s, options, "prefect." if prefect_module else ""))
            continue
        code = _strip_blank(code_of(_trim_leading_blank(s.node, keep_one=False)))
        if s.is_literal and previous_constant:  # consecutive constants stay together
            module_code[-1] += "\n" + code
        else:
            module_code.append(code)
        previous_constant = s.is_literal
    used = set()
    for s in [*steps_src, *constants, *module_defs]:
        used.update(s.facts.reads)
    if any("Path(" in t.body for t in tasks):
        used.add("Path")
    extra: list[str] = []
    flow_options: list[str] = []
    module_code += helpers
    if options.data_dir:
        extra.append("import os")
    if options.task_runner in TASK_RUNNERS:
        line, runner = TASK_RUNNERS[options.task_runner]
        extra += [line, "import os"]
        flow_options.append(f"task_runner={runner}")
    all_tasks = fn_tasks + tasks
    if any(t.cached for t in all_tasks):
        extra += ["import hashlib", "import inspect",
                  "from prefect.utilities.hashing import hash_objects"]
        module_code.append(_CONTENT_KEY)
        if options.cache_expiration:
            extra.append("from datetime import timedelta")
    if options.notify:
        from .notify import notification_code

        names = {flow_func, *(t.name for t in all_tasks),
                 *(s.facts.writes[0] for s in constants + module_defs)}
        code = notification_code(options.notify, options.notify_block, options.notify_to,
                                 taken=names)
        extra += code.imports
        module_code += code.sources
        flow_options += code.flow_options
    import_lines = _imports(imports, used, nb.path.parent, extra, prefect_module,
                            argparse_name)
    placements = _placements(imports, params, param_stmts, path_params, constants,
                             module_defs, task_fns, units)
    title = c.title or nb.path.stem.replace("_", " ").replace("-", " ").capitalize()
    return Flow(
        notebook=nb.path.name,
        code_hash=fingerprint or nb.code_hash,
        name=options.flow_name or flow_func.replace("_", "-"),
        func_name=flow_func,
        doc=title,
        description=c.description or "",
        imports=tuple(import_lines),
        module_code=tuple(module_code),
        tasks=tuple(all_tasks),
        params=tuple(params),
        body=tuple(body),
        dropped=tuple(c.dropped),
        diagnostics=(*diagnostics, *_shadowing(script, shadowed)),
        pip_packages=tuple(c.pip_packages),
        placements=placements,
        subflows=tuple(subflows),
        flow_options=tuple(flow_options),
        task_runner=options.task_runner,
        prelude=tuple(prelude),
        flow_decorator="prefect.flow" if prefect_module else "flow",
        entry_point=entry_point,
        argparse=argparse_name,
        secrets=secrets,
        secrets_mode=options.secrets,
    )


def require_code(c: Classified) -> None:
    """NB2F007 when nothing but imports is left."""
    if not any(s.role != IMPORT for s in c.statements):
        raise Nb2FlowError(
            "NB2F007", "no code is left after removing plots, displays and magics",
            Location(str(c.notebook.path)),
        )


def _shadowed_module(script: str, statements: list[Statement]) -> str | None:
    """The module a script named ``script`` would hide: the standard library's, one the
    notebook imports, or prefect (every script imports it)."""
    stem = script.removesuffix(".py")
    imported = {"prefect"}
    for s in statements:
        if isinstance(s.tree, ast.Import):
            imported |= {a.name.split(".")[0] for a in s.tree.names}
        elif isinstance(s.tree, ast.ImportFrom) and s.tree.module and not s.tree.level:
            imported.add(s.tree.module.split(".")[0])
    if stem and (stem in imported or stem in sys.stdlib_module_names):
        return stem
    return None


def _shadowing(script: str, shadowed: str | None) -> tuple[Diagnostic, ...]:
    if not shadowed:
        return ()
    return (Diagnostic(
        "NB2W010", f"the script {script} has the name of the module `{shadowed}`: "
        f"`python {script}` puts its folder first on sys.path, so `import "
        f"{shadowed}` (here or inside a library) finds the script; rename the notebook "
        "or pass -o"),)


_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})(?!\d)")
_YEAR_MONTH = '''def year_month(year: int, month: int, offset: int = 0) -> str:
    """The month ``offset`` months after ``year``-``month``, as ``YYYY-MM``."""
    index = year * 12 + month - 1 + offset
    return f"{index // 12:04d}-{index % 12 + 1:02d}"'''
#: A run that a deployment's schedule started (Prefect tags it ``auto-scheduled``) without
#: year and month parameters takes them from its scheduled time; any other run keeps
#: the values it was given, or the notebook's. ``@@YEAR@@``/``@@MONTH@@``: the names.
_SCHEDULED_MONTH = '''def scheduled_month(@@YEAR@@: int, @@MONTH@@: int, offset: int = -1) -> tuple[int, int]:
    """``@@YEAR@@`` and ``@@MONTH@@``, except in a run that a deployment's schedule started
    without them: then the month ``offset`` months from the run's scheduled time (UTC),
    -1 for the month before it, 0 for its own month."""
    from prefect.context import get_run_context

    # the run as it was created: its tags, and only the parameters it was given
    run = get_run_context().flow_run
    given = {"@@YEAR@@", "@@MONTH@@"} & set(run.parameters)
    if "auto-scheduled" not in run.tags or given:
        return @@YEAR@@, @@MONTH@@
    when = run.expected_start_time
    @@YEAR@@, @@MONTH@@ = divmod(when.year * 12 + when.month - 1 + offset, 12)
    print(f"run scheduled at {when:%Y-%m-%d %H:%M %Z}: data of {@@YEAR@@}-{@@MONTH@@ + 1:02d}")
    return @@YEAR@@, @@MONTH@@ + 1'''
#: The cache key of ``--cache``: Prefect's INPUTS hashes a DataFrame or a sparse matrix by
#: its pickle, which differs between equal values (a copy, a value read back from the
#: result store), so a re-run would miss the cache. This hashes them by content. It is a
#: ``cache_key_fn`` on its own, not combined with TASK_SOURCE: a compound policy drops a
#: part that returns None and would then cache on the source alone.
_CONTENT_KEY = '''def content_key(context, parameters):
    """Cache key from the task's source and its inputs by value: DataFrames, arrays and
    sparse matrices are hashed by content, so equal data gives the same key in every run.
    None (no caching) when an input cannot be hashed."""
    try:
        source = inspect.getsource(context.task.fn).encode()
    except (OSError, TypeError):
        source = context.task.fn.__code__.co_code
    digest = hashlib.sha256(source)
    for name, value in sorted(parameters.items()):
        part = _content(value)
        if part is None:  # a value that cannot be hashed: do not cache
            return None
        digest.update(name.encode() + b"=" + part)
    return digest.hexdigest()


def _content(value):
    package = type(value).__module__.split(".")[0]
    try:
        if package == "pandas" and hasattr(value, "index"):
            from pandas.util import hash_pandas_object

            names = value.columns if hasattr(value, "columns") else value.name
            head = repr((type(value).__name__, names))
            types = str(value.dtypes)
            rows = hash_pandas_object(value, index=True).to_numpy().tobytes()
            return (head + types).encode() + rows
        if package == "numpy" and getattr(value, "dtype", None) is not None:
            if value.dtype.hasobject:
                return hash_objects(value.tolist(), raise_on_failure=True).encode()
            head = repr((value.shape, str(value.dtype))).encode()
            return head + value.tobytes(order="C")
        if package == "scipy" and hasattr(value, "tocsr"):
            matrix = value.tocsr(copy=True)
            matrix.sum_duplicates()
            matrix.sort_indices()
            parts = (matrix.data, matrix.indices, matrix.indptr)
            head = repr((matrix.shape, str(matrix.dtype))).encode()
            return head + b"".join(part.tobytes() for part in parts)
        if isinstance(value, (list, tuple)):
            parts = [_content(item) for item in value]
            return None if None in parts else repr(len(parts)).encode() + b"|".join(parts)
        key = hash_objects(value, raise_on_failure=True)
        return key.encode()
    except Exception:  # noqa: BLE001 - unhashable: no cache key
        return None'''

_RESOLVE = '''def resolve_path(data_dir: str, path: str) -> str:
    """A relative local path, taken relative to ``data_dir``; URLs and absolute paths as is."""
    if "://" in path or os.path.isabs(path):
        return path
    return os.path.join(data_dir, path)'''


def _date_parameters(
    params: list[Param], path_params: list[Param], taken: set[str], diagnostics: list,
    scheduled: str = "previous",
) -> tuple[list[Param], list[str], list[str]]:
    """Paths that differ only by a ``YYYY-MM`` date become ``year``/``month`` parameters.

    A run started by a schedule takes them from its scheduled time (``scheduled``: the
    ``previous`` month or the ``current`` one) unless it was given them.
    """
    dated = [p for p in params if _is_path_param(p, path_params)
             and len(_DATE.findall(p.default)) == 1]
    templates = {_DATE.sub("{}", p.default) for p in dated}
    if not dated or len(templates) != 1:
        diagnostics.append(Diagnostic(
            "NB2W008", "--date-params: no path parameters that differ only by a YYYY-MM date"))
        return params, [], []
    dates = [tuple(map(int, _DATE.search(p.default).groups())) for p in dated]
    year, month = min(dates)
    first = dated[0]
    new_params = [
        Param(_unique("year", taken), "int", year, repr(year), "year of the data", first.cell,
              first.line),
        Param(_unique("month", taken), "int", month, repr(month), "month of the data (1-12)",
              first.cell, first.line),
    ]
    y, m = new_params[0].name, new_params[1].name
    offset = "" if scheduled == "previous" else ", 0"
    prelude = [f"{y}, {m} = scheduled_month({y}, {m}{offset})"]
    for p, (py, pm) in zip(dated, dates):
        offset = (py * 12 + pm) - (year * 12 + month)
        call = f"year_month({y}, {m}, {offset})" if offset else f"year_month({y}, {m})"
        before, after = _DATE.split(p.default, maxsplit=1)[0], _DATE.split(p.default)[-1]
        text = (before + "{" + call + "}" + after).replace('"', '\\"')
        prelude.append(f'{p.name} = f"{text}"')
    kept = [p for p in params if p not in dated]
    index = params.index(dated[0])
    kept[index:index] = new_params
    helper = _SCHEDULED_MONTH.replace("@@YEAR@@", y).replace("@@MONTH@@", m)
    return kept, prelude, [_YEAR_MONTH, helper]


def _is_path_param(p: Param, path_params: list[Param]) -> bool:
    """An inline path literal, or a variable (``train_path = "data/x.parquet"``) whose
    default looks like a file path."""
    return (p in path_params or p.type == "str") and _looks_like_path(p.default)


def _data_dir(
    params: list[Param], path_params: list[Param], taken: set[str],
    templated: list[Param] = (),
) -> tuple[list[Param], list[str], list[str]]:
    """A ``data_dir`` parameter that relative path parameters are resolved against."""
    local = sorted(
        (p for p in [*params, *templated] if _is_path_param(p, path_params)
         and "://" not in p.default and not p.default.startswith("/")),
        key=lambda p: (p.cell, p.line),
    )
    if not local:
        return params, [], []
    name = _unique("data_dir", taken)
    lines = [f"{p.name} = resolve_path({name}, {p.name})" for p in local]
    param = Param(name, "str", ".", "'.'", "folder that relative paths are read from and "
                  "written to", local[0].cell, local[0].line)
    return [*params, param], lines, [_RESOLVE]


def _decorate(t: Task, options: ConvertOptions, units: dict[str, _Unit],
              modules: set[str]) -> Task:
    """Retries for I/O; caching only where a cache hit cannot skip an effect."""
    unit = units[t.name]
    effects = _effects(unit, Call(t.name, t.inputs, t.outputs), set(), modules)
    cached = options.cache and not effects.writes_outside and not any(
        s.secret for s in unit.statements  # a persisted result would hold the secret
    )
    return replace(t, decorator=task_decorator(t.retries, cached, options.cache_expiration),
                   cached=cached)


def _effects(u: _Unit, call: Call, params: set[str], modules: set[str],
             functions: dict[str, tuple[bool, bool]] | None = None,
             state: set[str] = frozenset()) -> CallEffects:
    """What the scheduler must respect; ``state``: module names that functions change
    through ``global``, so reading them depends on when those functions ran."""
    if u.call is not None:  # a notebook function: it may change any argument in place
        body_reads, body_writes = (functions or {}).get(call.func, (True, True))
        return CallEffects(
            mutates=frozenset(a for a in call.args if a not in params),
            reads_outside=u.call.facts.reads_io or body_reads or _uses_random(u.call),
            # called only for its effect (`simulate()`), or its body writes or has globals
            writes_outside=u.call.facts.writes_io or body_writes
            or isinstance(_tree(u.call), ast.Expr),
        )
    mutated = {m for s in u.statements for m in s.facts.mutates} & set(call.args)
    unknown = any(
        isinstance(s.tree, ast.Expr) and isinstance(s.tree.value, ast.Call)
        and not set(s.facts.writes) - modules
        and call_name(s.tree.value) != "print"
        for s in u.statements
    )
    touches_state = any(set(s.facts.reads) & state for s in u.statements)
    return CallEffects(
        mutates=frozenset(mutated),
        reads_outside=touches_state
        or any(s.facts.reads_io or _uses_random(s) for s in u.statements),
        writes_outside=unknown or any(s.facts.writes_io for s in u.statements)
        or any(set(s.facts.writes) & state for s in u.statements),
    )


def _uses_random(s: Statement) -> bool:
    return any(
        isinstance(n, ast.Attribute) and n.attr in ("random", "seed", "manual_seed")
        or isinstance(n, ast.Name) and n.id == "random"
        for n in ast.walk(_tree(s))
    )


def _placements(imports, params, param_stmts, path_params, constants, module_defs, task_fns,
                units) -> tuple[Placement, ...]:
    out = [Placement(s.cell, s.line, "import") for s in imports]
    out += [Placement(s.cell, s.line, "parameter", _target(s)) for s in param_stmts]
    for s in [*constants, *module_defs]:
        name = s.facts.writes[0]
        out.append(Placement(s.cell, s.line, "task" if name in task_fns else "module", name))
    for u in units:
        if u.call is not None:
            out.append(Placement(u.call.cell, u.call.line, "flow", _called(u.call)))
        else:
            out += [Placement(s.cell, s.line, "task", u.name) for s in u.statements]
    return tuple(sorted(out, key=lambda p: (p.cell, p.line)))


def _sections(c: Classified, units: list[_Unit]) -> list[str]:
    """The top-level (``#``) heading each unit sits under, if any."""
    tops = [h for h in c.headings if h.level == min((x.level for x in c.headings), default=1)]
    levels = {h.level for h in c.headings}
    if len(levels) < 2:  # no hierarchy: sections would be the steps themselves
        return ["" for _ in units]
    out = []
    for u in units:
        cell = (u.call or u.statements[0]).cell
        current = ""
        for h in tops:
            if h.cell <= cell:
                current = h.text
        out.append(current)
    return out


def _subflows(body: list[Call], reserved: set[str]) -> tuple[list[Subflow], list[Call]]:
    groups: list[tuple[str, list[int]]] = []
    for i, call in enumerate(body):
        if groups and groups[-1][0] == call.section:
            groups[-1][1].append(i)
        else:
            groups.append((call.section, [i]))
    if sum(1 for section, _ in groups if section) < 2:
        return [], body
    subflows: list[Subflow] = []
    new_body: list[Call] = []
    used: set[str] = set()
    for section, indexes in groups:
        calls = [body[i] for i in indexes]
        if not section:
            new_body.extend(calls)
            continue
        inputs: list[str] = []
        produced: set[str] = set()
        for call in calls:
            inputs += [a for a in call.args if a not in produced and a not in inputs]
            produced.update(call.targets)
        later = {a for call in body[indexes[-1] + 1:] for a in call.args}
        outputs = [n for n in dict.fromkeys(t for call in calls for t in call.targets)
                   if n in later]
        func = _unique(_snake(section, drop_stopwords=True) or "section", reserved | used,
                       suffix="_flow")
        used.add(func)
        subflows.append(Subflow(func.replace("_", "-"), func, section.rstrip(".") + ".",
                                tuple(inputs), tuple(outputs), tuple(calls)))
        call = f"{func}({', '.join(inputs)})"
        new_body.append(Call(func, tuple(inputs), tuple(outputs),
                             f"{', '.join(outputs)} = {call}" if outputs else call, section))
    return subflows, new_body


_IPYTHON_NAMES = {"In", "Out", "_", "__", "___", "exit", "quit", "get_ipython", "display",
                  "__name__", "__builtins__"}


def check_defined(c: Classified) -> None:
    """NB2F017 for a name no cell defines, checked before pruning (``del x`` of a name
    never defined fails in the notebook even if pruning would drop the statement)."""
    imports = {n for s in c.statements if s.role == IMPORT for n in s.facts.writes}
    code = [s for s in c.statements if s.role != IMPORT]
    written = imports | {  # calling a method on a name does not define it (json.dump)
        w for s in [*code, *(s for _, s in c.shown)]
        for w in (*s.facts.writes, *s.facts.declares_global)
        if w not in s.facts.mutates
    }  # a name only a plot defines is checked after pruning, which may keep the plot
    _check_defined(c, code, written, [])
    seen = set(imports)
    for s in code:  # `del x` before any cell defines x fails in the notebook too
        early = [d for d in s.facts.deletes if d not in seen]
        if early:
            raise Nb2FlowError(
                "NB2F017", f"`{early[0]}` is deleted before any cell defines it",
                Location(str(c.notebook.path), s.cell, s.line),
            )
        seen.update(s.facts.writes)


def _evaluated_at_definition(tree: ast.AST) -> set[str]:
    """Names a def or class reads when it runs: decorators, defaults, bases."""
    nodes: list[ast.AST] = list(getattr(tree, "decorator_list", []))
    if isinstance(tree, (ast.FunctionDef, ast.AsyncFunctionDef)):
        nodes += [*tree.args.defaults, *(d for d in tree.args.kw_defaults if d is not None)]
    elif isinstance(tree, ast.ClassDef):
        nodes += [*tree.bases, *(k.value for k in tree.keywords)]
    return {n.id for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name)}


def _check_defined(c: Classified, code: list[Statement], written: set[str],
                   diagnostics: list[Diagnostic]) -> None:
    """A name read but never defined: an error at top level, a warning inside a function."""
    if any(s.facts.star_import for s in c.statements):
        return
    known = written | BUILTINS | _IPYTHON_NAMES
    for s in code:
        missing = [r for r in s.facts.reads if r not in known]
        if not missing:
            continue
        if isinstance(s.node, (cst.FunctionDef, cst.ClassDef)) and not (
            set(missing) & _evaluated_at_definition(s.tree)
        ):
            diagnostics.append(Diagnostic(
                "NB2W009", f"{s.facts.writes[0]} uses {', '.join(missing)}, which nothing in "
                "the notebook defines", s.cell, s.line))
            continue
        line = s.line + next(
            (n.lineno - s.tree.lineno for n in ast.walk(_tree(s))
             if isinstance(n, ast.Name) and n.id == missing[0]), 0)
        execs = [t for t in code if t.facts.uses_exec]
        hint = (
            f"; cell {execs[0].cell} uses exec/eval/globals(), which may define it where "
            "nb2flow cannot see: assign it in plain code" if execs else ""
        )
        raise Nb2FlowError(
            "NB2F017", f"`{missing[0]}` is used but no cell defines it{hint}",
            Location(str(c.notebook.path), s.cell, line),
        )


# ------------------------------------------------------------------ parameters


def _target(s: Statement) -> str:
    return s.facts.writes[0] if s.facts.writes else ""


def _param_type(value: object) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float, str)):
        return type(value).__name__
    if isinstance(value, list) and 0 < len(value) <= 20:
        kinds = {type(v) for v in value}
        if len(kinds) == 1 and kinds <= {int, float, str}:
            return f"list[{next(iter(kinds)).__name__}]"
    return None


def _looks_like_path(value: object) -> bool:
    if not isinstance(value, str) or not value or "\n" in value or len(value) > 300:
        return False
    if value.startswith(("http://", "https://", "s3://", "gs://")):
        return True
    if " " in value:
        return False
    return value.lower().endswith(PATH_SUFFIXES) or (
        "/" in value and not value.startswith("/") and re.fullmatch(r"[\w./-]+", value)
        is not None and "." in value.rsplit("/", 1)[-1]
    )


def _parameters(
    c: Classified,
    code: list[Statement],
    write_count: dict[str, int],
    mutated: set[str],
    options: ConvertOptions,
) -> tuple[list[Param], list[Statement]]:
    params: list[Param] = []
    chosen: list[Statement] = []
    top = True
    seen: set[str] = set()
    # Names that notebook functions read stay module constants, so the functions stay
    # plain module-level code; ALL_CAPS names are constants by convention.
    read_by_defs = {
        n for s in code if isinstance(s.node, (cst.FunctionDef, cst.ClassDef))
        for n in s.facts.reads
    }
    for s in code:
        name = _target(s)
        typ = _param_type(s.literal) if s.is_literal else None
        in_param_cell = s.cell in c.parameter_cells
        if not s.is_literal and not isinstance(s.node, (cst.FunctionDef, cst.ClassDef)):
            top = False
        constant = name in read_by_defs or (name.isupper() and len(name) > 1)
        wanted = (
            in_param_cell
            or name in options.params
            or (not constant and top and typ in ("str", "int", "float", "bool"))
            or (not constant and typ == "str" and _looks_like_path(s.literal))
        )
        if not (s.is_literal and typ and wanted) or name in seen or name in mutated:
            continue
        if not in_param_cell and write_count.get(name, 0) > 1 and name not in options.params:
            continue
        seen.add(name)
        chosen.append(s)
        params.append(Param(
            name=name, type=typ, default=s.literal, default_code=repr(s.literal),
            help=_comment(s.node), cell=s.cell, line=s.line,
        ))
    return params, chosen


def _comment(node: cst.CSTNode) -> str:
    if isinstance(node, cst.SimpleStatementLine) and node.trailing_whitespace.comment:
        return node.trailing_whitespace.comment.value.lstrip("#").strip()
    return ""


_PATH_KEYWORDS = {"path", "filepath_or_buffer", "path_or_buf", "fname", "file", "filename",
                  "io", "f", "uri", "url"}


_CONFIG_CALLS = {
    "set_tracking_uri": ("mlflow_tracking_uri", {"uri"}),
    "set_registry_uri": ("mlflow_registry_uri", {"uri"}),
    "set_experiment": ("mlflow_experiment", {"experiment_name"}),
}


def _path_parameters(statements: list[Statement], taken: set[str]) -> list[Param]:
    """String literals read or written by top-level calls become ``*_path`` parameters."""
    found: dict[str, Param] = {}
    taken = set(taken)
    for s in statements:
        tree = _tree(s)
        target = None
        if isinstance(tree, ast.Assign) and len(tree.targets) == 1:
            t = tree.targets[0]
            target = t.id if isinstance(t, ast.Name) else None
        for node in _top_level_calls(tree):
            name = call_name(node)
            if name in _CONFIG_CALLS:  # mlflow.set_tracking_uri("sqlite:///mlflow.db") ...
                param, keywords = _CONFIG_CALLS[name]
                args = [*node.args[:1], *(k.value for k in node.keywords if k.arg in keywords)]
                for arg in args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and (
                        arg.value not in found
                    ):
                        pname = _unique(param, taken)
                        taken.add(pname)
                        found[arg.value] = Param(pname, "str", arg.value, repr(arg.value),
                                                 "", s.cell, s.line)
                continue
            call_reads, call_writes = call_io(node)
            if not (call_reads or call_writes):
                continue
            args = [*node.args, *(k.value for k in node.keywords if k.arg in _PATH_KEYWORDS)]
            for arg in args:
                if not (isinstance(arg, ast.Constant) and _looks_like_path(arg.value)):
                    continue
                value = arg.value
                if value in found:
                    continue
                reading = call_reads and node is tree_value(tree)
                base = _path_base(target if reading else None, value)
                pname = _unique(base, taken)
                taken.add(pname)
                found[value] = Param(pname, "str", value, repr(value), "", s.cell, s.line)
    return list(found.values())


def tree_value(tree: ast.stmt) -> ast.expr | None:
    return getattr(tree, "value", None)


def _path_base(target: str | None, value: str) -> str:
    if target:
        stem = re.sub(r"^(df|data)_|_(df|data)$", "", target)
        if stem in ("df", "data", ""):
            stem = "data"
        if not stem[0].isalpha():  # df_1 -> data_1_path
            stem = f"data_{stem}"
        return f"{stem}_path"
    stem = PurePosixPath(value.split("?")[0]).name.split(".")[0]
    stem = _snake(stem) or "output"
    return f"{stem}_path"


def _top_level_calls(tree: ast.stmt):
    """Calls in a statement, not inside nested functions or lambdas."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, ast.Call):
            yield node
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _tree(s: Statement) -> ast.stmt:
    if s.tree is None:
        s.tree = ast.parse(code_of(s.node)).body[0]
    return s.tree


class _LiteralReplacer(cst.CSTTransformer):
    def __init__(self, mapping: dict[str, str]):
        self.mapping = mapping
        self.depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString):
        try:
            value = updated.evaluated_value
        except Exception:  # noqa: BLE001 - bytes or odd prefixes: leave as is
            return updated
        if isinstance(value, str) and value in self.mapping:
            return cst.Name(self.mapping[value])
        return updated


def _replace_literals(s: Statement, mapping: dict[str, str]) -> Statement:
    if not any(  # most statements hold none of the paths: skip the libcst pass
        isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value in mapping
        for n in ast.walk(_tree(s))
    ):
        return s
    new = s.node.visit(_LiteralReplacer(mapping))
    changed = replace(s, node=new, tree=None, line_count=None)
    changed.facts = analyze(_tree(changed))  # tree is None: parsed from the new code
    return changed


# ------------------------------------------------------------- module-level defs


def _module_defs(
    defs: list[Statement], module_names: set[str], unknown: set[str], constants: list[Statement]
) -> list[Statement]:
    """Functions and classes that only read imports, constants and each other."""
    constant_names = {_target(s) for s in constants}
    candidates = {s.facts.writes[0]: s for s in defs}
    changed = True
    while changed:
        changed = False
        allowed = module_names | unknown | BUILTINS | set(candidates)
        for name, s in list(candidates.items()):
            globals_ok = set(s.facts.declares_global) <= constant_names
            if not globals_ok or any(r not in allowed for r in s.facts.reads):
                del candidates[name]
                changed = True
    return [s for s in defs if s.facts.writes[0] in candidates]


def _is_generator(s: Statement) -> bool:
    tree = _tree(s)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return True
    return False


def _hoistable(s: Statement, functions: set[str]) -> bool:
    """``x = f(a, b)`` or ``f(a)`` calling a notebook function, with plain arguments."""
    tree = _tree(s)
    if isinstance(tree, ast.Assign):
        if not all(_plain_target(t) for t in tree.targets):
            return False
        value = tree.value
    elif isinstance(tree, ast.Expr):
        value = tree.value
    else:
        return False
    if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)):
        return False
    if value.func.id not in functions:
        return False
    args = [*value.args, *(k.value for k in value.keywords)]
    return all(isinstance(a, (ast.Name, ast.Constant)) for a in args)


def _plain_target(t: ast.expr) -> bool:
    if isinstance(t, ast.Name):
        return True
    return isinstance(t, ast.Tuple) and all(isinstance(e, ast.Name) for e in t.elts)


def _called(s: Statement) -> str:
    return _tree(s).value.func.id


def _function_task(s: Statement, options: ConvertOptions, prefix: str = "") -> Task:
    node = s.node
    assert isinstance(node, cst.FunctionDef)
    reads, writes = tree_io(_tree(s))
    retries = s.facts.reads_io or reads
    cached = options.cache and not writes and not s.secret
    decorator = prefix + task_decorator(retries, cached, options.cache_expiration)
    new = node.with_changes(
        decorators=[cst.Decorator(cst.parse_expression(decorator)), *node.decorators]
    )
    name = node.name.value
    return Task(
        name=name, doc="", inputs=(), outputs=(), body="", retries=retries,
        cells=(s.cell,), signature=_strip_blank(code_of(new)), from_function=True,
        decorator=decorator, cached=cached,
    )


#: Names the template defines or imports at module level; no task, flow or entry point
#: generated by nb2flow takes them.
_TEMPLATE_NAMES = frozenset({"main", "flow", "task", "prefect", "argparse", "Path"})


def _template_clashes(imports: list[Statement], constants: list[Statement],
                      module_defs: list[Statement]) -> set[str]:
    """Template names (``main``, ``flow``, ``task``, ``argparse``) the notebook binds at
    module level to something else: the script then renames its own (``cli_main``,
    ``@prefect.flow`` ...) and leaves the notebook's code as written."""
    same = {("argparse", "argparse"), ("prefect", "prefect"), ("prefect.flow", "flow"),
            ("prefect.task", "task")}
    found = {s.facts.writes[0] for s in [*constants, *module_defs]} & _TEMPLATE_NAMES
    for s in imports:
        tree = _tree(s)
        if isinstance(tree, ast.Import):
            bound = [(a.name, a.asname or a.name.split(".")[0]) for a in tree.names]
        elif isinstance(tree, ast.ImportFrom):
            bound = [(f"{tree.module}.{a.name}", a.asname or a.name) for a in tree.names]
        else:
            continue
        found |= {b for full, b in bound if b in _TEMPLATE_NAMES and (full, b) not in same}
    return found


# ------------------------------------------------------------------------ units


#: Calls that configure a library for the whole process (MLflow's tracking server and
#: experiment, autologging): with a Dask or Ray runner each task may run in another process.
_PROCESS_CONFIG = {"set_tracking_uri", "set_registry_uri", "set_experiment", "autolog"}


def _replicate_process_config(units: list[_Unit], imports: list[Statement]) -> None:
    """With a distributed task runner, repeat MLflow's process-wide configuration in each
    later task that uses MLflow, as the notebook's single process had it."""
    aliases = set()
    for s in imports:
        tree = _tree(s)
        if isinstance(tree, ast.Import):
            aliases |= {a.asname or a.name.split(".")[0] for a in tree.names
                        if a.name.split(".")[0] == "mlflow"}
    if not aliases:
        return
    config: dict[str, Statement] = {}  # "mlflow.set_experiment" -> the latest such call
    for u in units:
        if u.call is not None:
            continue
        own = {}
        for s in u.statements:
            key = _config_key(_tree(s), aliases)
            if key:
                own[key] = s
        uses = any(aliases & set(s.facts.reads) for s in u.statements)
        missing = [replace(st) for key, st in config.items() if key not in own]
        if uses and missing:
            u.statements[0:0] = missing
        config.update(own)


def _config_key(tree: ast.stmt, aliases: set[str]) -> str | None:
    if not (isinstance(tree, ast.Expr) and isinstance(tree.value, ast.Call)):
        return None
    func = tree.value.func
    if not (isinstance(func, ast.Attribute) and func.attr in _PROCESS_CONFIG):
        return None
    parts = []
    node: ast.expr = func
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id in aliases:
        return ".".join([node.id, *reversed(parts)])
    return None


def _pyplot_alias(imports: list[Statement]) -> str | None:
    """The name ``matplotlib.pyplot`` is imported as, if the script keeps it."""
    for s in imports:
        tree = _tree(s)
        if isinstance(tree, ast.Import):
            for a in tree.names:
                if a.name == "matplotlib.pyplot" and a.asname:
                    return a.asname
        elif isinstance(tree, ast.ImportFrom) and tree.module == "matplotlib":
            for a in tree.names:
                if a.name == "pyplot":
                    return a.asname or a.name
    return None


def _define_before_use(
    statements: list[Statement],
) -> tuple[list[Statement], dict[int, Statement]]:
    """A notebook function whose globals change after its ``def`` is defined where it runs.

    In the notebook it reads those globals when it is called; inside a task it can only
    read what the task received. So it moves to the step that first calls it, and a copy of
    the ``def`` goes before each later call that follows a new value of one of them: the
    copy's free names are then the calling task's variables, current at call time.
    """
    writes_at: dict[str, list[int]] = {}
    for i, s in enumerate(statements):
        for w in s.facts.writes:
            writes_at.setdefault(w, []).append(i)
    moves: dict[int, int] = {}  # index of def -> index of its first user
    copies: dict[int, list[Statement]] = {}  # index of a later user -> defs to repeat there
    for i, s in enumerate(statements):
        if not isinstance(s.node, (cst.FunctionDef, cst.ClassDef)):
            continue
        free = [r for r in s.facts.reads if any(j > i for j in writes_at.get(r, ()))]
        if not free:
            continue
        name = s.facts.writes[0]
        users = [j for j in range(i + 1, len(statements))
                 if name in statements[j].facts.reads]
        if not users:
            continue
        moves[i] = users[0]
        redefined = min((j for j in writes_at.get(name, ()) if j > i), default=len(statements))
        placed = users[0]
        for u in users[1:]:
            if u > redefined:
                break
            if any(placed <= j < u for r in free for j in writes_at[r]):
                copies.setdefault(u, []).append(replace(s))
                placed = u
    if not moves:
        return statements, {}
    ordered: list[Statement] = []
    anchors: dict[int, Statement] = {}
    waiting: dict[int, list[Statement]] = {}
    for i, target in moves.items():
        waiting.setdefault(target, []).append(statements[i])
    for u, defs in copies.items():
        waiting.setdefault(u, []).extend(defs)
    for j, s in enumerate(statements):
        if j in moves:
            continue
        for moved in waiting.get(j, ()):
            anchors[id(moved)] = s
            ordered.append(moved)
        ordered.append(s)
    return ordered, anchors


def _units(
    c: Classified,
    statements: list[Statement],
    hoisted: set[int],
    anchors: dict[int, Statement] | None = None,
) -> list[_Unit]:
    anchors = anchors or {}
    headings = c.headings
    heading_at: dict[int, str] = {}
    for h in headings:
        heading_at[h.cell] = h.text  # the last heading of a cell names what follows
    units: list[_Unit] = []
    current_heading: tuple[int, str] | None = None
    heading_iter = sorted(heading_at.items())
    hi = 0
    for s in statements:
        where = anchors.get(id(s), s).cell
        while hi < len(heading_iter) and heading_iter[hi][0] < where:
            current_heading = heading_iter[hi]
            hi += 1
        tag = next(
            (t[len(TAG_PREFIX) + 5:] for t in c.cell_tags.get(where, ())
             if t.startswith(f"{TAG_PREFIX}task=")),
            None,
        )
        if tag:
            key, hint, from_tag = ("tag", tag), tag, True
        elif current_heading is not None:
            key, hint, from_tag = ("heading", current_heading[0]), current_heading[1], False
        else:
            key, hint, from_tag = ("cell", where), None, False
        if id(s) in hoisted:
            units.append(_Unit(key=("call", id(s)), title=None, from_tag=False, call=s))
            continue
        if units and units[-1].key == key and units[-1].call is None:
            units[-1].statements.append(s)
        else:
            units.append(_Unit(key=key, title=hint, from_tag=from_tag, statements=[s]))
    return units


def _merge_small(units: list[_Unit]) -> list[_Unit]:
    """No one-line tasks: a unit of a single short statement joins its neighbour."""
    out: list[_Unit] = []
    pending: list[Statement] = []
    for u in units:
        if u.call is not None:
            if pending:
                if out and out[-1].call is None:
                    out[-1].statements.extend(pending)
                else:
                    out.append(_Unit(("cell", pending[0].cell), None, False, pending))
                pending = []
            out.append(u)
            continue
        if pending:
            u.statements[:0] = pending
            pending = []
        small = not u.from_tag and (
            u.lines() < _SMALL_LINES or (u.key[0] == "cell" and u.lines() <= 2)
        )
        defs_only = not u.from_tag and all(
            isinstance(s.node, (cst.FunctionDef, cst.ClassDef)) for s in u.statements
        )
        if defs_only or (small and not _is_compound_only(u)):
            pending = u.statements
            continue
        out.append(u)
    if pending:
        if out and out[-1].call is None:
            out[-1].statements.extend(pending)
        else:
            out.append(_Unit(("cell", pending[0].cell), None, False, pending))
    # Consecutive cell units that form a short chain merge too.
    merged: list[_Unit] = []
    for u in out:
        prev = merged[-1] if merged else None
        if (
            prev is not None and prev.call is None and u.call is None
            and prev.key[0] == "cell" and u.key[0] == "cell"
            and prev.lines() + u.lines() <= 6
            and set(_reads(u)) & set(_writes(prev))
        ):
            prev.statements.extend(u.statements)
            continue
        merged.append(u)
    return merged


def _is_compound_only(u: _Unit) -> bool:
    return len(u.statements) == 1 and not isinstance(u.statements[0].node, cst.SimpleStatementLine)


def _reads(u: _Unit) -> list[str]:
    return [n for s in u.statements for n in s.facts.reads]


def _writes(u: _Unit) -> list[str]:
    return [n for s in u.statements for n in s.facts.writes]


def _name_units(units: list[_Unit], reserved: set[str]) -> None:
    used: set[str] = set()
    for u in units:
        if u.call is not None:
            continue
        if u.from_tag:
            base = u.title or ""
        elif u.title:
            base = _snake(u.title, drop_stopwords=True) or _production_name(u)
        else:
            base = _production_name(u)
        if not base.isidentifier() or keyword.iskeyword(base):
            base = f"step_{base}" if base else "step"
        name = _unique(base, reserved | used, suffix="_step")
        used.add(name)
        u.name = name


def _is_secret_read(node: ast.Call) -> bool:
    """``Secret.load("x")`` and ``Secret.load("x").get()``: plumbing, not the step's work."""
    func = node.func
    while isinstance(func, ast.Attribute):
        func = func.value.func if isinstance(func.value, ast.Call) else func.value
    return isinstance(func, ast.Name) and func.id == "Secret"


def _production_name(u: _Unit) -> str:
    """Name a step after what it does: train_model, save_model, load_*, evaluate_model ..."""
    calls: list[str] = []
    reads_io = writes_io = False  # creating a folder is not what a step is about
    for s in u.statements:
        for node in _top_level_calls(_tree(s)):
            name = call_name(node)
            if name and not _is_secret_read(node):
                func = node.func
                if name == "dump" and isinstance(func, ast.Attribute) and isinstance(
                    func.value, ast.Name
                ) and func.value.id in ("json", "yaml", "toml", "tomli_w", "csv"):
                    name = "dump_text"  # json.dump(metrics, f): results, not a model
                calls.append(name)
                r, w = call_io(node)
                reads_io = reads_io or r
                writes_io = writes_io or (w and name not in ("mkdir", "makedirs"))
    writes = [w for s in u.statements for w in s.facts.definite]
    first = next((_snake(w) for w in writes if len(w) > 2), "")
    if any(n in ("fit", "train", "partial_fit", "fit_predict") for n in calls):
        return "train_model"
    if "fit_transform" in calls:  # a vectoriser or scaler learns the features
        return "build_features"
    if {"set_tracking_uri", "set_experiment"} & set(calls) and not writes_io:
        return "configure_mlflow"
    if writes_io and not reads_io:
        if any(n in ("savefig", "write_image", "write_html") for n in calls) and not any(
            n in ("dump", "log_model", "save_model") for n in calls
        ):
            return "save_figure"
        if any(n in ("dump", "log_model") or n.startswith("save") for n in calls):
            return "save_model"
        if any(n.startswith("to_") for n in calls):
            return "save_data"
        return "save_results" if "dump_text" in calls else "save_outputs"
    if reads_io:
        return f"load_{first}" if first and first not in ("data", "f") else "load_data"
    if any(re.search(r"(error|score|accuracy|metric)", n) for n in calls):
        return "evaluate_model"
    if "print" in calls and not writes:
        return "report_results"
    return f"prepare_{first}" if first else "prepare_data"


# --------------------------------------------------------------------- dataflow


def _dataflow(
    units: list[_Unit],
    flow_vars: set[str],
    module_names: set[str],
    path_values: dict[str, str],
    sections: list[str],
    pyplot: str | None = None,
) -> tuple[list[Task], list[Call]]:
    # Forward: what each unit reads from earlier units or parameters.
    available = set(flow_vars)
    info: list[tuple[list[str], list[str], set[str]]] = []  # inputs, writes, definite
    for u in units:
        stmts = [u.call] if u.call is not None else u.statements
        inputs: list[str] = []
        definite: set[str] = set()
        writes: list[str] = []
        dead: set[str] = set()  # deleted (`del name`) and not bound again in this unit
        for s in stmts:
            for r in s.facts.reads:
                if r in available and r not in definite and r not in inputs:
                    inputs.append(r)
            for w in s.facts.writes:
                if w not in module_names and w not in writes:
                    writes.append(w)
            dead.difference_update(s.facts.writes)
            dead.update(s.facts.deletes)
            definite.difference_update(s.facts.deletes)
            definite.update(s.facts.definite)
        for w in writes:  # a name only maybe-written must come in to go out
            if w not in definite and w in available and w not in inputs:
                inputs.append(w)
        writes = [w for w in writes if w not in dead]
        available.update(writes)
        available.difference_update(dead)
        definite |= dead  # a deleted name is dead after this unit, as if overwritten
        info.append((inputs, writes, definite))
    # Backward: which writes a later unit needs.
    live: set[str] = set()
    outputs: list[list[str]] = [[] for _ in units]
    for i in range(len(units) - 1, -1, -1):
        inputs, writes, definite = info[i]
        outputs[i] = [w for w in writes if w in live]
        live = (live - (definite - set(inputs))) | set(inputs)
    tasks: list[Task] = []
    body: list[Call] = []
    for u, (inputs, _writes, _definite), outs, section in zip(units, info, outputs, sections):
        if u.call is not None:
            line = _strip_blank(code_of(u.call.node)).strip("\n")
            tree = _tree(u.call)
            func = tree.value.func.id
            targets = tuple(w for w in u.call.facts.writes)
            body.append(Call(func, tuple(inputs), targets, line, section))
            continue
        tasks.append(_make_task(u, inputs, outs, path_values, pyplot))
        target = ", ".join(outs)
        call = f"{u.name}({', '.join(inputs)})"
        body.append(Call(u.name, tuple(inputs), tuple(outs),
                         f"{target} = {call}" if outs else call, section))
    return tasks, body


class _GlobalToNonlocal(cst.CSTTransformer):
    """In a function defined inside a task, ``global y`` for a name that is a local of the
    task (in the notebook, a module variable) becomes ``nonlocal y``."""

    def __init__(self, task_locals: set[str]):
        self.task_locals = task_locals

    def leave_Global(self, original, updated):
        names = [n.name.value for n in updated.names]
        if names and all(n in self.task_locals for n in names):
            return cst.Nonlocal(names=updated.names)
        return updated


def _make_task(
    u: _Unit, inputs: list[str], outputs: list[str], path_values: dict[str, str],
    pyplot: str | None = None,
) -> Task:
    nodes: list[cst.BaseStatement] = []
    later_reads: list[set[str]] = []
    seen: set[str] = set(outputs)
    for s in reversed(u.statements):
        later_reads.append(set(seen))
        seen.update(s.facts.reads)
    later_reads.reverse()
    for i, s in enumerate(u.statements):
        node = _drop_dead_binding(s, later_reads[i])
        if i == 0 or s.cell != u.statements[i - 1].cell:
            node = _trim_leading_blank(node, keep_one=i > 0)
        mkdirs = [cst.parse_statement(mk + "\n") for mk in _mkdirs(s, path_values)]
        if mkdirs and getattr(node, "leading_lines", None):  # the blank line goes first
            mkdirs[0] = mkdirs[0].with_changes(leading_lines=node.leading_lines)
            node = node.with_changes(leading_lines=[])
        nodes.extend(mkdirs)
        nodes.append(node)
        cell_ends = i + 1 == len(u.statements) or u.statements[i + 1].cell != s.cell
        if pyplot and cell_ends and any(
            pyplot in t.facts.reads for t in u.statements if t.cell == s.cell
        ):  # Jupyter closes a cell's figures when it ends; a script must do it itself
            nodes.append(cst.parse_statement(f'{pyplot}.close("all")\n'))
    if outputs:
        nodes.append(cst.parse_statement(f"return {', '.join(outputs)}\n"))
    task_locals = set(inputs) | {w for s in u.statements for w in s.facts.writes}
    nodes = [
        n.visit(_GlobalToNonlocal(task_locals)) if isinstance(n, cst.FunctionDef) else n
        for n in nodes
    ]
    doc = _doc(u)
    docstring = cst.parse_statement(f"{_quote_doc(doc)}\n")
    block = cst.IndentedBlock(body=[docstring, *nodes])
    text = code_of(block)
    text = text.split("\n", 1)[1] if "\n" in text else text
    reads_io = any(s.facts.reads_io for s in u.statements)
    return Task(
        name=u.name,
        doc=doc,
        inputs=tuple(inputs),
        outputs=tuple(outputs),
        body=text.rstrip("\n"),
        retries=reads_io,
        cells=tuple(sorted({s.cell for s in u.statements})),
    )


def _drop_dead_binding(s: Statement, needed: set[str]) -> cst.CSTNode:
    """``rows = engine.execute(q)`` whose ``rows`` nothing reads becomes the bare call."""
    tree = _tree(s)
    if (
        isinstance(tree, ast.Assign) and len(tree.targets) == 1
        and isinstance(tree.targets[0], ast.Name) and tree.targets[0].id not in needed
        and isinstance(s.node, cst.SimpleStatementLine)
        and isinstance(s.node.body[0], cst.Assign) and isinstance(tree.value, ast.Call)
    ):
        value = s.node.body[0].value
        return s.node.with_changes(body=[cst.Expr(value)])
    return s.node


def _doc(u: _Unit) -> str:
    if u.title and not u.from_tag:
        return u.title.rstrip(".") + "."
    cells = sorted({s.cell for s in u.statements})
    where = f"cell {cells[0]}" if len(cells) == 1 else f"cells {cells[0]}-{cells[-1]}"
    return f"{u.name.replace('_', ' ').capitalize()} (notebook {where})."


def _quote_doc(text: str) -> str:
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if text.endswith('"'):
        text += " "
    return f'"""{text}"""'


def _mkdirs(s: Statement, path_values: dict[str, str]) -> list[str]:
    """``Path(p).parent.mkdir(...)`` for each file the statement writes into a folder."""
    out: list[str] = []
    bound_here = set(s.facts.writes)
    for node in _top_level_calls(_tree(s)):
        name = call_name(node)
        if not name or not call_io(node)[1] or name in ("mkdir", "makedirs"):
            continue
        args = [*node.args, *(k.value for k in node.keywords if k.arg in _PATH_KEYWORDS)]
        for arg in args:
            line = None
            if isinstance(arg, ast.Name) and arg.id in path_values:
                folder = PurePosixPath(path_values[arg.id]).parent
                if str(folder) not in ("", ".") and "://" not in path_values[arg.id]:
                    line = f"Path({arg.id}).parent.mkdir(parents=True, exist_ok=True)"
            elif isinstance(arg, ast.Constant) and _looks_like_path(arg.value):
                folder = PurePosixPath(arg.value).parent
                if str(folder) not in ("", ".") and "://" not in arg.value:
                    line = f"Path({str(folder)!r}).mkdir(parents=True, exist_ok=True)"
            elif _built_path(arg) and not (_names(arg) & bound_here):
                line = f"Path({ast.unparse(arg)}).parent.mkdir(parents=True, exist_ok=True)"
            if line and line not in out:
                out.append(line)
    return out


def _built_path(e: ast.expr) -> bool:
    """A path built without side effects: an f-string, ``os.path.join(...)``, ``a / "b"``."""
    if isinstance(e, ast.JoinedStr):
        return all(isinstance(v, ast.Constant) or _pure(v.value) for v in e.values)
    if isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute) and e.func.attr == "join" \
            and ast.unparse(e.func) == "os.path.join":
        return all(_pure(a) for a in e.args)
    if isinstance(e, ast.BinOp) and isinstance(e.op, ast.Div):
        return _pure(e.left) and _pure(e.right) and any(
            isinstance(x, (ast.Constant, ast.JoinedStr)) for x in (e.left, e.right))
    return False


def _pure(e: ast.expr) -> bool:
    return isinstance(e, (ast.Name, ast.Constant)) or (
        isinstance(e, ast.Attribute) and _pure(e.value)) or _built_path(e)


def _names(e: ast.expr) -> set[str]:
    return {n.id for n in ast.walk(e) if isinstance(n, ast.Name)}


# ---------------------------------------------------------------------- imports


def _imports(
    statements: list[Statement], used: set[str], folder, extra: list[str] = (),
    prefect_module: bool = False, argparse_name: str = "argparse",
) -> list[str]:
    plain: dict[str, set[tuple[str, str | None]]] = {}
    froms: dict[str, set[tuple[str, str | None]]] = {}
    for line in extra:
        tree = ast.parse(line).body[0]
        if isinstance(tree, ast.Import):
            for a in tree.names:
                plain.setdefault(a.name, set()).add((a.name, a.asname))
        else:
            for a in tree.names:
                froms.setdefault(tree.module, set()).add((a.name, a.asname))
    for s in statements:
        tree = _tree(s)
        if isinstance(tree, ast.Import):
            for a in tree.names:
                bound = a.asname or a.name.split(".")[0]
                if bound in used:
                    plain.setdefault(a.name, set()).add((a.name, a.asname))
        elif isinstance(tree, ast.ImportFrom):
            module = "." * tree.level + (tree.module or "")
            for a in tree.names:
                if a.name == "*" or (a.asname or a.name) in used or module == "__future__":
                    froms.setdefault(module, set()).add((a.name, a.asname))
    if prefect_module:  # the notebook has its own flow or task: @prefect.flow, @prefect.task
        plain.setdefault("prefect", set()).add(("prefect", None))
    else:
        froms.setdefault("prefect", set()).update({("flow", None), ("task", None)})
    if "Path" in used and not any(("Path", None) in v for v in froms.values()):
        froms.setdefault("pathlib", set()).add(("Path", None))
    alias = None if argparse_name == "argparse" else argparse_name
    plain.setdefault("argparse", set()).add(("argparse", alias))
    groups: dict[int, list[str]] = {0: [], 1: [], 2: [], 3: []}
    for module, names in plain.items():
        for name, asname in sorted(names, key=lambda n: (n[0], n[1] or "")):
            line = f"import {name}" + (f" as {asname}" if asname else "")
            groups[_group(module, folder)].append((0, module.lower(), line))
    for module, names in froms.items():
        star = ("*", None) in names
        if star:
            groups[_group(module, folder)].append((1, module.lower(), f"from {module} import *"))
            names = names - {("*", None)}
        if not names:
            continue
        parts = ", ".join(
            n + (f" as {a}" if a else "") for n, a in sorted(
                names, key=lambda n: (n[0].lower(), n[0], n[1] or ""))
        )
        groups[_group(module, folder)].append((1, module.lower(), f"from {module} import {parts}"))
    lines: list[str] = []
    for g in sorted(groups):
        entries = sorted(groups[g])
        if not entries:
            continue
        if lines:
            lines.append("")
        lines.extend(e[2] for e in entries)
    return lines


def _group(module: str, folder) -> int:
    top = module.lstrip(".").split(".")[0]
    if module == "__future__":
        return 0
    if module.startswith(".") or (folder / f"{top}.py").exists() or (folder / top).is_dir():
        return 3
    if top in sys.stdlib_module_names:
        return 1
    return 2


# ---------------------------------------------------------------------- helpers


def _snake(text: str, drop_stopwords: bool = False) -> str:
    text = re.sub(r"^\s*(\d+[.)]?|step\s+\d+[:.]?)\s+", "", text, flags=re.IGNORECASE)
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    words = re.findall(r"[A-Za-z0-9]+", text.lower())
    if drop_stopwords:
        kept = [w for w in words if w not in _STOPWORDS]
        words = kept or words
    name = "_".join(words[:6])
    if name and name[0].isdigit():
        name = f"n{name}"
    return name


def _unique(base: str, taken: set[str], suffix: str = "") -> str:
    if base not in taken and not keyword.iskeyword(base):
        return base
    if suffix and f"{base}{suffix}" not in taken:
        return f"{base}{suffix}"
    i = 2
    while f"{base}_{i}" in taken:
        i += 1
    return f"{base}_{i}"


def _strip_blank(text: str) -> str:
    return text.strip("\n")


def _trim_leading_blank(node: cst.CSTNode, keep_one: bool) -> cst.CSTNode:
    lines = list(getattr(node, "leading_lines", ()))
    while lines and lines[0].comment is None:
        lines.pop(0)
    if keep_one:
        lines.insert(0, cst.EmptyLine())
    return node.with_changes(leading_lines=lines)
