"""Write docs/generated/*.md from real nb2flow runs; the pages include them with snippets.

    python docs/gen_examples.py          # rewrite docs/generated/
    python docs/gen_examples.py --check  # exit 1 if a committed snippet is out of date

Every example output in the documentation comes from here: ``nb2flow`` is run as a process
(``python -m nb2flow``) in a temporary project on the example notebook
``examples/notebooks/duration_prediction.ipynb``, on the golden cases of
``tests/golden/cases`` and on small notebooks that trigger each error and warning of
``nb2flow/errors.py``. Pages include the results with ``--8<-- "docs/generated/NAME.md"``.
The temporary folder is written as ``/home/you/taxi`` so the output does not depend on
where it ran. ``tests/test_docs.py`` regenerates everything and compares.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "generated"
EXAMPLE = ROOT / "examples" / "notebooks" / "duration_prediction.ipynb"
EXAMPLE_REL = "examples/notebooks/duration_prediction.ipynb"
FALLBACK_CASE = ROOT / "tests" / "golden" / "cases" / "taxi_headings.py"  # the same notebook
GOLDEN = ROOT / "tests" / "golden" / "cases"
ORCHESTRATION = ROOT / "tests" / "notebooks" / "zoomcamp" / "orchestration_taxi.ipynb"
SHOWN_ROOT = "/home/you/taxi"
COLUMNS = 100  # width of rich tables (inspect) in the snippets


# ----------------------------------------------------------------------------- running


@dataclass
class Run:
    command: str  # as shown to the reader
    code: int
    output: str  # stdout and stderr, interleaved as on a terminal


class Project:
    """A temporary git repository that nb2flow runs in."""

    def __init__(self, folder: Path):
        self.root = folder
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ".git").mkdir(exist_ok=True)  # pyproject/prefect.yaml lookups stop here

    def scrub(self, text: str) -> str:
        for form in {str(self.root.resolve()), str(self.root)}:
            text = text.replace(form + "/", SHOWN_ROOT + "/").replace(form, SHOWN_ROOT)
        return text

    def nb2flow(self, *args: str, shown: str | None = None, prelude: str = "") -> Run:
        env = {**os.environ, "COLUMNS": str(COLUMNS), "NO_COLOR": "1", "TERM": "dumb",
               "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1"}
        env.pop("FORCE_COLOR", None)
        code = f"{prelude}import sys; from nb2flow.cli import main; " \
               f"sys.argv = ['nb2flow', *sys.argv[1:]]; main()"
        done = subprocess.run([sys.executable, "-P", "-c", code, *args], cwd=self.root, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=300)
        command = shown or "nb2flow " + " ".join(_quote(a) for a in args)
        return Run(command, done.returncode, self.scrub(done.stdout))

    def python(self, *args: str) -> Run:
        env = {**os.environ, "COLUMNS": str(COLUMNS), "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, *args], cwd=self.root, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=300)
        return Run("python " + " ".join(args), done.returncode, self.scrub(done.stdout))


def _quote(arg: str) -> str:
    return f'"{arg}"' if (" " in arg or "*" in arg) else arg


def console(*runs: Run) -> str:
    body = []
    for run in runs:
        body.append(f"$ {run.command}")
        body.append("\n".join(line.rstrip() for line in run.output.rstrip("\n").split("\n")))
    return fence("console", "\n".join(line for line in body if line != ""))


def output_of(run: Run) -> str:
    """A run's output alone (``.txt``): docs/tutorial.md shows the command itself in a
    console block and includes this below it, so the page reads right in the repository."""
    return "\n".join(line.rstrip() for line in run.output.rstrip("\n").split("\n"))


def fence(lang: str, text: str, title: str | None = None) -> str:
    ticks = "````" if "```" in text else "```"
    head = f'{ticks}{lang}' + (f' title="{title}"' if title else "")
    return f"{head}\n{text.rstrip()}\n{ticks}\n"


def indent(text: str) -> str:
    return textwrap.indent(text, "    ", lambda line: line.strip() != "")


def tabs(items: list[tuple[str, str]]) -> str:
    """pymdownx.tabbed tabs: ``=== "title"`` and the content indented by four spaces."""
    return "\n".join(f'=== "{title}"\n\n{indent(content)}' for title, content in items)


# ------------------------------------------------------------------- notebooks as text


def cells_of(notebook: Path) -> list[dict]:
    data = json.loads(notebook.read_text(encoding="utf-8"))
    out = []
    for number, cell in enumerate(data["cells"], start=1):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        out.append({"number": number, "kind": cell["cell_type"], "source": source,
                    "tags": (cell.get("metadata") or {}).get("tags") or []})
    return out


def percent(cells: list[dict], numbers: list[int] | None = None) -> str:
    """Cells as a readable script: ``# In [n]:`` code cells, markdown as comments."""
    parts = []
    for cell in cells:
        if numbers is not None and cell["number"] not in numbers:
            continue
        tags = f" tags={cell['tags']}" if cell["tags"] else ""
        if cell["kind"] == "markdown":
            text = "\n".join(f"# {line}".rstrip() for line in cell["source"].splitlines())
            parts.append(f"# cell {cell['number']} (markdown){tags}\n{text}")
        elif cell["kind"] == "code":
            parts.append(f"# cell {cell['number']}{tags}\n{cell['source'].rstrip()}")
    return "\n\n".join(parts)


