"""Run a generated flow without a Prefect server, and run a notebook the way Jupyter would.

Shared by ``test_properties.py`` and ``test_hard_cases.py`` (see ``docs/reliability.md``).

- :func:`run_flow_fn` imports a generated script, replaces every Prefect task in its
  namespace with a stand-in that calls ``task.fn`` and calls ``flow.fn()`` with the
  parameters' defaults. ``task.submit(...)`` returns a *deferred* future: the task runs
  only when its value is needed (an argument of a later call, ``wait_for``,
  ``.result()``), and whatever is still pending when the flow returns runs last, latest
  submission first. That is the most hostile order a task runner may legally choose, so
  a dependency the scheduler forgot shows up as a different result.
- :func:`run_notebook` executes the notebook's code cells top to bottom in one namespace
  (IPython's line magics stripped, ``%time stmt`` keeping ``stmt``), which is what
  "Restart & Run All" does.

Both run in a given working directory and return what was printed and the files written.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

_counter = itertools.count()


class Deferred:
    """A stand-in for a Prefect future: runs its task when the value is first needed."""

    def __init__(self, runner: "_Runner", fn, args, kwargs):
        self.runner, self.fn, self.args, self.kwargs = runner, fn, args, kwargs
        self.done = False
        self.value = None

    def result(self):
        if not self.done:
            self.done = True
            self.runner.pending.remove(self)
            self.value = self.fn(*[self.runner.resolve(a) for a in self.args],
                                 **{k: self.runner.resolve(v) for k, v in self.kwargs.items()})
        return self.value

    def wait(self, timeout=None):
        self.result()

    def state(self):  # pragma: no cover - only for scripts that inspect states
        return None


class _Runner:
    def __init__(self, eager: bool):
        self.eager = eager
        self.pending: list[Deferred] = []

    def resolve(self, value):
        """Futures replaced by their values. Like Prefect, a collection without futures is
        passed as the same object, so a task that changes its argument in place changes
        the caller's value (checked against a real flow run)."""
        if isinstance(value, Deferred):
            return value.result()
        if isinstance(value, (tuple, list)) and any(_has_future(v) for v in value):
            return type(value)(self.resolve(v) for v in value)
        if isinstance(value, dict) and any(_has_future(v) for v in value.values()):
            return {k: self.resolve(v) for k, v in value.items()}
        return value

    def finish(self) -> None:
        while self.pending:
            self.pending[-1].result()


def _has_future(value) -> bool:
    if isinstance(value, Deferred):
        return True
    if isinstance(value, (tuple, list)):
        return any(_has_future(v) for v in value)
    if isinstance(value, dict):
        return any(_has_future(v) for v in value.values())
    return False


class _TaskStandIn:
    """``task(...)`` calls ``task.fn`` directly; ``task.submit(...)`` defers it."""

    def __init__(self, runner: _Runner, fn):
        self.runner, self.fn = runner, fn
        self.__name__ = getattr(fn, "__name__", "task")

    def __call__(self, *args, wait_for=None, **kwargs):
        self.runner.resolve(wait_for or [])
        return self.fn(*[self.runner.resolve(a) for a in args],
                       **{k: self.runner.resolve(v) for k, v in kwargs.items()})

    def submit(self, *args, wait_for=None, **kwargs):
        self.runner.resolve(wait_for or [])
        future = Deferred(self.runner, self.fn, args, kwargs)
        self.runner.pending.append(future)
        if self.runner.eager:
            future.result()
        return future

    def map(self, *args, **kwargs):  # pragma: no cover - nb2flow does not emit .map
        raise AssertionError("nb2flow does not generate task.map")


class _FlowStandIn:
    def __init__(self, runner: _Runner, fn):
        self.runner, self.fn = runner, fn

    def __call__(self, *args, **kwargs):
        result = self.fn(*args, **kwargs)
        self.runner.finish()
        return result


def import_script(script: Path):
    """The script as a module. Its code is compiled under the script's bare file name, so
    tracebacks do not depend on the temporary folder (hypothesis replays compare them)."""
    import types

    name = f"nb2flow_generated_{next(_counter)}"
    module = types.ModuleType(name)
    module.__file__ = str(script)
    sys.modules[name] = module
    try:
        exec(compile(script.read_text(encoding="utf-8"), script.name, "exec"), vars(module))
    finally:
        sys.modules.pop(name, None)
    return module


def _is_task(value) -> bool:
    from prefect.tasks import Task

    return isinstance(value, Task)


def _is_flow(value) -> bool:
    from prefect.flows import Flow

    return isinstance(value, Flow)


def run_flow_fn(script: Path, cwd: Path, eager: bool = False) -> tuple[list[str], dict]:
    """Run the script's flow through ``.fn`` in ``cwd``: (printed lines, files written)."""
    module = import_script(script)
    runner = _Runner(eager)
    flows = [v for v in vars(module).values() if _is_flow(v)]
    main_name = main_flow_name(script.read_text(encoding="utf-8"))
    main_flows = [f for f in flows if f.fn.__name__ == main_name]
    assert len(main_flows) == 1, f"expected one main flow in {script}, found {flows}"
    for key, value in list(vars(module).items()):
        if _is_task(value):
            setattr(module, key, _TaskStandIn(runner, value.fn))
        elif _is_flow(value) and value is not main_flows[0]:  # --subflows
            setattr(module, key, _FlowStandIn(runner, value.fn))
    flow_fn = main_flows[0].fn
    before = snapshot(cwd)
    out = io.StringIO()
    with _chdir(cwd), contextlib.redirect_stdout(out):
        flow_fn()
        runner.finish()
    return out.getvalue().splitlines(), changed_files(before, snapshot(cwd))


