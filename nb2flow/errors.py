"""User-facing errors and warnings.

Every error a user can cause has a stable code (``NB2F001`` ...), a one-line message that
names the file, cell and line, and an entry in ``docs/errors.md`` with the fix. The CLI
catches :class:`Nb2FlowError` once and prints it; anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

#: code -> (title, hint). ``docs/errors.md`` documents every entry; a test keeps both in sync.
CATALOG: dict[str, tuple[str, str]] = {
    "NB2F001": ("file not found", "Check the path; nb2flow reads .ipynb files."),
    "NB2F002": ("not valid JSON", "The file is not a notebook; open and re-save it in Jupyter."),
    "NB2F003": (
        "not a Jupyter notebook",
        "The JSON has no 'cells' list or fails nbformat validation.",
    ),
    "NB2F004": (
        "nbformat 3 notebook",
        "Upgrade it first: `jupyter nbconvert --to notebook --nbformat 4 NB.ipynb`.",
    ),
    "NB2F005": (
        "kernel is not Python",
        "nb2flow converts Python notebooks only (kernelspec language 'python').",
    ),
    "NB2F006": ("syntax error in a code cell", "Fix the cell in the notebook and convert again."),
    "NB2F007": (
        "no code left after cleaning",
        "Every cell was dropped as plot, exploration or magic; tag a cell `nb2flow:keep`.",
    ),
    "NB2F008": (
        "refusing to overwrite a file nb2flow did not generate",
        "Choose another output with -o, or pass --force to replace it.",
    ),
    "NB2F009": (
        "generated script was edited by hand",
        "Move your edits into the notebook, or pass --force to overwrite them.",
    ),
    "NB2F010": (
        "cannot write the output",
        "The target is a symlink, a directory or not writable; choose another path.",
    ),
    "NB2F011": ("invalid cell tag", "Tags are `nb2flow:skip`, `nb2flow:keep`, `nb2flow:task=<name>`."),
    "NB2F012": (
        "invalid configuration",
        "Fix the `[tool.nb2flow]` table in pyproject.toml or the command-line option.",
    ),
    "NB2F013": (
        "unsupported IPython syntax",
        "Rewrite the line in plain Python (e.g. `x = !cmd` -> subprocess.run).",
    ),
    "NB2F014": (
        "invalid prefect.yaml",
        "Fix the key named in the message; `nb2flow check-yaml` re-runs the checks.",
    ),
    "NB2F015": ("not UTF-8", "Save the notebook as UTF-8 (Jupyter always does)."),
    "NB2F016": (
        "generated script is stale",
        "Run `nb2flow convert` on the notebook (the pre-commit hook does it for you).",
    ),
    "NB2F017": (
        "name used but never defined",
        "The notebook only worked because of a deleted or re-ordered cell: define the name "
        "in the notebook (or import it) and convert again.",
    ),
    "NB2F018": (
        "nb2flow verify needs nbclient and ipykernel",
        "Install the extra: pip install 'nb2flow[verify]'.",
    ),
    "NB2F019": (
        "notebook kernel not installed",
        "Pass --kernel python3, or install the kernel "
        "(python -m ipykernel install --user --name NAME).",
    ),
    "NB2F020": (
        "top-level await",
        "Move the code into an `async def` and run it with `asyncio.run(...)` in the "
        "notebook, then convert again.",
    ),
    "NB2F021": (
        "cell magic whose body is not Python",
        "nb2flow translates %%bigquery NAME, %%bash, %%sh, %%writefile, %%capture and the "
        "display magics; rewrite the cell in Python (a database client's query, "
        "subprocess.run) or tag it `nb2flow:skip`.",
    ),
    "NB2F022": (
        "a hosted notebook's runtime object",
        "The object exists only on its platform (Databricks' dbutils): replace the call "
        "with a library that runs anywhere (pathlib, os.environ, a secrets manager) or "
        "tag the cell `nb2flow:skip`.",
    ),
    "NB2F023": (
        "IPython output history with nothing to bind",
        "Give the value a name in the cell that computes it (`total = df.a.sum()`) and use "
        "the name instead of `_`, `Out[n]` or `In[n]`.",
    ),
}

#: Warning codes: printed, never fatal.
WARNINGS: dict[str, str] = {
    "NB2W001": "shell command runs through subprocess",
    "NB2W002": "star import kept at module level",
    "NB2W003": "cells were executed out of order",
    "NB2W004": "exec/eval reads names nb2flow cannot see",
    "NB2W005": "unknown magic dropped",
    "NB2W006": "a function changes module state (global)",
    "NB2W007": "--subflows found no top-level sections",
    "NB2W008": "--date-params found no dated paths",
    "NB2W009": "a function uses a name nothing defines",
    "NB2W010": "the script's name hides a module",
    "NB2W011": "the notebook saves nothing: the flow returns its last model or table",
    "NB2W012": "a print shows a secret: log_prints sends it to the run logs",
    "NB2W013": "a value built from a secret crosses a task boundary",
    "NB2W014": "a cell that never ran successfully was dropped",
    "NB2W015": "a module used but never imported was imported",
    "NB2W016": "a hosted notebook's runtime global is created by the script",
    "NB2W017": "IPython's output history became a name",
    "NB2W018": "code reading a name from a deleted cell was dropped",
}


@dataclass(frozen=True)
class Location:
    """Where in a notebook something is: ``file:cell N:line L``."""

    path: str
    cell: int | None = None  # 1-based position of the cell in the notebook
    line: int | None = None  # 1-based line inside the cell

    def __str__(self) -> str:
        parts = [self.path]
        if self.cell is not None:
            parts.append(f"cell {self.cell}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        return ":".join(parts)


class Nb2FlowError(Exception):
    """An error caused by the input or the options; shown without a traceback."""

    def __init__(self, code: str, message: str, where: Location | None = None):
        if code not in CATALOG:
            raise ValueError(f"unknown error code {code}")
        self.code = code
        self.message = message
        self.where = where
        super().__init__(self.render())

    @property
    def hint(self) -> str:
        return CATALOG[self.code][1]

    def render(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}{self.code} {self.message}"
