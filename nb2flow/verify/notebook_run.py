"""Execute the notebook with nbclient, cell by cell, noting which cell wrote which file.

The kernel runs in the notebook's run folder (a copy of the working directory), with the
notebook's own folder on ``PYTHONPATH`` so that its local modules import as in Jupyter.
"""

from __future__ import annotations

import ast
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from ..errors import Location, Nb2FlowError
from .model import RunError, Side, Value
from .values import find_values, shown_label, shown_number, strip_ansi
from .workspace import changes, snapshot

INJECTED = "nb2flow-verify-parameters"


def kernel_name(nb: nbformat.NotebookNode, override: str | None) -> str:
    return override or nb.metadata.get("kernelspec", {}).get("name") or "python3"


def check_kernel(name: str, notebook: Path) -> None:
    """NB2F019 when no kernel of that name is installed (before anything runs)."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        raise Nb2FlowError(
            "NB2F019", f"the notebook's kernel {name!r} is not installed here; pass "
            "--kernel python3 or install it", Location(str(notebook)),
        ) from None


def assigned_in(source: str) -> set[str]:
    """Names a cell assigns at top level (where a parameter's value comes from)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for stmt in tree.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else \
            [stmt.target] if isinstance(stmt, ast.AnnAssign) else []
        for target in targets:
            for node in ast.walk(target):
                if isinstance(node, ast.Name):
                    names.add(node.id)
    return names


def inject(nb: nbformat.NotebookNode, values: dict[str, str], notebook: Path) -> list[int | None]:
    """Add a cell setting each ``-p`` value after the first cell that assigns it (like
    papermill). Returns each cell's number in the original notebook (None: injected)."""
    numbers: list[int | None] = list(range(1, len(nb.cells) + 1))
    after: dict[int, list[str]] = {}
    for name, code in values.items():
        index = next((i for i, c in enumerate(nb.cells)
                      if c.cell_type == "code" and name in assigned_in(c.source)), None)
        if index is None:
            raise Nb2FlowError("NB2F012", f"-p {name}: no cell of the notebook assigns "
                               f"{name}", Location(str(notebook)))
        after.setdefault(index, []).append(f"{name} = {code}")
    for index in sorted(after, reverse=True):
        cell = nbformat.v4.new_code_cell("\n".join(after[index]))
        cell.metadata["tags"] = [INJECTED]
        nb.cells.insert(index + 1, cell)
        numbers.insert(index + 1, None)
    return numbers


@dataclass
class _Progress:
    """How far the run got: read when a cell fails."""

    previous: dict  # the run folder's snapshot after the last cell
    touched: dict[str, list[int]] = field(default_factory=dict)  # file -> cells writing it
    executed: list[int] = field(default_factory=list)  # indexes of the cells started
    current: int | None = None  # the cell running (its number; None: injected)


def run_notebook(
    nb: nbformat.NotebookNode,
    numbers: list[int | None],
    run_dir: Path,
    *,
    cwd: Path | None = None,
    kernel: str,
    timeout: float,
    extra_path: Path | None = None,
    kernel_log: Path | None = None,
    progress: Callable[[str], None] = lambda text: None,
    dropped: dict[int, str] | None = None,
) -> Side:
    """Execute ``nb`` (outputs are written into it) in ``cwd``, a folder of ``run_dir``
    (default: ``run_dir`` itself), noting the files it changes under ``run_dir``.

    ``dropped`` maps the cells convert left out of the flow to the reason: an error there
    (a plot with a typo, a call to a service that is not running) is recorded in
    ``Side.dropped_errors`` and the run goes on, as the flow does without that cell. An
    error in any other cell ends the run: the notebook itself fails there.
    """
    dropped = dropped or {}
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    side = Side("notebook", run_dir)
    started = time.monotonic()
    client = NotebookClient(nb, timeout=int(timeout), kernel_name=kernel,
                            resources={"metadata": {"path": str(cwd or run_dir)}})
    env = dict(os.environ)
    if extra_path is not None:
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(extra_path), env.get("PYTHONPATH", "")) if p)
    base = snapshot(run_dir)
    state = _Progress(base)
    try:
        progress("notebook: starting the kernel")
        client.reset_execution_trackers()
        with open(kernel_log or os.devnull, "wb") as log, \
                client.setup_kernel(env=env, stdout=log, stderr=log):  # the kernel's chatter
            _execute(client, nb, numbers, side, state, started + timeout, timeout,
                     progress, dropped)
    except (CellExecutionError, CellTimeoutError, DeadKernelError, RuntimeError, OSError,
            TimeoutError) as exc:
        side.error = _run_error(exc, nb, numbers, state, run_dir, timeout, kernel_log)
    side.seconds = time.monotonic() - started
    side.changes = changes(base, snapshot(run_dir))
    side.cells = {p: sorted(set(state.touched.get(p, []))) for p in side.changes}
    side.values = notebook_values(nb, numbers, state.executed)
    return side


