"""The equivalence oracle: the whole notebook run by a real kernel, the flow run by Prefect.

Neither side is built from nb2flow's decisions:

- :func:`run_notebook` executes **every** cell of the notebook top to bottom with nbclient
  in a fresh ``python3`` kernel (what "Restart & Run All" does), in a given folder. After
  each cell it looks at the folder, so each file written is attributed to the cell that
  last changed it, and each printed line (stdout) to the cell that printed it.
- :func:`run_flow` imports the generated script and calls its flow under Prefect (the
  session's test server; ``conftest.prefect_harness``), in another folder prepared the same
  way. The flows nb2flow writes have ``log_prints=True``, so a ``print`` in a task becomes
  an INFO record of Prefect's run logger: the printed lines are those records, minus the
  ones Prefect writes itself (state changes, run URLs: records whose source is Prefect's own
  code). :func:`run_script` runs ``python script.py`` in a subprocess instead (Dask's
  worker processes, ``--notify`` hooks), with a logging configuration that writes the same
  records to a file.

:func:`assert_same_effects` then compares: every file the notebook wrote must be written
by the flow with the same bytes, every line it printed must be printed by the flow (as a
multiset: a concurrent runner may reorder), and the flow must do nothing more, except
print, as ``label: value``, a value a cell of the notebook displayed (nb2flow turns a
displayed metric into a print). The only
differences allowed are the ones nb2flow *reported*: an effect of a cell that the
conversion result lists in ``flow.dropped`` (a plot, display or experiment it left out,
with its reason). The report is read only to excuse a difference, never to decide what
runs.

The lines IPython itself prints for ``%time`` and ``%timeit`` (``CPU times: ...``,
``Wall time: ...``) are not the cell's output: they are left out when the cell's source
has that magic. A line that differs only in a measured duration (``18 fits in 4.4s``)
matches.

Lines are compared with trailing whitespace removed and blank lines left out, because
Prefect's print logging strips the end of each ``print`` (``print("a\\n")`` logs ``"a"``).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import logging
import os
import subprocess
import sys
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from flowrun import _chdir, changed_files, main_flow_name, snapshot


@dataclass
class Effects:
    """What a run did: lines printed, files written (path -> bytes)."""

    prints: list[str]
    files: dict[str, bytes]
    #: notebook only: line -> cells that printed it; file -> the cell that last wrote it
    print_cells: dict[str, list[int]] = field(default_factory=dict)
    #: notebook only: the values cells displayed (``text/plain`` of an execute result)
    shown: list[str] = field(default_factory=list)
    sources: dict[int, str] = field(default_factory=dict)
    writers: dict[str, int] = field(default_factory=dict)
    result: object = None


def lines(text: str) -> list[str]:
    """Printed text as lines: trailing whitespace removed, blank lines left out, and
    tab-separated columns (``!ls`` in a kernel writes to a terminal) one per line."""
    return [part.rstrip() for line in text.split("\n") for part in line.split("\t")
            if part.strip()]


# ------------------------------------------------------------------ notebook side


def run_notebook(path: Path, cwd: Path, timeout: int = 300, after_cell=None) -> Effects:
    """Every cell of the notebook at ``path``, top to bottom, in a fresh kernel in ``cwd``.
    ``after_cell(number)``, if given, is called after each code cell (to look at what the
    cell did beyond files and prints, such as the MLflow runs it logged)."""
    from nbclient import NotebookClient

    nb = nbformat.read(str(path), as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}})
    before = previous = snapshot(cwd)
    effects = Effects(prints=[], files={})
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            number = index + 1  # nb2flow numbers cells from 1, markdown included
            effects.sources[number] = cell.source
            client.execute_cell(cell, index)
            if after_cell is not None:
                after_cell(number)
            now = snapshot(cwd)
            for name in changed_files(previous, now):
                effects.writers[name] = number
            previous = now
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream" and output.get("name") == "stdout":
                    for line in lines(output["text"]):
                        effects.prints.append(line)
                        effects.print_cells.setdefault(line, []).append(number)
                elif output.get("output_type") == "execute_result":
                    effects.shown.append(output.get("data", {}).get("text/plain", ""))
    effects.files = changed_files(before, previous)
    return effects


# ------------------------------------------------------------------ flow side

_PREFECT_DIR = None


def _from_prefect(record: logging.LogRecord) -> bool:
    global _PREFECT_DIR
    if _PREFECT_DIR is None:
        import prefect

        _PREFECT_DIR = str(Path(prefect.__file__).resolve().parent)
    return str(Path(record.pathname).resolve()).startswith(_PREFECT_DIR)


class _Prints(logging.Handler):
    """Records of Prefect's run loggers that come from ``print`` (``log_prints=True``)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno == logging.INFO and not _from_prefect(record):
            self.lines.extend(lines(record.getMessage()))


RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")


