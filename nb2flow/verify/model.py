"""Records passed between the verify modules (plain dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# Row statuses. The first three fail the verification; the last two are shown for information.
SAME = "same"
DIFFERENT = "different"
ONLY_NOTEBOOK = "only in notebook"
ONLY_FLOW = "only in flow"
DROPPED = "not in flow (dropped)"
FAILING = (DIFFERENT, ONLY_NOTEBOOK)


@dataclass
class VerifyOptions:
    script: Path | None = None  # an existing script; default: build it in memory
    params: tuple[str, ...] = ()  # NAME=VALUE
    timeout: float = 600.0  # seconds each side may run
    keep: Path | None = None  # copy both run folders here
    rtol: float = 1e-6
    server: bool = False  # use the configured Prefect server instead of an ephemeral one
    workdir: Path | None = None  # the folder both sides run in (a copy of it); default: cwd
    kernel: str | None = None  # default: the notebook's kernelspec name, else python3
    exclude: tuple[str, ...] = ()  # more folders or globs not to copy


@dataclass
class Value:
    """A number printed (or shown as a cell's result) with the label in front of it."""

    label: str
    text: str  # the number as printed
    number: float
    cell: int | None = None  # notebook cell that printed it
    task: str | None = None  # flow task that printed it ("flow" for the flow body)
    shown: bool = False  # the cell's displayed result, not a print
    line: int | None = None  # for a shown result: the line of the cell's last expression


@dataclass
class RunError:
    side: str  # "notebook" or "flow"
    where: str  # "cell 4", "task train_model", "script", "kernel"
    exception: str  # "ValueError: bad value"
    output: list[str] = field(default_factory=list)  # the last lines that explain it
    cell: int | None = None
    task: str | None = None


@dataclass
class Side:
    """What one side (notebook or flow) did in its run folder."""

    name: str
    run_dir: Path
    changes: dict[str, str] = field(default_factory=dict)  # path -> new|changed|deleted
    cells: dict[str, list[int]] = field(default_factory=dict)  # path -> cells that wrote it
    values: list[Value] = field(default_factory=list)
    error: RunError | None = None
    dropped_errors: list[RunError] = field(default_factory=list)  # in cells not in the flow
    cell_times: list[tuple[int, float, float]] = field(default_factory=list)  # cell, start, end
    seconds: float = 0.0
    log: str = ""  # flow: stdout and stderr; notebook: empty (outputs are in the notebook)


@dataclass
class Row:
    kind: str  # "file", "value", "mlflow"
    name: str
    notebook: str  # what the notebook produced, shortly ("1.2 kB", "5.1234", "")
    flow: str
    status: str
    cells: tuple[int, ...] = ()
    tasks: tuple[str, ...] = ()
    detail: str = ""
    hints: list[str] = field(default_factory=list)


@dataclass
class Report:
    notebook: str
    script: str
    workdir: str
    converted: bool = False  # the script was converted in memory (no --script)
    rows: list[Row] = field(default_factory=list)
    errors: list[RunError] = field(default_factory=list)
    dropped_errors: list[RunError] = field(default_factory=list)  # no effect on the verdict
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    kept: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and not any(r.status in FAILING for r in self.rows)
