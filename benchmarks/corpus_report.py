"""Measure nb2flow on a folder of real notebooks nobody tailored it to.

    python benchmarks/corpus_report.py /tmp/corpus [--run] [--out report.md]

For each ``*.ipynb`` in the folder (sorted by name), it runs the installed command as a user
would, ``nb2flow convert NB -o <tmp>/NB.py --force -q`` (timeout 60 s), and sorts the outcome:

* **converted**: exit 0 and a script was written;
* **documented error**: a non-zero exit whose stderr names an error code (``NB2Fnnn``) and
  holds no traceback;
* **crash**: a traceback, exit code 2 without a code, a timeout, or anything else.

Every converted script is checked: it compiles, ``black --check`` passes, pyflakes is clean
(undefined names are counted apart from other messages), and ``nb2flow inspect -f json``
gives the counts of tasks, parameters and dropped cells. Conversion wall time is recorded.

With ``--run``, notebooks that read NYC green taxi files (a path containing
``green_tripdata_YYYY-MM``) get synthetic months from ``examples/make_taxi_data.py`` at every
place they read: path parameters (local paths and URLs alike) are passed on the flow's command
line (its options are read from ``python NB.py --help``), and relative paths the notebook uses
are created under the run's working folder, with the folders it writes into. The flow runs on
an ephemeral Prefect server (timeout 240 s) and its exit code says whether it completed.
``--flow-arg=--OPTION=VALUE`` (repeatable) passes ``--OPTION VALUE`` to the flows whose help
lists that option, e.g. a local ``--mlflow-tracking-uri`` instead of a notebook's server.

The report holds numbers, notebook file names and messages from the tools only, never notebook
code. Nothing here imports nb2flow: it measures the installed command.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _util import venv_bin  # noqa: E402

CONVERT_TIMEOUT = 60
RUN_TIMEOUT = 240
CODE = re.compile(r"\bNB2F\d{3}\b")
MONTH = re.compile(r"green_tripdata_(\d{4})-(\d{2})\.parquet")
UNDEFINED = ("UndefinedName", "UndefinedLocal", "UndefinedExport")


@dataclass
class Result:
    notebook: str
    status: str = ""  # converted / documented / crash
    error: str = ""  # first line of the error, or the crash's last line
    seconds: float = 0.0
    compiles: bool | None = None
    black_ok: bool | None = None
    undefined: list[str] = field(default_factory=list)
    other_flakes: list[str] = field(default_factory=list)
    tasks: int | None = None
    parameters: int | None = None
    dropped: int | None = None
    warnings: list[str] = field(default_factory=list)
    run: str = ""  # "", COMPLETED, FAILED, TIMEOUT, SKIPPED
    run_error: str = ""
    run_seconds: float = 0.0
    notebook_run: str = (
        ""  # when the flow failed: does the notebook itself run? ok / error
    )

    @property
    def label(self) -> str:
        """owner/repo (basename) from the corpus naming scheme owner__repo__basename."""
        parts = Path(self.notebook).stem.split("__")
        if len(parts) >= 3:
            return f"{parts[0]}/{parts[1]} ({'__'.join(parts[2:])})"
        return Path(self.notebook).stem

    @property
    def flakes_clean(self) -> bool:
        return (
            self.status == "converted" and not self.undefined and not self.other_flakes
        )


# ---------------------------------------------------------------------------------------------
# conversion and static checks


def convert(nb: Path, out_dir: Path) -> tuple[Result, Path]:
    res = Result(nb.name)
    script = out_dir / f"{nb.stem}.py"
    cmd = [venv_bin("nb2flow"), "convert", str(nb), "-o", str(script), "--force", "-q"]
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=CONVERT_TIMEOUT
        )
    except subprocess.TimeoutExpired:
        res.status, res.error = "crash", f"timeout after {CONVERT_TIMEOUT} s"
        res.seconds = CONVERT_TIMEOUT
        return res, script
    res.seconds = time.perf_counter() - start
    err = proc.stderr.strip()
    if proc.returncode == 0 and script.exists():
        res.status = "converted"
    elif "Traceback (most recent call last)" in err or (
        proc.returncode == 2 and not CODE.search(err)
    ):
        res.status = "crash"
        res.error = _last_line(err) or f"exit code {proc.returncode}"
    elif CODE.search(err):
        res.status = "documented"
        res.error = _first_error_line(err)
    else:
        res.status = "crash"
        res.error = f"exit code {proc.returncode}, no error code: {_last_line(err)}"
    return res, script


def _last_line(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return lines[-1].strip()[:160] if lines else ""


def _first_error_line(text: str) -> str:
    """The line naming the code, without the notebook's path (keeps the report anonymous)."""
    for line in text.splitlines():
        match = CODE.search(line)
        if match:
            where = line[: match.start()]
            cell = re.search(r"cell \d+(:line \d+)?", where)
            return ((cell.group(0) + ": ") if cell else "") + line[
                match.start() :
            ].strip()[:160]
    return _last_line(text)