@contextlib.contextmanager
def captured_prints():
    handler = _Prints()
    saved = []
    for name in RUN_LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, logger.propagate))
        logger.setLevel(logging.INFO)
        logger.propagate = False  # no console echo of every print
        logger.addHandler(handler)
    try:
        yield handler.lines
    finally:
        for logger, level, propagate in saved:
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate




def load_script(script: Path):
    """Import a generated script as ``__main__`` would define it; returns its main flow."""
    text = script.read_text(encoding="utf-8")
    name = f"nb2flow_generated_{abs(hash((str(script), text)))}"
    spec = importlib.util.spec_from_file_location(name, script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # `python script.py` defines the script's classes in __main__, as the notebook does:
    # pickles written by the flow and by the notebook then name the same module.
    for value in vars(module).values():
        if isinstance(value, type) and value.__module__ == name:
            value.__module__ = "__main__"
    wanted = main_flow_name(text)
    flows = [v for v in vars(module).values()
             if type(v).__name__ == "Flow" and getattr(v.fn, "__name__", None) == wanted]
    assert len(flows) == 1, f"expected one main flow {wanted} in {script}, found {flows}"
    return module, flows[0]


def run_flow(script: Path, cwd: Path, task_runner=None, **params) -> Effects:
    """The script's flow, run by Prefect in ``cwd`` (needs the ``prefect_harness``)."""
    module, flow = load_script(script)
    if task_runner is not None:
        flow = flow.with_options(task_runner=task_runner)
    before = snapshot(cwd)
    saved_main = sys.modules.get("__main__")
    sys.modules["__main__"] = module
    try:
        with _chdir(cwd), captured_prints() as printed, captured_fd1() as shell:
            result = flow(**params)
    finally:
        sys.modules["__main__"] = saved_main
    return Effects(prints=printed + shell, files=changed_files(before, snapshot(cwd)),
                   result=result)


@contextlib.contextmanager
def captured_fd1():
    """What reaches the process's standard output file (``!cmd`` run by subprocess)."""
    import tempfile

    out: list[str] = []
    sys.stdout.flush()
    saved = os.dup(1)
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), 1)
        try:
            yield out
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)
            tmp.seek(0)
            out.extend(lines(tmp.read().decode("utf-8", "replace")))


_LOGGING_YML = """\
version: 1
disable_existing_loggers: False
formatters:
  json:
    class: prefect.logging.formatters.JsonFormatter
    format: default
handlers:
  prints:
    level: 20
    class: logging.FileHandler
    filename: {path}
    formatter: json
  console:
    level: 30
    class: logging.StreamHandler
    stream: ext://sys.stderr
  api:
    level: 0
    class: prefect.logging.handlers.APILogHandler
loggers:
  prefect:
    level: WARNING
  prefect.flow_runs:
    level: INFO
    handlers: [api, prints]
  prefect.task_runs:
    level: INFO
    handlers: [api, prints]
root:
  level: WARNING
  handlers: [console]
"""


