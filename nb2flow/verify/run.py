"""Run both sides and compare: what ``nb2flow verify`` does.

Both sides start from a copy of the working directory (the current directory unless
``--workdir``): the generated script reads and writes paths relative to the directory it
runs in, and the notebook's kernel is started there too, so both see the same ``data/...``.
The flow starts first (in a subprocess) and runs while the notebook executes.
"""

from __future__ import annotations

import ast
import importlib.util
import shutil
import tempfile
import threading
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Location, Nb2FlowError
from ..render import option_flag
from .model import Report, Side, VerifyOptions
from .workspace import changes, snapshot

_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def require_extras() -> None:
    """NB2F018 unless nbclient and ipykernel are installed (the ``verify`` extra)."""
    missing = []
    for name in ("nbclient", "ipykernel"):
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(name)
    if missing:
        raise Nb2FlowError("NB2F018", f"nb2flow verify needs {' and '.join(missing)}: "
                           "pip install 'nb2flow[verify]'")


def parse_params(items: tuple[str, ...], flow, strict: bool) -> tuple[dict[str, str], list[str]]:
    """``-p NAME=VALUE`` -> (Python source per name for the notebook, the script's arguments)."""
    types = {p.name: p.type for p in flow.params} if flow is not None else {}
    code: dict[str, str] = {}
    args: list[str] = []
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise Nb2FlowError("NB2F012", f"-p {item!r}: write NAME=VALUE")
        if strict and name not in types:
            known = ", ".join(sorted(types)) or "none"
            raise Nb2FlowError("NB2F012", f"-p {name}: not a parameter of the flow "
                               f"(parameters: {known}); convert with --param {name}, or pass "
                               "--script")
        option = option_flag(name)
        kind = types.get(name, "")
        try:
            if kind == "bool":
                if value.lower() not in _TRUE | _FALSE:
                    raise ValueError(value)
                flag = value.lower() in _TRUE
                code[name] = repr(flag)
                args.append(option if flag else "--no-" + option[2:])
            elif kind.startswith("list["):
                inner = {"int": int, "float": float}.get(kind[5:-1], str)
                items_ = [inner(x.strip()) for x in value.split(",") if x.strip()]
                code[name], args = repr(items_), args + [option, *map(str, items_)]
            elif kind in ("int", "float"):
                code[name], args = repr({"int": int, "float": float}[kind](value)), \
                    args + [option, value]
            elif kind == "str":
                code[name], args = repr(value), args + [option, value]
            else:  # unknown (a --script made with other options): a literal, else a string
                try:
                    code[name] = repr(ast.literal_eval(value))
                except (ValueError, SyntaxError):
                    code[name] = repr(value)
                args += [option, value]
        except ValueError:
            raise Nb2FlowError("NB2F012", f"-p {name}={value}: not a valid {kind}") from None
    return code, args


class Progress:
    """A status line on stderr (only on a terminal) with both sides' progress."""

    def __init__(self, console) -> None:
        self.console = console
        self.notebook = "notebook: waiting"
        self.flow = None
        self._stop = threading.Event()

    @contextmanager
    def shown(self, first: str):
        if self.console is None:
            yield self
            return
        with self.console.status(first) as status:
            thread = threading.Thread(target=self._tick, args=(status,), daemon=True)
            thread.start()
            try:
                yield self
            finally:
                self._stop.set()
                thread.join()

    def _tick(self, status) -> None:
        while not self._stop.wait(0.3):
            flow = self.flow.status() if self.flow is not None else ""
            status.update(" · ".join(x for x in (self.notebook, flow) if x))


def _inside(path: Path, folder: Path) -> Path | None:
    try:
        return path.resolve().relative_to(folder)
    except ValueError:
        return None


