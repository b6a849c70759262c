"""nb2flow as a pre-commit hook: real ``git commit`` runs in temporary repositories.

The hooks come from this checkout's ``.pre-commit-hooks.yaml``. The fast tests declare them
as ``repo: local`` hooks with ``language: system`` and the manifest's own entry pointed at
this venv's ``nb2flow``, so pre-commit installs nothing; one slow test installs the
published hooks for real with ``pre-commit try-repo`` (a pip install into a new venv).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_output
from nbutil import make_notebook
from ruamel.yaml import YAML

from nb2flow.config import Settings
from nb2flow.write import read_stamp_of

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NB2FLOW = BIN / "nb2flow"
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]

SALES = [
    ("markdown", "# Sales report\nTotal sales per region."),
    "import pandas as pd",
    "df = pd.read_csv('data/sales.csv')\ndf.head()",
    "df = df.dropna()\ndf['total'] = df['price'] * df['qty']",
    "summary = df.groupby('region')['total'].sum()\nsummary.to_csv('out/summary.csv')",
]


def manifest() -> list[dict]:
    return YAML(typ="safe").load(ROOT / ".pre-commit-hooks.yaml")


def local_config(ids: tuple[str, ...]) -> dict:
    """The manifest's hooks as ``repo: local`` hooks running this venv's nb2flow."""
    hooks = []
    for hook in manifest():
        if hook["id"] not in ids:
            continue
        program, *args = shlex.split(hook["entry"])
        assert program == "nb2flow", hook
        hooks.append({
            **{k: v for k, v in hook.items() if k != "minimum_pre_commit_version"},
            "language": "system",
            "entry": shlex.join([str(NB2FLOW), *args]),
        })
    assert [h["id"] for h in hooks] == list(ids)
    return {"repos": [{"repo": "local", "hooks": hooks}]}


def rerun(path: Path) -> None:
    """What re-running a notebook in Jupyter changes: execution counts and outputs."""
    nb = nbformat.read(str(path), as_version=4)
    for count, cell in enumerate((c for c in nb.cells if c.cell_type == "code"), start=7):
        cell.execution_count = count
        cell.outputs = [
            new_output("stream", name="stdout", text=f"run {count}\n"),
            new_output("execute_result", data={"text/plain": f"{count}"},
                       execution_count=count),
        ]
    nbformat.write(nb, str(path))


class Project:
    """A git repository with a pyproject.toml, pre-commit installed, one initial commit."""

    def __init__(self, root: Path, hooks: tuple[str, ...], home: Path):
        self.root = root
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("SKIP", "PRE_COMMIT_ALLOW_NO_CONFIG", "GIT_DIR")}
        self.env.update(PRE_COMMIT_HOME=str(home), GIT_CONFIG_GLOBAL=os.devnull,
                        GIT_CONFIG_NOSYSTEM="1", PRE_COMMIT_COLOR="never")
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.name", "Notebook Author")
        self.git("config", "user.email", "author@example.com")
        self.git("config", "commit.gpgsign", "false")
        (root / "pyproject.toml").write_text(
            '[project]\nname = "shop"\nversion = "0"\n\n'
            '[tool.nb2flow]\nnotebooks = ["pipelines/*.ipynb"]\n'
        )
        (root / ".pre-commit-config.yaml").write_text(json.dumps(local_config(hooks),
                                                                 indent=2))
        self.run(*PRE_COMMIT, "install")
        assert self.commit(".", message="initial").returncode == 0

    def run(self, *cmd: str | Path, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run([str(c) for c in cmd], cwd=self.root, env=self.env,
                              capture_output=True, text=True, timeout=600)
        if check and proc.returncode != 0:
            raise AssertionError(f"{cmd} failed ({proc.returncode}):\n{proc.stdout}"
                                 f"\n{proc.stderr}")
        return proc

    def git(self, *args: str) -> str:
        return self.run("git", *args).stdout

    def commit(self, *paths: str, message: str = "change") -> subprocess.CompletedProcess:
        """``git add`` then a real ``git commit`` that runs the installed pre-commit hook."""
        self.git("add", "--", *paths)
        proc = self.run("git", "commit", "-m", message, check=False)
        proc.output = proc.stdout + proc.stderr  # type: ignore[attr-defined]
        return proc

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()

    def committed(self, path: str) -> str:
        return self.git("show", f"HEAD:{path}")

    def nb2flow(self, *args: str) -> subprocess.CompletedProcess:
        return self.run(NB2FLOW, *args, check=False)


@pytest.fixture
def project(tmp_path: Path):
    def make(*hooks: str) -> Project:
        return Project(tmp_path / "repo", hooks or ("nb2flow",), tmp_path / "pre-commit-home")

    return make


def fresh_pair(repo: Project) -> tuple[Path, Path]:
    """A committed notebook under pipelines/ and its up-to-date script."""
    nb = make_notebook(repo.root / "pipelines" / "sales.ipynb", *SALES)
    assert repo.nb2flow("convert", "-q", "pipelines/sales.ipynb").returncode == 0
    proc = repo.commit("pipelines", message="sales pipeline")
    assert proc.returncode == 0, proc.output
    return nb, nb.with_name("sales.py")


def test_manifest_declares_both_hooks() -> None:
    hooks = {h["id"]: h for h in manifest()}
    assert set(hooks) == {"nb2flow", "nb2flow-check"}
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert "jupyter" in hook["types_or"]
        assert shlex.split(hook["entry"])[:3] == ["nb2flow", "convert", "--hook"]
    assert "--check" in hooks["nb2flow-check"]["entry"]
    assert "--check" not in hooks["nb2flow"]["entry"]


def test_new_notebook_gets_its_script_and_a_stale_script_fails_the_commit(project) -> None:
    repo = project()
    before = repo.head()
    nb = make_notebook(repo.root / "pipelines" / "sales.ipynb", *SALES)
    script = nb.with_name("sales.py")

    proc = repo.commit("pipelines/sales.ipynb", message="add notebook")
    assert proc.returncode != 0 and repo.head() == before
    assert "nb2flow: wrote 1 script(s)" in proc.output and "pipelines/sales.py" in proc.output
    assert read_stamp_of(script).source == "sales.ipynb"
    assert repo.nb2flow("convert", "--check", "pipelines/sales.ipynb").returncode == 0

    proc = repo.commit("pipelines", message="add notebook and script")
    assert proc.returncode == 0, proc.output
    assert "nb2flow (regenerate flow scripts from notebooks)" in proc.output

    # The notebook changes, its committed script does not: the commit fails, the script
    # is regenerated on disk, and the next commit (with the script staged) goes through.
    make_notebook(nb, *SALES[:3], "df = df.dropna(subset=['price'])\n"
                  "df['total'] = df['price'] * df['qty']", SALES[4])
    committed = repo.head()
    proc = repo.commit("pipelines/sales.ipynb", message="keep rows without qty")
    assert proc.returncode != 0 and repo.head() == committed
    assert "pipelines/sales.ipynb -> pipelines/sales.py (updated)" in proc.output
    assert "dropna(subset=[\"price\"])" in script.read_text()
    assert "dropna(subset" not in repo.committed("pipelines/sales.py")

    proc = repo.commit("pipelines", message="keep rows without qty")
    assert proc.returncode == 0, proc.output
    assert "dropna(subset=[\"price\"])" in repo.committed("pipelines/sales.py")


def test_up_to_date_script_passes_without_touching_it(project) -> None:
    repo = project()
    nb, script = fresh_pair(repo)
    text, mtime = script.read_text(), script.stat().st_mtime_ns
    nb.write_text(nb.read_text() + "\n")  # a change git sees; the cells are the same
    proc = repo.commit("pipelines/sales.ipynb", message="touch")
    assert proc.returncode == 0, proc.output
    assert "Passed" in proc.output
    assert script.read_text() == text and script.stat().st_mtime_ns == mtime


def test_outputs_and_execution_counts_alone_do_not_make_a_script_stale(project) -> None:
    repo = project()
    nb, script = fresh_pair(repo)
    text, mtime = script.read_text(), script.stat().st_mtime_ns
    rerun(nb)
    assert repo.git("status", "--porcelain") == " M pipelines/sales.ipynb\n"
    proc = repo.commit("pipelines/sales.ipynb", message="re-ran the notebook")
    assert proc.returncode == 0, proc.output
    assert '"execution_count": 7' in repo.committed("pipelines/sales.ipynb")
    assert script.read_text() == text and script.stat().st_mtime_ns == mtime


def test_hand_edited_script_is_protected(project) -> None:
    repo = project()
    nb, script = fresh_pair(repo)
    edited = script.read_text().replace("df = df.dropna()", "df = df.dropna().head(100)")
    script.write_text(edited)
    make_notebook(nb, *SALES, "print(summary)")
    committed = repo.head()

    proc = repo.commit("pipelines", message="edit both")
    assert proc.returncode != 0 and repo.head() == committed
    assert ("pipelines/sales.py: NB2F009 the script was edited by hand since nb2flow "
            "generated it from pipelines/sales.ipynb; not overwritten") in proc.output
    assert script.read_text() == edited

    # The hand-edited script staged alone is caught too (its stamp names the notebook).
    make_notebook(nb, *SALES)
    repo.git("checkout", "--", "pipelines/sales.ipynb")
    proc = repo.commit("pipelines/sales.py", message="edit the script only")
    assert proc.returncode != 0 and repo.head() == committed, proc.output
    assert "NB2F009" in proc.output and script.read_text() == edited

    # --force is the way out: the notebook wins, the commit goes through.
    forced = repo.nb2flow("convert", "--force", "pipelines/sales.ipynb")
    assert forced.returncode == 0, forced.stderr
    assert "head(100)" not in script.read_text()
    proc = repo.commit("pipelines", message="regenerated")
    assert proc.returncode == 0, proc.output


def test_unmatched_notebook_without_a_script_is_ignored(project) -> None:
    repo = project()
    make_notebook(repo.root / "scratch" / "explore.ipynb", *SALES)
    make_notebook(repo.root / "scratch" / "broken.ipynb", "def f(:\n    pass")  # NB2F006
    make_notebook(repo.root / "scratch" / "r.ipynb", "x <- 1", kernel="ir", language="R")
    proc = repo.commit("scratch", message="exploration")
    assert proc.returncode == 0, proc.output
    assert sorted(p.name for p in (repo.root / "scratch").iterdir()) == [
        "broken.ipynb", "explore.ipynb", "r.ipynb"]


def test_notebook_outside_the_globs_with_a_script_is_kept_up_to_date(project) -> None:
    repo = project()
    nb = make_notebook(repo.root / "reports" / "weekly.ipynb", *SALES)
    assert repo.nb2flow("convert", "-q", "reports/weekly.ipynb").returncode == 0
    assert repo.commit("reports", message="weekly").returncode == 0
    make_notebook(nb, *SALES, "print(summary.max())")
    proc = repo.commit("reports/weekly.ipynb", message="print the max")
    assert proc.returncode != 0
    assert "reports/weekly.py (updated)" in proc.output
    assert "summary.max()" in (repo.root / "reports" / "weekly.py").read_text()


def test_check_hook_names_the_stale_script_and_changes_nothing(project) -> None:
    repo = project("nb2flow-check")
    nb, script = fresh_pair(repo)
    text = script.read_text()
    make_notebook(nb, *SALES, "print(summary)")
    make_notebook(repo.root / "pipelines" / "returns.ipynb", *SALES)
    proc = repo.commit("pipelines", message="stale")
    assert proc.returncode != 0
    assert ("pipelines/sales.py: NB2F016 stale: out of date with pipelines/sales.ipynb"
            in proc.output)
    assert ("pipelines/returns.py: NB2F016 missing: pipelines/returns.ipynb has no "
            "generated script" in proc.output)
    assert script.read_text() == text
    assert not (repo.root / "pipelines" / "returns.py").exists()


def test_check_and_diff_on_many_notebooks(tmp_path: Path) -> None:
    a = make_notebook(tmp_path / "a.ipynb", *SALES)
    b = make_notebook(tmp_path / "b.ipynb", *SALES)
    c = make_notebook(tmp_path / "c.ipynb", *SALES)

    def cli(*args: str | Path) -> subprocess.CompletedProcess:
        return subprocess.run([str(NB2FLOW), *map(str, args)], capture_output=True,
                              text=True, timeout=120)

    assert cli("convert", "-q", a, b, c).returncode == 0
    assert cli("convert", "--check", a, b, c).returncode == 0
    assert cli("convert", "--diff", a, b, c).stdout == ""
    make_notebook(b, *SALES, "print(summary)")
    (tmp_path / "c.py").write_text(
        (tmp_path / "c.py").read_text().replace("dropna()", "dropna(how='all')"))
    mtimes = [p.stat().st_mtime_ns for p in tmp_path.glob("*.py")]

    check = cli("convert", "--check", a, b, c)
    assert check.returncode == 1
    lines = check.stderr.splitlines()
    assert f"{tmp_path / 'b.py'}: NB2F016 stale: out of date with {b}" in lines[0]
    assert f"{tmp_path / 'c.py'}: NB2F009 edited by hand since nb2flow generated it " \
           f"from {c}" in lines[1]
    assert len(lines) == 2

    diff = cli("convert", "--diff", a, b, c)
    assert diff.returncode == 1
    assert f"+++ {tmp_path / 'b.py'} (nb2flow)" in diff.stdout
    assert "+    print(summary)" in diff.stdout
    assert "-    df = df.dropna(how='all')" in diff.stdout
    assert f"--- {tmp_path / 'a.py'}" not in diff.stdout
    assert [p.stat().st_mtime_ns for p in tmp_path.glob("*.py")] == mtimes


def test_up_to_date_path_imports_no_libcst_black_jinja2_or_prefect(tmp_path: Path) -> None:
    nb = make_notebook(tmp_path / "sales.ipynb", *SALES)
    rerun(nb)

    def imported(*args: str) -> tuple[int, set[str]]:
        proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "nb2flow", *args],
                              capture_output=True, text=True, timeout=120)
        names = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines()
                 if line.startswith("import time:") and "|" in line}
        return proc.returncode, names

    heavy = {"libcst", "black", "jinja2", "prefect", "nbformat"}
    code, names = imported("convert", "--check", str(nb))  # missing: the full path
    assert code == 1 and {"libcst", "black", "jinja2"} <= names
    code, names = imported("convert", str(nb))
    assert code == 0
    code, names = imported("convert", "--check", str(nb))
    assert code == 0 and not heavy & names, heavy & names
    code, names = imported("convert", "--hook", str(nb))
    assert code == 0 and not heavy & names, heavy & names


@pytest.mark.parametrize(
    "patterns,path,selected",
    [
        (("pipelines/*.ipynb",), "pipelines/a.ipynb", True),
        (("pipelines/*.ipynb",), "pipelines/sub/a.ipynb", False),
        (("pipelines/**/*.ipynb",), "pipelines/a.ipynb", True),
        (("pipelines/**/*.ipynb",), "pipelines/x/y/a.ipynb", True),
        (("./*.ipynb",), "a.ipynb", True),
        (("*.ipynb",), "pipelines/a.ipynb", False),
        (("**/train_*.ipynb",), "deep/er/train_model.ipynb", True),
        (("**/train_*.ipynb",), "deep/er/eval_model.ipynb", False),
        ((), "a.ipynb", False),
    ],
)
def test_notebooks_globs_are_relative_to_the_pyproject(tmp_path: Path, patterns, path,
                                                        selected) -> None:
    settings = Settings(notebooks=patterns, root=tmp_path)
    assert settings.selects(tmp_path / path) is selected
    assert not settings.selects(tmp_path.parent / "elsewhere" / path)


@pytest.mark.slow
def test_published_hooks_install_and_run_with_try_repo(tmp_path: Path) -> None:
    """``pre-commit try-repo`` pip-installs this checkout into a fresh venv (~40 s)."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True)
    if listed.returncode != 0:
        pytest.skip("the checkout is not a git repository")
    hook_repo = tmp_path / "nb2flow-checkout"
    for name in listed.stdout.splitlines():
        source = ROOT / name
        if source.is_file() and not name.startswith("benchmarks/"):
            (hook_repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, hook_repo / name)
    repo = Project(tmp_path / "repo", (), tmp_path / "pre-commit-home")
    for args in (("init", "-q", "-b", "main"), ("add", "-A"),
                 ("-c", "user.name=n", "-c", "user.email=n@example.com",
                  "commit", "-q", "-m", "snapshot")):
        subprocess.run(["git", *args], cwd=hook_repo, env=repo.env, check=True,
                       capture_output=True)

    nb = make_notebook(repo.root / "pipelines" / "sales.ipynb", *SALES)
    repo.git("add", "pipelines")
    first = repo.run(*PRE_COMMIT, "try-repo", hook_repo, "nb2flow", "--files",
                     "pipelines/sales.ipynb", check=False)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "nb2flow: wrote 1 script(s)" in first.stdout
    assert read_stamp_of(nb.with_name("sales.py")).source == "sales.ipynb"
    repo.git("add", "pipelines")
    second = repo.run(*PRE_COMMIT, "try-repo", hook_repo, "nb2flow-check", "--files",
                      "pipelines/sales.ipynb", "pipelines/sales.py", check=False)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Passed" in second.stdout