def check_script(res: Result, script: Path) -> None:
    source = script.read_text()
    try:
        compile(source, str(script), "exec")
        res.compiles = True
    except SyntaxError as exc:
        res.compiles = False
        res.other_flakes.append(f"SyntaxError line {exc.lineno}: {exc.msg}")
        return
    black = subprocess.run(
        [venv_bin("black"), "--check", "-q", str(script)],
        capture_output=True,
        text=True,
    )
    res.black_ok = black.returncode == 0
    for kind, message in pyflakes_messages(source, script.name):
        (res.undefined if kind in UNDEFINED else res.other_flakes).append(message)


def pyflakes_messages(source: str, name: str) -> list[tuple[str, str]]:
    from pyflakes import checker

    tree = ast.parse(source, filename=name)
    found = checker.Checker(tree, filename=name)
    return [
        (type(m).__name__, f"line {m.lineno}: {m.message % m.message_args}")
        for m in sorted(found.messages, key=lambda m: m.lineno)
    ]


def inspect_counts(res: Result, nb: Path) -> None:
    proc = subprocess.run(
        [venv_bin("nb2flow"), "inspect", str(nb), "-f", "json"],
        capture_output=True,
        text=True,
        timeout=CONVERT_TIMEOUT,
    )
    if proc.returncode != 0:
        return
    plan = json.loads(proc.stdout)
    res.tasks = len(plan.get("tasks", []))
    res.parameters = len(plan.get("parameters", []))
    res.dropped = sum(c.get("status") == "dropped" for c in plan.get("cells", []))
    res.warnings = sorted({d["code"] for d in plan.get("diagnostics", [])})


# ---------------------------------------------------------------------------------------------
# running flows on synthetic taxi data


def notebook_strings(nb: Path) -> list[str]:
    """String literals (and magic lines) of the notebook's code cells."""
    data = json.loads(nb.read_text())
    out: list[str] = []
    for cell in data.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        out.extend(re.findall(r"""(['"])(.*?)\1""", src))
    return [s for _, s in out]


def taxi_months(nb: Path) -> set[tuple[int, int]]:
    return {(int(y), int(m)) for s in notebook_strings(nb) for y, m in MONTH.findall(s)}


def flow_options(python: str, script: Path, cwd: Path, env: dict) -> dict[str, str]:
    """--option -> its default, read from the script's argparse help."""
    proc = subprocess.run(
        [python, str(script), "--help"],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**env, "COLUMNS": "1000"},
        timeout=60,
    )
    options: dict[str, str] = {}
    last = None
    for line in proc.stdout.splitlines():
        match = re.match(r"\s+(--[\w-]+)(?:\s+\S+)?\s+(.*)$", line)
        if match:
            last, text = match.group(1), match.group(2)
            options[last] = ""
        elif last is not None and line.startswith(" "):
            text = line  # argparse puts the help of a long option on the next line
        else:
            last = None
            continue
        default = re.search(r"\(default:\s*(.*)\)\s*$", text)
        if default:
            options[last] = default.group(1)
    return options