def _execute(client: Any, nb: nbformat.NotebookNode, numbers: list[int | None], side: Side,
             state: _Progress, deadline: float, timeout: float,
             progress: Callable[[str], None], dropped: dict[int, str]) -> None:
    """Run the code cells one by one until one fails (raises) or the deadline passes."""
    from nbclient.exceptions import CellExecutionError

    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]
    for k, index in enumerate(code, start=1):
        current = state.current = numbers[index]
        progress(f"notebook: cell {current or '(parameters)'} ({k}/{len(code)})")
        if time.monotonic() >= deadline:
            side.error = RunError("notebook", f"cell {current}",
                                  f"not started: --timeout {timeout:g} s reached",
                                  cell=current)
            return
        client.timeout = max(1, int(deadline - time.monotonic()))
        state.executed.append(index)
        began = time.time()  # wall clock, as MLflow's start_time
        try:
            client.execute_cell(nb.cells[index], index,
                                execution_count=client.code_cells_executed + 1)
        except CellExecutionError as exc:
            if current not in dropped:
                raise
            side.dropped_errors.append(RunError(
                "notebook", f"cell {current}", f"{exc.ename}: {exc.evalue}".strip(),
                [f"not in the flow: {dropped[current]}"], cell=current))
        finally:
            if current is not None:
                side.cell_times.append((current, began, time.time()))
            now = snapshot(side.run_dir)
            for path in changes(state.previous, now):
                if current is not None:
                    state.touched.setdefault(path, []).append(current)
            state.previous = now


def _run_error(exc: Exception, nb: nbformat.NotebookNode, numbers: list[int | None],
               state: _Progress, run_dir: Path, timeout: float,
               kernel_log: Path | None) -> RunError:
    """Where and why the notebook stopped."""
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    current = state.current
    if isinstance(exc, CellExecutionError):
        return RunError("notebook", f"cell {current}", f"{exc.ename}: {exc.evalue}".strip(),
                        _last_lines(nb.cells[state.executed[-1]], _counts(nb, numbers),
                                    run_dir),
                        cell=current)
    if isinstance(exc, CellTimeoutError):
        return RunError("notebook", f"cell {current}",
                        f"did not finish within {timeout:g} s (--timeout)",
                        _last_lines(nb.cells[state.executed[-1]], _counts(nb, numbers),
                                    run_dir),
                        cell=current)
    if isinstance(exc, DeadKernelError):
        return RunError("notebook", f"cell {current}", f"the kernel died: {exc}",
                        _tail(kernel_log), cell=current)
    # the kernel would not start
    return RunError("notebook", "kernel" if current is None else f"cell {current}",
                    f"{type(exc).__name__}: {exc}"[:300], _tail(kernel_log), cell=current)


def notebook_values(nb: nbformat.NotebookNode, numbers: list[int | None],
                    executed: list[int]) -> list[Value]:
    values = []
    for index in executed:
        number, cell = numbers[index], nb.cells[index]
        if number is None:
            continue
        shell = shell_only(cell.source)
        for output in cell.get("outputs", []):
            if shell:  # what !ls -lh, !du -sh or %%bash print are listings, not results
                continue
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                values += [Value(label, text, n, cell=number)
                           for label, text, n in find_values(output.get("text", ""))]
            elif output.get("output_type") == "execute_result":
                shown = shown_number(output.get("data", {}).get("text/plain", ""))
                label = shown_label(cell.source)
                if shown and label:
                    values.append(Value(label[0], shown[0], shown[1], cell=number, shown=True,
                                        line=label[1]))
    return values


_SHELL_MAGICS = ("%%bash", "%%sh", "%%script", "%%system")


def shell_only(source: str) -> bool:
    """A cell of shell commands only (``!ls -lh model.bin``, a ``%%bash`` cell)."""
    lines = [line.strip() for line in source.splitlines()]
    code = [line for line in lines if line and not line.startswith("#")]
    if not code:
        return False
    return code[0].startswith(_SHELL_MAGICS) or all(line.startswith("!") for line in code)


def _last_lines(cell: nbformat.NotebookNode, cells: dict[int, int], run_dir: Path,
                count: int = 14) -> list[str]:
    """The cell's last printed lines and its traceback's frames in the user's code.

    IPython names cells by execution count (``Cell In[3]``); they are renamed to the
    notebook's cell numbers. Frames outside the notebook and the run folder (libraries,
    Python itself) are left out.
    """
    lines: list[str] = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            lines += strip_ansi(output.get("text", "")).splitlines()[-5:]
        elif output.get("output_type") == "error":
            chunks = [strip_ansi(c) for c in output.get("traceback", [])]
            for chunk in chunks[1:-1]:
                head = chunk.lstrip().splitlines()[0] if chunk.strip() else ""
                if head.startswith(("Cell In[", f"File {run_dir}")):
                    lines += [line.replace(f"{run_dir}{os.sep}", "")
                              for line in chunk.splitlines() if line.strip()]
            if chunks:
                lines += [line for line in chunks[-1].splitlines() if line.strip()]
    renamed = [re.sub(r"Cell In\[(\d+)\]",
                      lambda m: f"cell {cells.get(int(m[1]), m[1])}", line) for line in lines]
    return renamed[-count:]


def _counts(nb: nbformat.NotebookNode, numbers: list[int | None]) -> dict[int, int]:
    """Execution count -> cell number, for the cells that ran."""
    return {c.execution_count: n for c, n in zip(nb.cells, numbers)
            if n is not None and c.get("execution_count")}


def _tail(path: Path | None, count: int = 8) -> list[str]:
    if path is None or not path.is_file():
        return []
    text = path.read_text(encoding="utf-8", errors="replace")
    return [line for line in strip_ansi(text).splitlines() if line.strip()][-count:]