MONTHLY = [
    ("markdown", "# Monthly sales"),
    "import pandas as pd",
    "train = pd.read_csv('data/sales_2024-01.csv')",
    "test = pd.read_csv('data/sales_2024-02.csv')",
    "pd.concat([train, test]).to_csv('out/both.csv')",
]


def test_the_hook_keeps_the_options_convert_recorded(project) -> None:
    """convert --date-params once by hand: the hook's regeneration keeps year and month."""
    repo = project()
    nb = make_notebook(repo.root / "pipelines" / "monthly.ipynb", *MONTHLY)
    proc = repo.nb2flow("convert", "pipelines/monthly.ipynb", "--date-params")
    assert proc.returncode == 0, proc.stderr
    script = nb.with_name("monthly.py")
    text = script.read_text()
    assert "year: int = 2024" in text
    assert 'date_params = true' in (repo.root / "pyproject.toml").read_text()
    proc = repo.commit(".", message="monthly pipeline")
    assert proc.returncode == 0, proc.output
    assert script.read_text() == text  # the hook found it up to date
    make_notebook(nb, *MONTHLY[:4], "pd.concat([test, train]).to_csv('out/both.csv')")
    proc = repo.commit("pipelines/monthly.ipynb", message="test first")
    assert proc.returncode != 0 and "pipelines/monthly.py (updated)" in proc.output
    regenerated = script.read_text()
    assert "year: int = 2024" in regenerated and "pd.concat([test, train])" in regenerated
    proc = repo.commit("pipelines", message="test first")
    assert proc.returncode == 0, proc.output
    assert repo.nb2flow("convert", "--check", "pipelines/monthly.ipynb").returncode == 0
    assert repo.nb2flow("convert", "--force", "pipelines/monthly.ipynb").returncode == 0
    assert script.read_text() == regenerated  # what convert with the recorded options writes