def prepare_run(
    nb: Path,
    script: Path,
    work: Path,
    python: str,
    env: dict,
    flow_args: dict[str, str] | None = None,
) -> list[str]:
    """Write synthetic data where the notebook reads; return the flow's command line."""
    from make_taxi_data import write_months

    cwd = (
        work / "run" / "cwd"
    )  # a parent folder exists, for paths like ../data/x.parquet
    cwd.mkdir(parents=True, exist_ok=True)
    data = work / "synthetic"
    months = sorted(taxi_months(nb))
    files = {m: p for m, p in zip(months, write_months(data, months, rows=2000))}

    def local(text: str) -> Path | None:
        found = MONTH.search(text)
        return files.get((int(found.group(1)), int(found.group(2)))) if found else None

    for text in notebook_strings(nb):  # relative paths the notebook uses as they are
        if "://" in text or text.startswith("/") or "\n" in text or len(text) > 200:
            continue
        target = cwd / text
        src = local(text)
        try:
            if src is not None:
                for place in {target, cwd / "data" / Path(text).name}:
                    place.parent.mkdir(parents=True, exist_ok=True)
                    if not place.exists():
                        place.write_bytes(src.read_bytes())
            elif "/" in text and re.search(r"\.\w{1,8}$", text):
                target.parent.mkdir(
                    parents=True, exist_ok=True
                )  # models/x.bin -> models/
        except OSError:
            continue
    for folder in ("models", "data", "output", "outputs", "artifacts"):
        (cwd / folder).mkdir(exist_ok=True)

    argv = [python, str(script)]
    for option, default in flow_options(python, script, cwd, env).items():
        src = local(default)
        if src is not None:
            argv += [option, str(src)]
        elif option in (flow_args or {}):  # only flows that have the option get it
            argv += [option, flow_args[option]]
    return argv


def run_flow(
    res: Result,
    nb: Path,
    script: Path,
    work: Path,
    python: str,
    flow_args: dict[str, str] | None = None,
) -> None:
    home = work / "prefect-home"
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="90",
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_LOGGING_LEVEL="WARNING",
        MPLBACKEND="Agg",
    )
    try:
        argv = prepare_run(nb, script, work, python, env, flow_args)
    except Exception as exc:  # a broken script may not even print its help
        res.run, res.run_error = "FAILED", f"setup: {type(exc).__name__}: {exc}"[:160]
        return
    start = time.perf_counter()
    # its own session, so a timeout also stops the flow's ephemeral Prefect server
    proc = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=work / "run" / "cwd",
        env=env,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.communicate()
        res.run, res.run_error = "TIMEOUT", f"no end after {RUN_TIMEOUT} s"
        res.run_seconds = RUN_TIMEOUT
        return
    res.run_seconds = time.perf_counter() - start
    if proc.returncode == 0:
        res.run = "COMPLETED"
    else:
        res.run = "FAILED"
        res.run_error = exception_line(err + out)
        res.notebook_run = run_notebook(nb, work, env)


