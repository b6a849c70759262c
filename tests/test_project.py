"""``nb2flow init-project``: golden files for both recipes and for merges into user files.

Each case under ``golden/project/init/<case>`` has a ``case.toml`` (``args`` of
init-project, expected ``exit`` code), an optional ``input/`` folder copied into the project
first, and ``expected/``: every file of the project afterwards, compared byte for byte.
``@DIR@``, ``@PREFECT_VERSION@`` and ``@VERSION@`` stand for the project folder and the
installed versions. A missing ``expected/`` is written and the test fails; regenerate
after an intended change with ``NB2FLOW_UPDATE_GOLDEN=1 pytest tests/test_project.py``.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nb2flow import __version__
from nb2flow.cli import app
from nb2flow.config import load_settings
from nb2flow.errors import Nb2FlowError
from nb2flow.project import InitOptions, default_prefectignore, init_project, plan

HERE = Path(__file__).parent / "golden" / "project" / "init"
CASES = sorted(p for p in HERE.iterdir() if (p / "case.toml").is_file())
UPDATE = os.environ.get("NB2FLOW_UPDATE_GOLDEN") == "1"
PREFECT_VERSION = importlib.metadata.version("prefect")

runner = CliRunner()


def files_of(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(folder).parts
    }


def substitute(text: str, folder: Path) -> str:
    return (text.replace("@DIR@", str(folder.resolve()))
            .replace("@PREFECT_VERSION@", PREFECT_VERSION).replace("@VERSION@", __version__))


def placeholders(text: str, folder: Path) -> str:
    return (text.replace(str(folder.resolve()), "@DIR@")
            .replace(f"prefect-version: {PREFECT_VERSION}", "prefect-version: @PREFECT_VERSION@")
            .replace(f"rev: v{__version__}", "rev: v@VERSION@"))


def make_project(case: Path, tmp_path: Path) -> Path:
    project = tmp_path / "analytics"
    project.mkdir()
    (project / ".git").mkdir()  # the project is a repository's root
    if (case / "input").is_dir():
        shutil.copytree(case / "input", project, dirs_exist_ok=True)
    return project


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_init_project_golden(case: Path, tmp_path: Path, monkeypatch) -> None:
    spec = tomllib.loads((case / "case.toml").read_text())
    project = make_project(case, tmp_path)
    before = files_of(project)
    monkeypatch.chdir(project)
    result = runner.invoke(app, ["init-project", *spec["args"]])
    assert result.exit_code == spec.get("exit", 0), result.output
    assert "Traceback" not in result.output
    got = files_of(project)
    expected_dir = case / "expected"
    if UPDATE or not expected_dir.is_dir():
        shutil.rmtree(expected_dir, ignore_errors=True)
        for name, text in got.items():
            target = expected_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(placeholders(text, project))
        if not UPDATE:
            pytest.fail(f"wrote {expected_dir}; review it and run again")
    expected = {name: substitute(text, project) for name, text in files_of(expected_dir).items()}
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert got[name] == expected[name], name
    # files the case did not ask to change are byte-identical to the input
    if spec.get("exit", 0):
        assert got == before


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_running_it_twice_changes_nothing(case: Path, tmp_path: Path, monkeypatch) -> None:
    spec = tomllib.loads((case / "case.toml").read_text())
    project = make_project(case, tmp_path)
    monkeypatch.chdir(project)
    runner.invoke(app, ["init-project", *spec["args"]])
    first = files_of(project)
    second = runner.invoke(app, ["init-project", *spec["args"]])
    assert files_of(project) == first
    assert second.exit_code == spec.get("exit", 0), second.output
    for line in second.output.splitlines():
        if line.endswith((": created", ": updated", ": forced")):
            pytest.fail(f"second run changed a file: {line}")


def test_prefectignore_is_prefects_default(tmp_path: Path) -> None:
    init_project(InitOptions(directory=tmp_path, pool="p"))
    # the file `prefect init` copies, found from the installed distribution's file list
    [record] = [f for f in importlib.metadata.files("prefect")
                if str(f) == "prefect/.prefectignore"]
    default = Path(record.locate())
    assert (tmp_path / ".prefectignore").read_text() == default.read_text()
    assert default_prefectignore() == default.read_text()


def test_init_project_does_not_import_prefect(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from nb2flow.cli import app\n"
        "from typer.testing import CliRunner\n"
        f"r = CliRunner().invoke(app, ['init-project', {str(tmp_path)!r}])\n"
        "assert r.exit_code == 0, r.output\n"
        "assert 'prefect' not in sys.modules, 'prefect was imported'\n"
        f"r = CliRunner().invoke(app, ['check-yaml', {str(tmp_path)!r}])\n"
        "assert r.exit_code == 0, r.output\n"
        "assert 'prefect' not in sys.modules, 'prefect was imported'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "prefect.yaml").is_file()


def test_kept_conflict_prints_the_diff_force_would_apply(tmp_path: Path) -> None:
    init_project(InitOptions(directory=tmp_path, pool="cpu"))
    before = (tmp_path / "pyproject.toml").read_text()
    result = runner.invoke(app, ["init-project", str(tmp_path), "--pool", "gpu"])
    assert result.exit_code == 1
    assert "pyproject.toml: kept as it is; --force would change it:" in result.output
    assert "[tool.nb2flow] work_pool: the file says 'cpu', --pool says 'gpu'" in result.output
    assert '-work_pool = "cpu"\n+work_pool = "gpu"\n' in result.output
    assert (tmp_path / "pyproject.toml").read_text() == before
    forced = runner.invoke(app, ["init-project", str(tmp_path), "--pool", "gpu", "--force"])
    assert forced.exit_code == 0, forced.output
    assert load_settings(tmp_path).work_pool == "gpu"
    assert "prefect work-pool create gpu --type process" in forced.output


def test_next_steps_name_the_pool_and_the_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["init-project", "proj", "--pool", "nightly"])
    assert result.exit_code == 0, result.output
    out = result.output
    for step in ("prefect server start", "prefect work-pool create nightly --type process",
                 "nb2flow convert", "cd proj && prefect deploy --all",
                 "prefect worker start --pool nightly", "prefect deployment run"):
        assert step in out
    assert out.index("prefect server start") < out.index("prefect deploy --all") \
        < out.index("prefect worker start")


def test_git_recipe_reads_the_remote_and_branch(tmp_path: Path) -> None:
    git = ["git", "-C", str(tmp_path)]
    subprocess.run([*git, "init", "-q", "-b", "dev"], check=True)
    subprocess.run([*git, "remote", "add", "origin", "https://example.com/acme/ml.git"],
                   check=True)
    init_project(InitOptions(directory=tmp_path, recipe="git"))
    text = (tmp_path / "prefect.yaml").read_text()
    assert ("- prefect.deployments.steps.git_clone:\n"
            "    repository: https://example.com/acme/ml.git\n"
            "    branch: dev\n"
            "    access_token: null\n") in text


def test_git_recipe_without_a_remote_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(Nb2FlowError) as info:
        plan(InitOptions(directory=tmp_path, recipe="git"))
    assert info.value.code == "NB2F012" and "--repo" in info.value.message
    assert not (tmp_path / "prefect.yaml").exists()


@pytest.mark.parametrize("args,message", [
    (["--recipe", "docker"], "--recipe 'docker': use local or git"),
    (["--recipe", "local", "--repo", "https://x/y.git"], "--repo and --branch go with"),
])
def test_bad_options(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["init-project", str(tmp_path), *args])
    assert result.exit_code == 1
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


def test_invalid_existing_files_are_left_alone(tmp_path: Path) -> None:
    (tmp_path / "prefect.yaml").write_text("name: x\ndeployments:\n  - name: [unclosed\n")
    result = runner.invoke(app, ["init-project", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path / 'prefect.yaml'}:3: NB2F014 not valid YAML" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prefect.yaml"]
    (tmp_path / "prefect.yaml").unlink()
    (tmp_path / "pyproject.toml").write_text("[project\nname = 1\n")
    result = runner.invoke(app, ["init-project", str(tmp_path)])
    assert result.exit_code == 1 and "NB2F012 cannot parse" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pyproject.toml"]


def test_problems_in_an_existing_prefect_yaml_are_reported(tmp_path: Path) -> None:
    (tmp_path / "prefect.yaml").write_text(
        "name: x\npull: null\ndeployments:\n- name: a\n  entrypoint: flows/a.py:a\n")
    result = runner.invoke(app, ["init-project", str(tmp_path)])
    assert result.exit_code == 1
    # line 8 of the file as written: init-project added prefect-version, build and push
    assert (f"{tmp_path / 'prefect.yaml'}:8: NB2F014 deployment 'a': entrypoint "
            "'flows/a.py:a': flows/a.py does not exist") in result.output


def test_stale_local_directory_is_pointed_out(tmp_path: Path) -> None:
    (tmp_path / "prefect.yaml").write_text(
        "name: x\npull:\n- prefect.deployments.steps.set_working_directory:\n"
        "    directory: /nowhere/old-checkout\ndeployments: []\n")
    result = runner.invoke(app, ["init-project", str(tmp_path)])
    assert "'/nowhere/old-checkout' does not exist here" in result.output
    assert "--recipe local --force" in result.output


def test_pre_commit_config_goes_to_the_git_root(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    project = tmp_path / "ml"
    init_project(InitOptions(directory=project))
    assert (tmp_path / ".pre-commit-config.yaml").is_file()
    assert not (project / ".pre-commit-config.yaml").exists()
    assert (project / "prefect.yaml").is_file() and (project / "pyproject.toml").is_file()


def test_settings_written_are_valid_settings(tmp_path: Path) -> None:
    init_project(InitOptions(directory=tmp_path, pool="nightly"))
    settings = load_settings(tmp_path)
    assert settings.work_pool == "nightly" and settings.notebooks == ("**/*.ipynb",)
    assert settings.selects(tmp_path / "notebooks" / "train.ipynb")


@pytest.mark.slow
def test_prefect_yaml_matches_prefect_init(tmp_path: Path) -> None:
    """Everything but the deployments section is what `prefect init` writes itself."""
    theirs, ours = tmp_path / "theirs", tmp_path / "ours"
    theirs.mkdir()
    ours.mkdir()
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "home")}
    env.pop("PREFECT_API_URL", None)
    prefect = Path(sys.executable).parent / "prefect"
    proc = subprocess.run([str(prefect), "init", "--recipe", "local"], cwd=theirs, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    init_project(InitOptions(directory=ours, name="theirs"))
    prefix = "deployments:"
    their_text = (theirs / "prefect.yaml").read_text()
    our_text = (ours / "prefect.yaml").read_text()
    mine = our_text.replace(str(ours.resolve()), str(theirs.resolve()))
    assert mine.split(prefix)[0] == their_text.split(prefix)[0]
    assert our_text.endswith("deployments: []\n")
    assert (ours / ".prefectignore").read_text() == (theirs / ".prefectignore").read_text()