def test_the_hook_init_project_writes_runs_with_real_pre_commit(tmp_path: Path) -> None:
    """init-project's local hook (no release tag to fetch) keeps a script converted with
    options identical at every commit."""
    root = tmp_path / "repo"
    root.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("SKIP", "PRE_COMMIT_ALLOW_NO_CONFIG", "GIT_DIR")}
    env.update(PRE_COMMIT_HOME=str(tmp_path / "home"), GIT_CONFIG_GLOBAL=os.devnull,
               GIT_CONFIG_NOSYSTEM="1", PRE_COMMIT_COLOR="never",
               PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}")  # nb2flow of this venv

    def run(*cmd: str | Path, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run([str(c) for c in cmd], cwd=root, env=env, capture_output=True,
                              text=True, timeout=600)
        assert not check or proc.returncode == 0, f"{cmd}:\n{proc.stdout}\n{proc.stderr}"
        return proc

    run("git", "init", "-q", "-b", "main")
    run("git", "config", "user.name", "A")
    run("git", "config", "user.email", "a@example.com")
    run(NB2FLOW, "init-project", "--pool", "p")
    config = (root / ".pre-commit-config.yaml").read_text()
    assert "rev:" not in config and "repo: local" in config
    run(*PRE_COMMIT, "install")
    nb = make_notebook(root / "notebooks" / "monthly.ipynb", *MONTHLY)
    run(NB2FLOW, "convert", "notebooks/monthly.ipynb", "--date-params")
    script = nb.with_name("monthly.py")
    text = script.read_text()
    run("git", "add", ".")
    proc = run("git", "commit", "-m", "monthly", check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "nb2flow (regenerate flow scripts from notebooks)" in proc.stdout + proc.stderr
    assert script.read_text() == text