def run_notebook(nb: Path, work: Path, env: dict) -> str:
    """Execute the notebook itself top to bottom on the same data, in a copy of the folder.

    Tells a flow failure that is nb2flow's fault from one the notebook has too ("ok" or the
    notebook's exception). Paths are those the notebook names: URLs stay URLs.
    """
    import shutil

    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    cwd = work / "run" / "nbcwd"
    if cwd.exists():
        shutil.rmtree(cwd)
    shutil.copytree(work / "run" / "cwd", cwd, ignore=shutil.ignore_patterns("*.py"))
    book = nbformat.read(str(nb), as_version=4)
    client = NotebookClient(
        book,
        timeout=RUN_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd)}},
    )
    old = dict(os.environ)
    os.environ.update(
        {k: v for k, v in env.items() if k.startswith(("MPL", "PREFECT"))}
    )
    try:
        client.execute()
        return "ok"
    except CellExecutionError as exc:
        return "error: " + (exc.ename + ": " + str(exc.evalue))[:140]
    except Exception as exc:  # kernel death, timeout
        return f"error: {type(exc).__name__}: {exc}"[:140]
    finally:
        os.environ.clear()
        os.environ.update(old)


def exception_line(text: str) -> str:
    """The last ``SomeError: message`` line of a traceback, shortened."""
    lines = [
        ln.strip()
        for ln in text.splitlines()
        if re.match(r"\s*[A-Za-z_.]*(Error|Exception|Interrupt)\b.*", ln)
    ]
    return (lines[-1] if lines else _last_line(text))[:160]


def blame(run_error: str, notebook_run: str = "") -> str:
    """Whose fault a failed run most likely is: the notebook's own run decides when it ran."""
    if notebook_run == "ok":
        return "nb2flow: the notebook itself runs on the same data"
    if notebook_run.startswith("error"):
        same = run_error.split(":")[0] and run_error.split(":")[0] in notebook_run
        return (
            "notebook: it fails the same way when run top to bottom"
            if same
            else f"notebook fails too ({notebook_run[7:]})"
        )
    if re.search(r"ModuleNotFoundError|No module named", run_error):
        return "notebook: needs a package that is not installed"
    if re.search(
        r"ConnectionError|Connection refused|Max retries|MlflowException.*(API|http)",
        run_error,
    ):
        return "notebook: needs a server"
    if "FileNotFoundError" in run_error:
        return "notebook or data: a file that does not exist"
    return "to investigate"


# ---------------------------------------------------------------------------------------------
# reporting


def yes(flag: bool | None) -> str:
    return "-" if flag is None else ("yes" if flag else "no")


def summary(results: list[Result]) -> dict[str, int]:
    conv = [r for r in results if r.status == "converted"]
    ran = [r for r in results if r.run in ("COMPLETED", "FAILED", "TIMEOUT")]
    return {
        "notebooks": len(results),
        "converted": len(conv),
        "documented errors": sum(r.status == "documented" for r in results),
        "crashes": sum(r.status == "crash" for r in results),
        "compile": sum(bool(r.compiles) for r in conv),
        "black-formatted": sum(bool(r.black_ok) for r in conv),
        "pyflakes clean": sum(r.flakes_clean for r in conv),
        "with undefined names": sum(bool(r.undefined) for r in conv),
        "flows run": len(ran),
        "flows completed": sum(r.run == "COMPLETED" for r in ran),
    }


def markdown(results: list[Result], took: float) -> str:
    out = ["# nb2flow on a corpus of real notebooks", ""]
    out.append(f"{len(results)} notebooks, measured in {took:.0f} s.")
    out += ["", "| measure | count |", "| --- | ---: |"]
    out += [f"| {k} | {v} |" for k, v in summary(results).items()]
    conv = [r.seconds for r in results if r.status == "converted"]
    if conv:
        conv.sort()
        out.append(f"| median conversion time (s) | {conv[len(conv) // 2]:.2f} |")
    out += [
        "",
        "## Per notebook",
        "",
        "| notebook | outcome | compiles | black | pyflakes | tasks | params | dropped "
        "| warnings | convert s | run |",
        "| --- | --- | --- | --- | --- | ---: | ---: | ---: | --- | ---: | --- |",
    ]
    for r in results:
        flakes = _flakes(r, "{u} undefined, {o} other")
        outcome = r.status if r.status == "converted" else f"{r.status}: {r.error}"
        run = r.run or "-"
        if r.run_error:
            run += f": {r.run_error}"
        out.append(
            f"| {r.label} | {_md(outcome)} | {yes(r.compiles)} | {yes(r.black_ok)} | {flakes} "
            f"| {_n(r.tasks)} | {_n(r.parameters)} | {_n(r.dropped)} | {' '.join(r.warnings)} "
            f"| {r.seconds:.2f} | {_md(run)} |"
        )
    details = [r for r in results if r.undefined or r.other_flakes]
    if details:
        out += ["", "## pyflakes messages", ""]
        for r in details:
            out.append(
                f"- {r.label}: "
                + "; ".join(_md(m) for m in r.undefined + r.other_flakes)
            )
    failed = [r for r in results if r.run in ("FAILED", "TIMEOUT")]
    if failed:
        out += ["", "## Failed flow runs", ""]
        out += [
            f"- {r.label}: {_md(r.run_error)} ({_md(blame(r.run_error, r.notebook_run))})"
            for r in failed
        ]
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _n(value: int | None) -> str:
    return "-" if value is None else str(value)