def run_script(script: Path, cwd: Path, *args: str, env: dict | None = None,
               check: bool = True, timeout: int = 600) -> Effects:
    """``python script.py ARGS`` in ``cwd`` against the session's test server (needs the
    ``prefect_harness``): Dask's worker processes and flow hooks run as a user runs them.
    Printed lines come from the run loggers' records, which every process appends to one
    file as JSON lines."""
    from prefect.settings import PREFECT_API_URL

    log_dir = Path(cwd).parent / f".{Path(cwd).name}-logs"
    log_dir.mkdir(exist_ok=True)
    records = log_dir / "prints.jsonl"
    config = log_dir / "logging.yml"
    config.write_text(_LOGGING_YML.format(path=json.dumps(str(records))))
    before = snapshot(cwd)
    environment = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(),
                   "PREFECT_LOGGING_SETTINGS_PATH": str(config), **(env or {})}
    proc = subprocess.run([sys.executable, str(script), *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=timeout)
    if check:
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    import prefect

    prefect_dir = str(Path(prefect.__file__).resolve().parent)
    printed = []
    if records.exists():
        for raw in records.read_text().splitlines():
            record = json.loads(raw)
            if record["levelno"] == logging.INFO and not str(
                    Path(record["pathname"]).resolve()).startswith(prefect_dir):
                printed.extend(lines(record["msg"] % tuple(record.get("args") or ())
                                     if record.get("args") else record["msg"]))
    printed.extend(lines(proc.stdout))  # prints outside a run (module level, main())
    return Effects(prints=printed, files=changed_files(before, snapshot(cwd)), result=proc)


# ------------------------------------------------------------------ comparison


@dataclass
class Excused:
    """A difference the conversion reported: what differs, the cell, nb2flow's reasons."""

    what: str
    cell: int
    reasons: list[str]


def reported_drops(result) -> dict[int, list[str]]:
    """Cell -> the reasons nb2flow gave for what it left out of that cell."""
    out: dict[int, list[str]] = {}
    for d in result.flow.dropped:
        where = "cell" if d.line is None else f"line {d.line}"
        out.setdefault(d.cell, []).append(f"{where}: {d.reason}")
    return out


def differences(notebook: Effects, flow: Effects, result) -> tuple[list[str], list[Excused]]:
    """(unexplained differences, differences nb2flow reported)."""
    drops = reported_drops(result)
    wrong: list[str] = []
    excused: list[Excused] = []

    def excuse(what: str, cell: int | None) -> bool:
        if cell is not None and drops.get(cell):
            excused.append(Excused(what, cell, drops[cell]))
            return True
        return False

    for name in sorted(set(notebook.files) | set(flow.files)):
        ours, theirs = flow.files.get(name), notebook.files.get(name)
        if ours == theirs or (theirs is not None and ours is not None
                              and same_content(name, theirs, ours)):
            continue
        if theirs is None:
            wrong.append(f"the flow wrote {name}, the notebook did not")
        elif not excuse(f"file {name}", notebook.writers.get(name)):
            state = "did not write" if ours is None else "wrote other bytes to"
            wrong.append(f"the flow {state} {name} (cell {notebook.writers.get(name)})")
    missing = Counter(notebook.prints) - Counter(flow.prints)
    extra = Counter(flow.prints) - Counter(notebook.prints)
    for line in list(missing):  # the same line but for a measured duration
        twin = next((e for e in extra if extra[e] and _timeless(e) == _timeless(line)
                     and _timeless(line) != line), None)
        while twin is not None and missing[line] and extra[twin]:
            missing[line] -= 1
            extra[twin] -= 1
    missing, extra = +missing, +extra
    for line, count in sorted(missing.items()):
        cells = notebook.print_cells.get(line, [])
        if _TIMING.match(line) and all("%time" in notebook.sources.get(c, "") for c in cells):
            # IPython's own report of a `%time`/`%timeit` in that cell, not the cell's code
            excused.extend(Excused(f"print {line!r}", c, ["IPython's %time report"])
                           for c in cells[:count])
            continue
        dropped = [c for c in cells if drops.get(c)]
        if len(dropped) >= count:
            for cell in dropped[:count]:
                excuse(f"print {line!r}", cell)
        else:
            wrong.append(f"the flow did not print {line!r} (x{count}, cells {cells})")
    shown = Counter(notebook.shown)
    for line, count in sorted(extra.items()):
        # a value the notebook displayed, printed by the flow as "label: value"
        label, _, value = line.partition(": ")
        while count and value and shown[value] > 0:
            shown[value] -= 1
            count -= 1
        if count:
            wrong.append(f"the flow printed {line!r} (x{count}), the notebook did not")
    return wrong, excused


_DURATION = __import__("re").compile(r"\d+(\.\d+)?\s*(ns|µs|us|ms|s|sec|seconds)\b")


_TIMING = __import__("re").compile(
    r"(CPU times: user .* total: |Wall time: |.* per loop \(mean ± std\. dev\. of "
    r"|The slowest run took .* times longer)")


def _timeless(line: str) -> str:
    return _DURATION.sub("<duration>", line)


def assert_same_effects(notebook: Effects, flow: Effects, result,
                        context: str = "") -> list[Excused]:
    """Fail on any difference nb2flow did not report; return the reported ones."""
    wrong, excused = differences(notebook, flow, result)
    assert not wrong, (
        "\n".join(wrong)
        + f"\nnotebook printed {notebook.prints}\nflow printed {flow.prints}"
        + f"\nreported drops {reported_drops(result)}\n{textwrap.indent(context, '  ')}")
    return excused


def same_content(name: str, a: bytes, b: bytes) -> bool:
    """Equal files whose bytes may differ: figures (the kernel's inline backend and the
    flow's Agg backend render differently; both must be images) and pickles of objects
    whose pickled bytes are not canonical (compared by their pickled state, re-dumped)."""
    if name.endswith(".png"):
        return a[:8] == b[:8] == b"\x89PNG\r\n\x1a\n"
    if name.endswith((".pkl", ".pickle", ".bin")):
        import pickle

        try:
            return _canonical(pickle.loads(a)) == _canonical(pickle.loads(b))
        except Exception:
            return False
    return False


def _canonical(value):
    """Plain data for an unpickled object: numpy arrays as lists, objects as their state."""
    import numpy as np

    if isinstance(value, np.ndarray):
        return ("ndarray", value.dtype.str, value.shape, value.tolist())
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in sorted(value.items(), key=lambda kv: repr(kv[0]))}
    if isinstance(value, (list, tuple)):
        return type(value)(_canonical(v) for v in value)
    if hasattr(value, "__getstate__") and not isinstance(value, (str, bytes, int, float)):
        state = value.__getstate__()
        if state is not value and isinstance(state, (dict, tuple, list)):
            return (type(value).__qualname__, _canonical(state))
    return value