@dataclass(frozen=True)
class _Copies:
    """Where the two copies of the working folder are, and the paths inside them."""

    tmp: Path  # holds both copies, the kernel's log and Prefect's home
    root: Path  # the folder copied (the working folder, or above it for ../ paths)
    here: Path  # the working folder, relative to root: where both sides start
    rel_nb: Path | None  # the notebook, relative to root (None: outside it)
    rel_script: Path  # the flow script, relative to root

    @property
    def notebook(self) -> Path:
        return self.tmp / "notebook"

    @property
    def flow(self) -> Path:
        return self.tmp / "flow"


def verify(notebook: str | Path, options: VerifyOptions, console=None) -> tuple[Report, Side,
                                                                                Side]:
    """Run the notebook and its flow in copies of the working directory; compare."""
    from ..pipeline import ConvertOptions, build
    from .notebook_run import inject
    from .workspace import tree_root

    require_extras()
    notebook = Path(notebook)
    workdir = _check_options(options)
    result = build(notebook, ConvertOptions())  # raises the loader's and planner's errors
    flow = result.flow
    script_text = options.script.read_text(encoding="utf-8") if options.script else result.text
    param_code, args = parse_params(options.params, flow, strict=options.script is None)
    nb, kernel = _blank_notebook(notebook, options.kernel)
    numbers = inject(nb, param_code, notebook)
    sources = {n: nb.cells[i].source for i, n in enumerate(numbers)
               if n is not None and nb.cells[i].cell_type == "code"}

    report = Report(str(notebook), str(options.script or result.script), str(workdir),
                    converted=options.script is None)
    root = tree_root(workdir, sources.values())  # holds every ../ path the notebook names
    here = workdir.relative_to(root)  # where both sides start, inside the copies
    tmp = Path(tempfile.mkdtemp(prefix="nb2flow-verify-"))
    try:
        script = options.script or result.script
        copies = _Copies(tmp, root, here, _inside(notebook, root),
                         _inside(script, root) or here / script.name)
        fl_base = _copy(copies, options, report, script_text)
        nb_side, fl_side = _run_sides(copies, nb, numbers, kernel, args, options, flow,
                                      console)
        fl_side.changes = changes(fl_base, snapshot(copies.flow))
        # a file rewritten with the bytes it had before is still an output: the model an
        # earlier run of the flow saved in the folder is written again, and compared
        fl_side.changes.pop(copies.rel_script.as_posix(), None)
        report.seconds.update(notebook=round(nb_side.seconds, 2), flow=round(fl_side.seconds, 2))
        _compare(report, copies, nb_side, fl_side, flow, sources, options.rtol)
        if options.keep is not None:
            report.kept = str(_keep(options.keep, nb, nb_side, fl_side))
        return report, nb_side, fl_side
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _check_options(options: VerifyOptions) -> Path:
    """The working folder, resolved; NB2F012/NB2F001 for options that cannot work."""
    workdir = (options.workdir or Path.cwd()).resolve()
    if not workdir.is_dir():
        raise Nb2FlowError("NB2F012", f"--workdir {workdir}: not a folder")
    if options.keep is not None and options.keep.exists() and (
            not options.keep.is_dir() or any(options.keep.iterdir())):
        raise Nb2FlowError("NB2F012", f"--keep {options.keep}: exists and is not an empty "
                           "folder; choose a new one")
    if options.script is not None and not options.script.is_file():
        raise Nb2FlowError("NB2F001", f"script {options.script} not found",
                           Location(str(options.script)))
    return workdir