def print_table(results: list[Result]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="nb2flow corpus report")
    for column in (
        "notebook",
        "outcome",
        "black",
        "pyflakes",
        "tasks",
        "params",
        "dropped",
        "convert s",
        "run",
    ):
        table.add_column(column)
    for r in results:
        flakes = _flakes(r, "{u}u/{o}o")
        table.add_row(
            r.label,
            r.status,
            yes(r.black_ok),
            flakes,
            _n(r.tasks),
            _n(r.parameters),
            _n(r.dropped),
            f"{r.seconds:.2f}",
            r.run or "-",
        )
    console = Console(stderr=True)
    console.print(table)
    console.print(summary(results))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="folder of .ipynb files")
    parser.add_argument(
        "--run",
        action="store_true",
        help="run the flows of notebooks reading green taxi data",
    )
    parser.add_argument(
        "--max-runs", type=int, default=20, help="at most this many flow runs"
    )
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="interpreter that runs the flows (default: this one)",
    )
    parser.add_argument(
        "--flow-arg",
        action="append",
        default=[],
        metavar="OPTION=VALUE",
        help="pass OPTION VALUE to every flow whose --help lists OPTION "
        "(e.g. --flow-arg=--mlflow-tracking-uri=sqlite:///mlflow.db)",
    )
    parser.add_argument("--out", type=Path, help="write the markdown report here")
    parser.add_argument("--json", type=Path, help="also write raw results as JSON here")
    args = parser.parse_args(argv)

    flow_args = dict(a.split("=", 1) for a in args.flow_arg)
    notebooks = sorted(args.folder.glob("*.ipynb"))
    results: list[Result] = []
    runs = 0
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nb2flow-corpus-") as tmp:
        for nb in notebooks:
            work = Path(tmp) / nb.stem
            work.mkdir()
            res, script = convert(nb, work)
            if res.status == "converted":
                check_script(res, script)
                inspect_counts(res, nb)
                if args.run and taxi_months(nb) and res.compiles:
                    if runs < args.max_runs:
                        runs += 1
                        run_flow(res, nb, script, work, args.python, flow_args)
                    else:
                        res.run = "SKIPPED"
            results.append(res)
            print(f"{res.label}: {res.status} {res.run}", file=sys.stderr, flush=True)
    took = time.perf_counter() - start
    print_table(results)
    report = markdown(results, took)
    if args.out:
        args.out.write_text(report)
    else:
        sys.stdout.write(report)
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in results], indent=1))
    return 0


def _flakes(r, template: str) -> str:
    """pyflakes' verdict on a converted script: clean, or the counts in ``template``."""
    if r.status != "converted":
        return "-"
    if r.flakes_clean:
        return "clean"
    return template.format(u=len(r.undefined), o=len(r.other_flakes))


if __name__ == "__main__":
    raise SystemExit(main())