def notebook_from_case(case: Path, folder: Path) -> tuple[Path, list[str]]:
    """Build the notebook of a golden case (jupytext percent); return it and its options."""
    import jupytext

    text = case.read_text(encoding="utf-8")
    flags: list[str] = []
    if text.startswith("# options:"):
        first, text = text.split("\n", 1)
        for item in first.split(":", 1)[1].split():
            key, value = item.split("=")
            flag = "--" + key.replace("_", "-")
            flags += [flag] if value == "true" else [] if value == "false" else [flag, value]
    nb = jupytext.reads(text, fmt="py:percent")
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                 "display_name": "Python 3"}
    path = folder / f"{case.stem}.ipynb"
    jupytext.write(nb, path, fmt="ipynb")
    return path, flags


def make_notebook(path: Path, *cells, kernel: str = "python3", language: str = "python",
                  counts: list[int] | None = None) -> Path:
    """Cells are code strings or (kind, source[, tags]) tuples."""
    built = []
    for i, cell in enumerate(cells):
        if isinstance(cell, str):
            cell = ("code", cell)
        kind, source, *rest = cell
        entry = {"id": f"cell-{i + 1}", "cell_type": kind,
                 "metadata": {"tags": list(rest[0])} if rest else {}, "source": source}
        if kind == "code":
            entry.update(outputs=[], execution_count=counts[i] if counts else None)
        built.append(entry)
    nb = {"nbformat": 4, "nbformat_minor": 5, "cells": built,
          "metadata": {"kernelspec": {"name": kernel, "language": language,
                                      "display_name": kernel},
                       "language_info": {"name": language}}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------- script surgery


def definitions(script: str) -> dict[str, str]:
    """Top-level functions of a script, with their decorators, by name."""
    tree = ast.parse(script)
    lines = script.splitlines()
    out = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            out[node.name] = "\n".join(lines[start - 1:node.end_lineno])
    return out


def without_main(script: str) -> str:
    """The script up to ``def main()`` (the argparse command line), which is the same shape
    for every notebook."""
    head = script.split("\n\ndef main() -> None:", 1)[0].rstrip()
    return head + "\n\n\n# def main() -> None: ... (argparse command line, omitted)\n"


# ------------------------------------------------------------------- the example notebook


def example_notebook(project: Project) -> Path:
    target = project.root / EXAMPLE_REL
    target.parent.mkdir(parents=True, exist_ok=True)
    if EXAMPLE.exists():
        shutil.copy(EXAMPLE, target)
    else:  # the example is the golden taxi case's notebook
        built, _ = notebook_from_case(FALLBACK_CASE, target.parent)
        built.rename(target)
    return target


def example_snippets(work: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    project = Project(work / "example")
    nb = example_notebook(project)
    cells = cells_of(nb)
    script_rel = EXAMPLE_REL.replace(".ipynb", ".py")
    out["example_notebook.md"] = fence("python", percent(cells), title=EXAMPLE_REL)

    convert = project.nb2flow("convert", EXAMPLE_REL)
    out["convert_output.md"] = console(convert)
    out["tutorial/convert_output.txt"] = output_of(convert)
    script = (project.root / script_rel).read_text(encoding="utf-8")
    out["generated_script.md"] = fence("python", script, title=script_rel)
    again = project.nb2flow("convert", EXAMPLE_REL)
    out["convert_again.md"] = console(again)
    out["tutorial/convert_again.txt"] = output_of(again)

    table = project.nb2flow("inspect", EXAMPLE_REL)
    out["inspect_table.md"] = console(table)
    out["tutorial/inspect_table.txt"] = output_of(table)
    raw = project.nb2flow("inspect", EXAMPLE_REL, "-f", "json")
    plan = json.loads(raw.output)
    out["inspect_json.md"] = fence("json", raw.output, title=f"nb2flow inspect {EXAMPLE_REL} -f json")
    mermaid = project.nb2flow("inspect", EXAMPLE_REL, "-f", "mermaid")
    out["inspect_mermaid.md"] = fence("mermaid", mermaid.output)
    out["inspect_mermaid_source.md"] = console(mermaid)

    help_ = project.python(script_rel, "--help")
    out["flow_help.md"] = console(help_)
    out["tutorial/flow_help.txt"] = output_of(help_)

    out["before_after.md"] = before_after(cells, plan, script)
    out["cell_map.md"] = cell_map(plan)

    defs = definitions(script)
    flow = plan["flow"]["function"]
    variants = {
        "sequential": ["--sequential"],
        "dask": ["--task-runner", "dask"],
        "cache": ["--cache", "--cache-expiration", "7d"],
        "date_params": ["--date-params", "--data-dir"],
    }
    for name, flags in variants.items():
        target = f"variant_{name}.py"
        run = project.nb2flow("convert", EXAMPLE_REL, "-o", target, "--no-deployment", *flags)
        text = (project.root / target).read_text(encoding="utf-8")
        found = definitions(text)
        if name == "cache":
            shown = "\n\n\n".join(found[t["name"]] for t in plan["tasks"])
        else:
            shown = found[flow]
        title = f"nb2flow convert {EXAMPLE_REL} " + " ".join(flags)
        assert run.code == 0, run.output
        out[f"variant_{name}.md"] = fence("python", shown, title=title)
    out["flow_function.md"] = fence("python", defs[flow], title=script_rel)

    # the road to a deployment: init-project, then convert with a schedule
    deploy = Project(work / "taxi")
    example_notebook(deploy)
    init = deploy.nb2flow("init-project", "--pool", "local-pool")
    conv = deploy.nb2flow("convert", EXAMPLE_REL, "--date-params", "--cron", "0 6 2 * *",
                          "--timezone", "Europe/Paris", "--tag", "taxi", "--notify",
                          "failure", "--notify-block", "slack-webhook/ml-alerts")
    out["deploy_init.md"] = console(init)
    out["deploy_convert.md"] = console(conv)
    out["tutorial/deploy_init.txt"] = output_of(init)
    out["tutorial/deploy_convert.txt"] = output_of(conv)
    yaml_text = deploy.scrub((deploy.root / "prefect.yaml").read_text(encoding="utf-8"))
    # from the pull step on: the header holds the installed Prefect's exact version
    yaml_text = yaml_text[yaml_text.index("# pull section"):]
    out["deploy_prefect_yaml.md"] = fence("yaml", "...\n" + yaml_text, title="prefect.yaml")
    return out


def orchestration_snippets(work: Path) -> dict[str, str]:
    """The worked example of docs/cleaning.md: the MLOps Zoomcamp orchestration notebook."""
    project = Project(work / "orchestration")
    shutil.copy(ORCHESTRATION, project.root / ORCHESTRATION.name)
    convert = project.nb2flow("convert", ORCHESTRATION.name, "--no-deployment")
    assert convert.code == 0, convert.output
    script = (project.root / ORCHESTRATION.with_suffix(".py").name).read_text(encoding="utf-8")
    keep = project.nb2flow("convert", ORCHESTRATION.name, "--keep-experiments", "-o",
                           "with_experiments.py", "--no-deployment")
    assert keep.code == 0, keep.output
    tasks = [line for line in keep.output.splitlines() if line.strip().startswith("tasks (")]
    return {"orchestration_convert.md": console(convert),
            "orchestration_script.md": fence("python", without_main(script),
                                             title=ORCHESTRATION.with_suffix(".py").name),
            "orchestration_keep_experiments.md": console(Run(keep.command, 0, tasks[0] + "\n  ..."))}


def before_after(cells: list[dict], plan: dict, script: str) -> str:
    """For each task: the notebook cells it came from, and the task in the script."""
    defs = definitions(script)
    parts = []
    for task in plan["tasks"]:
        numbers = task["cells"]
        where = ", ".join(map(str, numbers))
        label = "cell" if len(numbers) == 1 else "cells"
        calls = f", called {task['calls']} times" if task["calls"] > 1 else ""
        parts.append(f"#### `{task['name']}`{calls}\n")
        parts.append(tabs([
            (f"Notebook {label} {where}", fence("python", percent(cells, numbers))),
            (f"Script: task {task['name']}", fence("python", defs[task["name"]])),
        ]))
    flow = plan["flow"]["function"]
    parts.append(f"#### The flow `{flow}`\n")
    parts.append("The parameters come from the paths in the notebook; each call is a task run.\n")
    parts.append(fence("python", defs[flow]))
    dropped = [c for c in plan["cells"] if c["kind"] == "code" and c["status"] == "dropped"]
    if dropped:
        parts.append("#### Dropped cells\n")
        rows = ["| cell | first line | why |", "|---|---|---|"]
        for c in dropped:
            why = c["reason"] or "; ".join(
                f"line {d['line']}: {d['reason']}" for d in c["dropped_lines"])
            rows.append(f"| {c['cell']} | {_code(c['first_line'])} | {why} |")
        parts.append("\n".join(rows) + "\n")
    return "\n".join(parts)


def cell_map(plan: dict) -> str:
    """Two columns: each code cell of the notebook, and what it became in the script."""
    rows = ["| notebook cell | in the script |", "|---|---|"]
    for c in plan["cells"]:
        if c["kind"] != "code":
            continue
        if c["status"] == "dropped":
            became = "dropped: " + (c["reason"] or "; ".join(
                f"line {d['line']} {d['reason']}" for d in c["dropped_lines"]))
        else:
            became = ", ".join(f"`{p}`" if " " not in p else
                               f"{p.split(' ', 1)[0]} `{p.split(' ', 1)[1]}`"
                               for p in c["placed"])
            if c["dropped_lines"]:
                became += "; dropped " + "; ".join(
                    f"line {d['line']} ({d['reason']})" for d in c["dropped_lines"])
        rows.append(f"| {c['cell']}: {_code(c['first_line'])} | {became} |")
    return "\n".join(rows) + "\n"


def _code(text: str) -> str:
    """Inline code for a Markdown table cell: HTML, so a ``|`` cannot split the cell."""
    import html

    return "<code>" + html.escape(text).replace("|", "&#124;") + "</code>"


# ------------------------------------------------------------------------ golden cases


def golden_snippet(case: Path, work: Path) -> dict[str, str]:
    project = Project(work / "golden" / case.stem)
    nb, flags = notebook_from_case(case, project.root)
    run = project.nb2flow("convert", nb.name, "--no-deployment", *flags)
    assert run.code == 0, run.output
    script = (project.root / f"{case.stem}.py").read_text(encoding="utf-8")
    text = case.read_text(encoding="utf-8")
    if text.startswith("# options:"):
        text = text.split("\n", 1)[1]
    return {f"golden_{case.stem}.md": tabs([
        ("Notebook", fence("python", text,
                           title=f"{case.stem}.ipynb (jupytext percent format)")),
        ("Generated script", fence("python", without_main(script), title=f"{case.stem}.py")),
        ("nb2flow convert", console(run)),
    ])}


# ------------------------------------------------------------------- errors and warnings


def _user_script(p: Path) -> list[str]:
    make_notebook(p / "work.ipynb", "x = 1\nprint(x)")
    (p / "work.py").write_text("print('my own script')\n")
    return ["convert", "work.ipynb"]


def _edited(p: Path, project: Project) -> list[str]:
    make_notebook(p / "work.ipynb", "x = 1\nprint(x)")
    project.nb2flow("convert", "work.ipynb")
    script = p / "work.py"
    script.write_text(script.read_text() + "\n# my tweak\n")
    make_notebook(p / "work.ipynb", "x = 2\nprint(x)")
    return ["convert", "work.ipynb"]


def _symlink(p: Path) -> list[str]:
    make_notebook(p / "work.ipynb", "x = 1\nprint(x)")
    (p / "elsewhere.py").write_text("")
    (p / "work.py").symlink_to("elsewhere.py")
    return ["convert", "work.ipynb"]


def _stale(p: Path, project: Project) -> list[str]:
    make_notebook(p / "work.ipynb", "x = 1\nprint(x)")
    project.nb2flow("convert", "work.ipynb")
    make_notebook(p / "work.ipynb", "x = 2\nprint(x)")
    return ["convert", "--check", "work.ipynb"]


PREFECT_YAML = """\
name: taxi
prefect-version: 3.8.0
build: null
push: null
pull: null
deployments:
- name: nightly
  entrypoint: flows/gone.py:train
  schedule:
    cron: "0 6 * * *"
  work_pool:
    name: default
"""


@dataclass
class Trigger:
    code: str
    setup: object  # (folder[, project]) -> nb2flow arguments
    shown: dict[str, str] | None = None  # files to show: name -> language
    prelude: str = ""
    note: str = ""


def _nb(name: str, *cells, **kw):
    def setup(p: Path) -> list[str]:
        make_notebook(p / name, *cells, **kw)
        return ["convert", name]
    return setup


def _nb_flags(name: str, flags: list[str], *cells, **kw):
    def setup(p: Path) -> list[str]:
        make_notebook(p / name, *cells, **kw)
        return ["convert", name, *flags]
    return setup


TRIGGERS = [
    Trigger("NB2F001", lambda p: ["convert", "missing.ipynb"]),
    Trigger("NB2F002", lambda p: (p / "cut.ipynb").write_text('{"cells": [{"cell_type": "co')
            and ["convert", "cut.ipynb"], {"cut.ipynb": "json"}),
    Trigger("NB2F003", lambda p: (p / "data.ipynb").write_text('{"a": 1}\n')
            and ["convert", "data.ipynb"], {"data.ipynb": "json"}),
    Trigger("NB2F004", lambda p: (p / "old.ipynb").write_text(
        '{"nbformat": 3, "nbformat_minor": 0, "worksheets": [{"cells": []}], "metadata": {}}\n')
        and ["convert", "old.ipynb"], {"old.ipynb": "json"}),
    Trigger("NB2F005", _nb("analysis.ipynb", "x <- read.csv('a.csv')", kernel="ir",
                           language="R"), note="a notebook whose kernelspec is `ir` (R)"),
    Trigger("NB2F006", _nb("s.ipynb", "import os", "x = 1\ny = (2 +", "print(y)"),
            {"s.ipynb": "notebook"}),
    Trigger("NB2F007", _nb("e.ipynb", "import matplotlib.pyplot as plt", "plt.plot([1, 2])",
                           "%who"), {"e.ipynb": "notebook"}),
    Trigger("NB2F008", _user_script, {"work.py": "python"}),
    Trigger("NB2F009", _edited, note="`work.py` was generated, then edited by hand "
            "(`# my tweak`), then the notebook changed"),
    Trigger("NB2F010", _symlink, note="`work.py` is a symbolic link to `elsewhere.py`"),
    Trigger("NB2F011", _nb("t.ipynb", ("code", "x = 1\nprint(x)", ["nb2flow:tsk=load"])),
            {"t.ipynb": "notebook"}),
    Trigger("NB2F012", lambda p: (p / "pyproject.toml").write_text(
        "[tool.nb2flow]\nkeep_exploraton = true\n") and make_notebook(
        p / "n.ipynb", "print(1)") and ["convert", "n.ipynb"], {"pyproject.toml": "toml"}),
    Trigger("NB2F013", _nb("m.ipynb", "names = %who_ls\nprint(names)"), {"m.ipynb": "notebook"}),
    Trigger("NB2F014", lambda p: (p / "prefect.yaml").write_text(PREFECT_YAML)
            and ["check-yaml"], {"prefect.yaml": "yaml"}),
    Trigger("NB2F015", lambda p: (p / "latin1.ipynb").write_bytes(
        '{"cells": [], "metadata": {"title": "caf\u00e9"}}'.encode("latin-1"))
        and ["convert", "latin1.ipynb"], note="a notebook file saved in Latin-1 (`café`)"),
    Trigger("NB2F016", _stale, note="`work.py` was generated, then the notebook changed"),
    Trigger("NB2F017", _nb("u.ipynb", "import pandas as pd", "print(df_old.shape)"),
            {"u.ipynb": "notebook"}),
    Trigger("NB2F018", lambda p: make_notebook(p / "n.ipynb", "print(1)")
            and ["verify", "n.ipynb"],
            prelude="import sys; sys.modules['nbclient'] = None; ",
            note="run with nbclient made unimportable, as in an environment without the "
            "`verify` extra"),
    Trigger("NB2F019", lambda p: make_notebook(p / "n.ipynb", "print(1)")
            and ["verify", "n.ipynb", "--kernel", "py38"]),
    Trigger("NB2F020", _nb("a.ipynb", "import asyncio\n\nasync def fetch():\n"
                           "    await asyncio.sleep(0.1)\n    return 42",
                           "x = await fetch()\nprint(x)"), {"a.ipynb": "notebook"}),
    Trigger("NB2F021", _nb("q.ipynb", "%%sql\nSELECT * FROM trips", "print('done')"),
            {"q.ipynb": "notebook"}),
    Trigger("NB2F022", _nb("d.ipynb", "files = dbutils.fs.ls('/mnt/raw')\nprint(files)"),
            {"d.ipynb": "notebook"}),
    Trigger("NB2F023", _nb("h.ipynb", "x = 2", "print(_ * 2)"), {"h.ipynb": "notebook"}),
    Trigger("NB2W001", _nb("w.ipynb", "!wget -q https://example.com/data.csv",
                           "import pandas as pd\ndf = pd.read_csv('data.csv')\n"
                           "df.to_parquet('data.parquet')"), {"w.ipynb": "notebook"}),
    Trigger("NB2W002", _nb("w.ipynb", "from math import *", "print(sqrt(2))"),
            {"w.ipynb": "notebook"}),
    Trigger("NB2W003", _nb("w.ipynb", "x = 1", "print(x)", counts=[5, 2]),
            {"w.ipynb": "notebook"}, note="cell 1 ran as `[5]`, cell 2 as `[2]`"),
    Trigger("NB2W004", _nb("w.ipynb", "rate = 0.1\nexpr = 'rate * 100'", "print(eval(expr))"),
            {"w.ipynb": "notebook"}),
    Trigger("NB2W005", _nb("w.ipynb", "%sql SELECT 1\nprint('done')"), {"w.ipynb": "notebook"}),
    Trigger("NB2W006", _nb("w.ipynb", "counter = 0\n\ndef bump():\n    global counter\n"
                           "    counter += 1", "bump()\nprint(counter)"),
            {"w.ipynb": "notebook"}),
    Trigger("NB2W007", _nb_flags("w.ipynb", ["--subflows"], ("markdown", "## Load"),
                                 "rows = list(range(10))",
                                 ("markdown", "## Report"), "print(sum(rows))"),
            {"w.ipynb": "notebook"}),
    Trigger("NB2W008", _nb_flags("w.ipynb", ["--date-params"], "import pandas as pd",
                                 "df = pd.read_csv('data/trips.csv')\nprint(len(df))"),
            {"w.ipynb": "notebook"}),
    Trigger("NB2W009", _nb("w.ipynb", "def score(x):\n    return x * weight",
                           "print(score(2))"), {"w.ipynb": "notebook"}),
    Trigger("NB2W010", _nb("json.ipynb", "rows = [1, 2, 3]\nprint(sum(rows))"),
            {"json.ipynb": "notebook"}),
    Trigger("NB2W011", _nb("w.ipynb", "from sklearn.datasets import load_iris\n"
                           "from sklearn.linear_model import LogisticRegression",
                           "X, y = load_iris(return_X_y=True)",
                           "model = LogisticRegression(max_iter=500).fit(X, y)\n"
                           "print(model.score(X, y))"), {"w.ipynb": "notebook"}),
    Trigger("NB2W012", _nb("job.ipynb", "import json",
                           "token = 'Tr0ub4dor&3xyzQ9'\nprint(token)",
                           "with open('out.json', 'w') as f:\n    json.dump([token], f)"),
            {"job.ipynb": "notebook"}),
    Trigger("NB2W013", _nb("db.ipynb", "import json\nfrom sqlalchemy import create_engine",
                           ("markdown", "# Connect"),
                           "engine = create_engine("
                           "'postgresql://etl:Pr0dPassw0rd!x@pg.internal/taxi')\n"
                           "engine.echo = True\nrows = [1, 2, 3]\nrows.append(4)\ntotal = sum(rows)\n"
                           "mean = total / len(rows)\nbig = [r for r in rows if r > mean]",
                           ("markdown", "# Export"),
                           "with open('out.json', 'w') as f:\n"
                           "    json.dump([engine.url.host, total, big], f)\n"
                           "with open('out2.json', 'w') as f:\n    json.dump([mean], f)\n"
                           "print(len(big))"),
            {"db.ipynb": "notebook"}),
    Trigger("NB2W014", _nb("w.ipynb", "import pandas as pd",
                           "df = pd.read_csv('a.csv', compression=)",
                           "df = pd.read_csv('a.csv')\ndf.to_parquet('a.parquet')"),
            {"w.ipynb": "notebook"}, note="cell 2 has no execution count"),
    Trigger("NB2W015", _nb("w.ipynb", "rows = [3, 1, 2]", "if not rows:\n    sys.exit(1)\n"
                           "print(sorted(rows))"), {"w.ipynb": "notebook"}),
    Trigger("NB2W016", _nb("w.ipynb", "df = spark.read.parquet('raw/')\n"
                           "df.write.mode('overwrite').parquet('clean/')"),
            {"w.ipynb": "notebook"}),
    Trigger("NB2W017", _nb("w.ipynb", "import pandas as pd",
                           "df = pd.DataFrame({'a': [1, 2, 3]})\ndf.a.sum()",
                           "total = _ * 2\nprint(total)"), {"w.ipynb": "notebook"}),
    Trigger("NB2W018", _nb("w.ipynb", "import pandas as pd",
                           "df = pd.read_csv('a.csv')\ndf.to_parquet('a.parquet')",
                           "scaled = df.a * factor", counts=[1, 2, 3]), {"w.ipynb": "notebook"},
            note="the cells ran; `factor` came from a cell deleted since"),
]


def error_snippet(trigger: Trigger, work: Path) -> dict[str, str]:
    import inspect

    folder = work / "errors" / trigger.code
    project = Project(folder)
    setup = trigger.setup
    wants_project = len(inspect.signature(setup).parameters) == 2
    args = setup(folder, project) if wants_project else setup(folder)
    run = project.nb2flow(*args, prelude=trigger.prelude)
    assert trigger.code in run.output, run.output
    parts = []
    if trigger.note:
        parts.append(f"Input: {trigger.note}.\n")
    for name, kind in (trigger.shown or {}).items():
        path = folder / name
        if kind == "notebook":
            parts.append(fence("python", percent(cells_of(path)), title=name))
        else:
            parts.append(fence(kind, path.read_text(encoding="utf-8"), title=name))
    parts.append(console(run))
    return {f"errors/{trigger.code}.md": "\n".join(parts)}


# ------------------------------------------------------------------------------- main


def generate() -> dict[str, str]:
    """Every snippet: path under docs/generated -> content. Independent runs go in parallel."""
    from concurrent.futures import ThreadPoolExecutor

    with tempfile.TemporaryDirectory(prefix="nb2flow-docs-") as tmp:
        work = Path(tmp)
        jobs = [lambda: example_snippets(work), lambda: orchestration_snippets(work)]
        jobs += [lambda case=case: golden_snippet(case, work)
                 for case in sorted(GOLDEN.glob("*.py"))]
        jobs += [lambda trigger=trigger: error_snippet(trigger, work) for trigger in TRIGGERS]
        out: dict[str, str] = {}
        with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 2)) as pool:
            for part in pool.map(lambda job: job(), jobs):
                out.update(part)
    header = "<!-- Generated by docs/gen_examples.py from a real run: do not edit. -->\n\n"
    return {name: (header if name.endswith(".md") else "") + text.rstrip("\n") + "\n"
            for name, text in sorted(out.items())}


def main(argv: list[str]) -> int:
    snippets = generate()
    existing = {p.relative_to(OUT).as_posix() for p in [*OUT.rglob("*.md"), *OUT.rglob("*.txt")]} \
        if OUT.exists() else set()
    if "--check" in argv:
        stale = sorted(name for name, text in snippets.items()
                       if not (OUT / name).exists()
                       or (OUT / name).read_text(encoding="utf-8") != text)
        extra = sorted(existing - set(snippets))
        if stale or extra:
            print("docs/generated is out of date (run python docs/gen_examples.py): "
                  + ", ".join(stale + extra), file=sys.stderr)
            return 1
        return 0
    for name in existing - set(snippets):
        (OUT / name).unlink()
    for name, text in snippets.items():
        path = OUT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(snippets)} snippets to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