def _blank_notebook(notebook: Path, kernel: str | None) -> tuple[Any, str]:
    """The notebook without outputs, and its kernel (NB2F019 when not installed)."""
    import nbformat

    from .notebook_run import check_kernel, kernel_name

    with warnings.catch_warnings():  # cells without ids (nbformat < 4.5) get new ones
        warnings.simplefilter("ignore")
        nb = nbformat.read(str(notebook), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    name = kernel_name(nb, kernel)
    check_kernel(name, notebook)
    return nb, name


def _copy(copies: _Copies, options: VerifyOptions, report: Report, script_text: str) -> dict:
    """Copy the working folder twice, write the script into the flow's copy; returns the
    flow copy's snapshot before the run."""
    from .workspace import copy_tree

    skip = (copies.tmp, options.keep) if options.keep is not None else (copies.tmp,)
    started = time.monotonic()
    size = copy_tree(copies.root, copies.notebook, options.exclude, skip)
    copy_tree(copies.root, copies.flow, options.exclude, skip)
    if size > 1_000_000_000:
        report.notes.append(f"copied {size / 1e9:.1f} GB twice; leave folders out with "
                            "--exclude")
    target = copies.flow / copies.rel_script
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(script_text, encoding="utf-8")
    fl_base = snapshot(copies.flow)
    report.seconds["copy"] = round(time.monotonic() - started, 2)
    return fl_base


def _run_sides(copies: _Copies, nb: Any, numbers: list[int | None], kernel: str,
               args: list[str], options: VerifyOptions, flow: Any,
               console: Any) -> tuple[Side, Side]:
    """Start the flow (a subprocess), execute the notebook meanwhile, wait for the flow."""
    from . import compare
    from .flow_run import FlowProcess, flow_env
    from .notebook_run import run_notebook

    tmp, nb_dir, fl_dir, here = copies.tmp, copies.notebook, copies.flow, copies.here
    progress = Progress(console)
    with progress.shown("starting the notebook and the flow"):
        proc = FlowProcess(fl_dir / copies.rel_script, args, fl_dir,
                           flow_env(tmp / "prefect-home", options.server), tmp,
                           cwd=fl_dir / here)
        progress.flow = proc
        try:
            nb_side = run_notebook(
                nb, numbers, nb_dir, cwd=nb_dir / here, kernel=kernel,
                timeout=options.timeout,
                extra_path=(nb_dir / copies.rel_nb).parent if copies.rel_nb else None,
                kernel_log=tmp / "kernel.log",
                progress=lambda text: setattr(progress, "notebook", text),
                dropped=compare.dropped_cells(flow),
            )
            progress.notebook = "notebook: done"
            labels = frozenset(v.label for v in nb_side.values if v.shown)
            fl_side = proc.wait(proc.started + options.timeout, options.timeout, labels)
        finally:
            proc.stop()
    return nb_side, fl_side


def _compare(report: Report, copies: _Copies, nb_side: Side, fl_side: Side, flow: Any,
             sources: dict[int, str], rtol: float) -> None:
    """Fill the report: files, printed values and MLflow runs of both sides, with hints."""
    from . import compare, hints
    from .mlflow_store import find_runs, pair_runs, rename_paths

    root = copies.root
    nb_runs, nb_dbs = find_runs(copies.notebook, nb_side.changes, root)
    fl_runs, fl_dbs = find_runs(copies.flow, fl_side.changes, root)
    pair_runs(nb_runs, fl_runs)
    for run in nb_runs:
        run.cell = next((cell for cell, began, ended in nb_side.cell_times
                         if began <= run.start / 1000 <= ended), None)
    rows = compare.file_rows(nb_side, fl_side, rename_paths(nb_side.changes, nb_runs, nb_dbs),
                             rename_paths(fl_side.changes, fl_runs, fl_dbs), rtol, flow)
    rows += compare.value_rows(nb_side.values, fl_side.values, rtol, flow)
    rows += compare.mlflow_rows(nb_runs, fl_runs, rtol, flow)
    findings = hints.unseeded(sorted(sources.items()))
    report.notes += compare.add_hints(rows, flow, findings, sources)
    report.rows = rows
    report.errors = [e for e in (nb_side.error, fl_side.error) if e is not None]
    report.dropped_errors = nb_side.dropped_errors


def _keep(dest: Path, nb, nb_side: Side, fl_side: Side) -> Path:
    import nbformat

    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(nb_side.run_dir, dest / "notebook", symlinks=True)
    shutil.copytree(fl_side.run_dir, dest / "flow", symlinks=True)
    nbformat.write(nb, str(dest / "notebook.ipynb"))
    (dest / "flow.log").write_text(fl_side.log, encoding="utf-8")
    return dest