def main_flow_name(text: str) -> str:
    """The flow the script's ``main()`` calls (``--subflows`` scripts have several)."""
    return re.findall(r"^\s+(\w+)\(\*\*vars\(args\)\)", text, re.M)[-1]


# ------------------------------------------------------------------ notebook side

_LINE_MAGIC = re.compile(r"^(\s*)%(\w+)\s*(.*)$")


def strip_magics(source: str) -> str:
    """Plain Python for a cell as IPython would run it (the magics the tests use)."""
    lines = source.split("\n")
    if lines and lines[0].startswith("%%"):
        name = lines[0][2:].split()[0]
        if name in ("time", "timeit", "capture"):
            lines = [""] + lines[1:]
        else:
            raise ValueError(f"the test harness cannot run %%{name}")
    out = []
    for line in lines:
        m = _LINE_MAGIC.match(line)
        if m:
            name, rest = m[2], m[3]
            if name in ("time", "timeit") and rest:
                out.append(m[1] + rest)
            else:
                out.append(m[1] + "pass" if m[1] else "")
            continue
        out.append(line)
    return "\n".join(out)


def run_cells(cells: list[str], cwd: Path) -> tuple[list[str], dict, dict]:
    """Execute code cells top to bottom: (printed lines, files written, namespace)."""
    namespace: dict = {"__name__": "__main__"}
    before = snapshot(cwd)
    out = io.StringIO()
    with _chdir(cwd), contextlib.redirect_stdout(out):
        for number, source in enumerate(cells, start=1):
            code = compile(strip_magics(source), f"<cell {number}>", "exec")
            exec(code, namespace)
            if "matplotlib.pyplot" in sys.modules:  # Jupyter closes a cell's figures
                sys.modules["matplotlib.pyplot"].close("all")
    return out.getvalue().splitlines(), changed_files(before, snapshot(cwd)), namespace


def run_cells_effects(cells: list, cwd: Path):
    """Like :func:`run_cells` for a notebook's cells (code strings, or ``(kind, source,
    ...)`` tuples), numbered as nb2flow numbers them: an ``equivalence.Effects`` with each
    printed line and file attributed to its cell."""
    from equivalence import Effects, lines

    namespace: dict = {"__name__": "__main__"}
    effects = Effects(prints=[], files={})
    before = previous = snapshot(cwd)
    with _chdir(cwd):
        for number, cell in enumerate(cells, start=1):
            kind, source = ("code", cell) if isinstance(cell, str) else cell[:2]
            if kind != "code":
                continue
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(strip_magics(source), f"<cell {number}>", "exec"), namespace)
                if "matplotlib.pyplot" in sys.modules:  # Jupyter closes a cell's figures
                    sys.modules["matplotlib.pyplot"].close("all")
            for line in lines(out.getvalue()):
                effects.prints.append(line)
                effects.print_cells.setdefault(line, []).append(number)
            now = snapshot(cwd)
            for name in changed_files(previous, now):
                effects.writers[name] = number
            previous = now
    effects.files = changed_files(before, previous)
    return effects


def flow_effects(script: Path, cwd: Path, eager: bool = False):
    """:func:`run_flow_fn` as an ``equivalence.Effects``."""
    from equivalence import Effects, lines

    printed, files = run_flow_fn(script, cwd, eager=eager)
    return Effects(prints=[p for line in printed for p in lines(line)], files=files)


def notebook_code_cells(path: Path) -> list[str]:
    data = json.loads(path.read_text(encoding="utf-8-sig"))
    cells = []
    for cell in data["cells"]:
        if cell["cell_type"] == "code":
            src = cell["source"]
            cells.append("".join(src) if isinstance(src, list) else src)
    return cells


def run_notebook(path: Path, cwd: Path) -> tuple[list[str], dict]:
    printed, files, _ = run_cells(notebook_code_cells(path), cwd)
    return printed, files


# ------------------------------------------------------------------ comparison


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (path -> bytes), caches left out."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(Path(folder).rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts
    }


def changed_files(before: dict, after: dict) -> dict[str, bytes]:
    return {k: v for k, v in after.items() if before.get(k) != v}


def same_prints(a: list[str], b: list[str]) -> bool:
    return Counter(a) == Counter(b)


@contextlib.contextmanager
def _chdir(path: Path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def pyflakes_messages(source: str) -> list[str]:
    from pyflakes.api import check
    from pyflakes.reporter import Reporter

    out, err = io.StringIO(), io.StringIO()
    check(source, "<script>", Reporter(out, err))
    return [line for line in (out.getvalue() + err.getvalue()).splitlines() if line]


def bad_pyflakes(source: str, allow_unused_imports: bool = False) -> list[str]:
    """Messages that mean broken code: undefined names, syntax, and (unless allowed)
    imports the script never uses."""
    bad = ("undefined name", "syntax", "invalid", "may be undefined", "referenced before")
    if not allow_unused_imports:
        bad = (*bad, "imported but unused")
    star = ("unable to detect undefined names", "defined from star imports")  # a star import
    return [m for m in pyflakes_messages(source)
            if any(b in m for b in bad) and not any(s in m for s in star)]
