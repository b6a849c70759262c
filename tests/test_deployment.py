"""convert keeps the flow's deployment in prefect.yaml; check-yaml validates the file.

Golden cases under ``golden/project/deploy/<case>``: ``case.toml`` (convert ``args``, the
``notebook`` path), ``input/`` (the project before; its prefect.yaml full of user content)
and ``expected/prefect.yaml``, compared byte for byte. The notebook is
``golden/project/deploy/notebook.py`` (jupytext percent format). Regenerate with
``NB2FLOW_UPDATE_GOLDEN=1``.

The last test deploys for real: a local ``prefect server start``, a process work pool,
``prefect deploy --all`` on the prefect.yaml nb2flow wrote, a run with a non-default
parameter, picked up by ``prefect worker start --run-once``.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import jupytext
import pytest
from nbutil import make_notebook
from typer.testing import CliRunner

from nb2flow.cli import app
from nb2flow.deployment import (
    DeployOptions,
    check_cron,
    find_prefect_yaml,
    flow_info,
    sync,
    validate,
)
from nb2flow.pipeline import ConvertOptions, build, convert
from nb2flow.yamlrt import round_trips

HERE = Path(__file__).parent / "golden" / "project" / "deploy"
CASES = sorted(p for p in HERE.iterdir() if (p / "case.toml").is_file())
UPDATE = os.environ.get("NB2FLOW_UPDATE_GOLDEN") == "1"
BIN = Path(sys.executable).parent

runner = CliRunner()

INIT_YAML = """\
name: analytics
prefect-version: 3.8.8
build: null
push: null
pull:
- prefect.deployments.steps.set_working_directory:
    directory: /srv/analytics

deployments: []
"""

TRAIN = [
    ("markdown", "# Train model\nFits a tiny model."),
    ("code", 'n = 3\nscale = 2.0\nout_path = "out/model.pkl"', ["parameters"]),
    "import os\nimport pickle",
    "weights = [i * scale for i in range(n)]",
    "os.makedirs(os.path.dirname(out_path), exist_ok=True)\n"
    "with open(out_path, 'wb') as f:\n    pickle.dump(weights, f)\nprint(len(weights))",
]


def write_notebook(case_notebook: str, project: Path) -> Path:
    nb = jupytext.reads((HERE / "notebook.py").read_text(), fmt="py:percent")
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                 "display_name": "Python 3"}
    path = project / case_notebook
    path.parent.mkdir(parents=True, exist_ok=True)
    jupytext.write(nb, path, fmt="ipynb")
    return path


def project_with(tmp_path: Path, prefect_yaml: str | None = INIT_YAML) -> Path:
    project = tmp_path / "proj"
    (project / ".git").mkdir(parents=True)
    if prefect_yaml is not None:
        (project / "prefect.yaml").write_text(prefect_yaml)
    return project


def train_notebook(project: Path, **changes: str) -> Path:
    cells = list(TRAIN)
    if changes:
        kind, source, tags = cells[1]
        for old, new in changes.items():
            source = source.replace(old, new)
        cells[1] = (kind, source, tags)
    return make_notebook(project / "nb" / "train.ipynb", *cells)


def run(project: Path, *args: str, monkeypatch) -> tuple[int, str]:
    monkeypatch.chdir(project)
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def deployments(project: Path) -> list[dict]:
    from ruamel.yaml import YAML

    return YAML(typ="safe").load(project / "prefect.yaml")["deployments"]


# ----------------------------------------------------------------------------- golden


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_deployment_golden(case: Path, tmp_path: Path, monkeypatch) -> None:
    spec = tomllib.loads((case / "case.toml").read_text())
    project = project_with(tmp_path, None)
    shutil.copytree(case / "input", project, dirs_exist_ok=True)
    notebook = write_notebook(spec["notebook"], project)
    code, out = run(project, "convert", str(notebook.relative_to(project)), *spec["args"],
                    monkeypatch=monkeypatch)
    assert code == 0, out
    got = (project / "prefect.yaml").read_text()
    expected = case / "expected" / "prefect.yaml"
    if UPDATE or not expected.is_file():
        expected.parent.mkdir(exist_ok=True)
        expected.write_text(got)
        if not UPDATE:
            pytest.fail(f"wrote {expected}; review it and run again")
    assert got == expected.read_text()
    assert validate(project / "prefect.yaml") == []
    # converting again changes nothing
    code, out = run(project, "convert", str(notebook.relative_to(project)), *spec["args"],
                    monkeypatch=monkeypatch)
    assert code == 0, out
    assert (project / "prefect.yaml").read_text() == got
    assert " created (" not in out and " updated (" not in out


STYLES = [
    "a:\n  b: 1\nl:\n- x\n- y: 1\n  z: null\n",  # prefect init: sequences at the key's column
    "a:\n    b: 1\nl:\n    -   x\n    -   y: 1\n        z: ~\n",  # 4 spaces, dash offset 4
    "---\na:\n  b:\n  c: 1\nl:\n  - x  # c\n\n  # before y\n  - y: {k: 'v'}\n",  # empty nulls
    "repos:\n-   repo: local\n    hooks:\n    -   id: a\n        args: [--x]\n",  # pre-commit
    "x: &anchor\n  k: \"quoted\"\ny: *anchor\nz: |\n  block\n  text\n",
]


@pytest.mark.parametrize("text", STYLES)
def test_styles_round_trip_and_edits_keep_them(text: str) -> None:
    from nb2flow import yamlrt

    assert round_trips(text)
    data, style = yamlrt.load(text)
    data["added"] = yamlrt.block_map({"n": None, "items": yamlrt.block_seq(["p", "q"])})
    edited = yamlrt.dump(data, style)
    assert edited.startswith(text)  # nothing before the addition moved
    again, _ = yamlrt.load(edited)
    assert again["added"] == {"n": None, "items": ["p", "q"]}


def test_convert_does_not_import_prefect(tmp_path: Path) -> None:
    project = project_with(tmp_path)
    train_notebook(project)
    code = (
        "import sys\n"
        "from nb2flow.cli import app\n"
        "from typer.testing import CliRunner\n"
        "r = CliRunner().invoke(app, ['convert', 'nb/train.ipynb', '--cron', '0 6 * * *'])\n"
        "assert r.exit_code == 0, r.output\n"
        "assert 'prefect' not in sys.modules, 'prefect was imported'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    assert deployments(project)[0]["schedules"] == [{"cron": "0 6 * * *"}]


def test_golden_inputs_round_trip_unchanged() -> None:
    """The style detection reproduces every hand-written input byte for byte."""
    inputs = [p for p in (HERE.parent).rglob("input/*.yaml")]
    inputs += [p for p in (HERE.parent).rglob("input/.*.yaml")]
    assert len(inputs) >= 5
    for path in inputs:
        assert round_trips(path.read_text()), path


# ---------------------------------------------------------------------- convert rules


def test_without_prefect_yaml_convert_says_how_to_get_one(tmp_path: Path,
                                                          monkeypatch) -> None:
    project = project_with(tmp_path, None)
    train_notebook(project)
    code, out = run(project, "convert", "nb/train.ipynb", monkeypatch=monkeypatch)
    assert code == 0, out
    hints = [line for line in out.splitlines() if "init-project" in line]
    assert hints == ["nb2flow: no prefect.yaml in nb or above (up to the git root), so no "
                     "deployment was written; `nb2flow init-project` creates one"]
    assert not (project / "prefect.yaml").exists()


def test_search_stops_at_the_git_root(tmp_path: Path) -> None:
    (tmp_path / "prefect.yaml").write_text(INIT_YAML)  # outside the repository
    project = project_with(tmp_path, None)
    (project / "nb").mkdir()
    assert find_prefect_yaml(project / "nb") is None
    (project / "prefect.yaml").write_text(INIT_YAML)
    assert find_prefect_yaml(project / "nb").resolve() == (project / "prefect.yaml").resolve()


def test_deployment_follows_the_notebook_and_keeps_hand_edits(tmp_path: Path,
                                                              monkeypatch) -> None:
    project = project_with(tmp_path)
    train_notebook(project)
    code, out = run(project, "convert", "nb/train.ipynb", monkeypatch=monkeypatch)
    assert code == 0, out
    assert "prefect.yaml: deployment 'train' created (entrypoint nb/train.py:train, work " \
           "pool default)" in out
    [dep] = deployments(project)
    assert dep == {
        "name": "train", "description": "Train model",
        "entrypoint": "nb/train.py:train",
        "parameters": {"n": 3, "scale": 2.0, "out_path": "out/model.pkl"},
        "work_pool": {"name": "default", "work_queue_name": None, "job_variables": {}},
    }
    # the user edits n by hand and adds keys of their own
    text = (project / "prefect.yaml").read_text()
    text = text.replace("    n: 3\n", "    n: 30  # more data\n")
    text = text.replace("  work_pool:\n", "  concurrency_limit: 1\n  work_pool:\n")
    (project / "prefect.yaml").write_text(text)
    # the notebook changes both defaults
    train_notebook(project, **{"n = 3": "n = 4", "scale = 2.0": "scale = 3.0"})
    code, out = run(project, "convert", "nb/train.ipynb", monkeypatch=monkeypatch)
    assert code == 0, out
    assert ("note: kept parameters.n: 30 of deployment 'train' (edited by hand; the "
            "notebook's default is 4)") in out
    after = (project / "prefect.yaml").read_text()
    assert after == text.replace("    scale: 2.0\n", "    scale: 3.0\n")


def test_a_parameter_the_flow_lost_is_removed(tmp_path: Path, monkeypatch) -> None:
    project = project_with(tmp_path)
    train_notebook(project)
    run(project, "convert", "nb/train.ipynb", monkeypatch=monkeypatch)
    train_notebook(project, **{"scale = 2.0\n": ""}).read_text()
    nb = project / "nb" / "train.ipynb"
    nb.write_text(nb.read_text().replace("i * scale", "i * 2.0"))
    code, out = run(project, "convert", "nb/train.ipynb", monkeypatch=monkeypatch)
    assert code == 0, out
    assert deployments(project)[0]["parameters"] == {"n": 3, "out_path": "out/model.pkl"}


def test_renamed_deployment_is_updated_not_duplicated(tmp_path: Path, monkeypatch) -> None:
    project = project_with(tmp_path)
    train_notebook(project)
    run(project, "convert", "nb/train.ipynb", monkeypatch=monkeypatch)
    path = project / "prefect.yaml"
    path.write_text(path.read_text().replace("- name: train\n", "- name: nightly\n"))
    train_notebook(project, **{"n = 3": "n = 5"})
    code, out = run(project, "convert", "nb/train.ipynb", monkeypatch=monkeypatch)
    assert code == 0, out
    [dep] = deployments(project)
    assert dep["name"] == "nightly" and dep["parameters"]["n"] == 5


def test_deployment_name_option_adds_a_second_deployment(tmp_path: Path,
                                                         monkeypatch) -> None:
    project = project_with(tmp_path)
    train_notebook(project)
    run(project, "convert", "nb/train.ipynb", monkeypatch=monkeypatch)
    code, out = run(project, "convert", "nb/train.ipynb", "--deployment-name", "monthly",
                    "--cron", "0 6 1 * *", "--timezone", "Europe/Paris", "--tag", "ml",
                    "--tag", "monthly", monkeypatch=monkeypatch)
    assert code == 0, out
    first, second = deployments(project)
    assert first["name"] == "train" and "schedules" not in first
    assert second["name"] == "monthly"
    assert second["schedules"] == [{"cron": "0 6 1 * *", "timezone": "Europe/Paris"}]
    assert second["tags"] == ["ml", "monthly"]
    assert second["entrypoint"] == "nb/train.py:train"
    text = (project / "prefect.yaml").read_text()
    assert '  - cron: "0 6 1 * *"\n    timezone: Europe/Paris\n' in text
    assert "  tags: [ml, monthly]\n" in text


def test_options_on_an_existing_deployment(tmp_path: Path, monkeypatch) -> None:
    shared = INIT_YAML.replace("deployments: []\n", (
        "definitions:\n"
        "  pool: &pool\n"
        "    name: cpu\n"
        "    job_variables: {env: {A: '1'}}\n"
        "deployments:\n"
        "- name: train\n"
        "  entrypoint: nb/train.py:train\n"
        "  tags: [team-a]\n"
        "  schedules:\n"
        "  - interval: 60\n"
        "  work_pool: *pool\n"
        "- name: other\n"
        "  entrypoint: nb/train.py:train\n"
        "  work_pool: *pool\n"))
    project = project_with(tmp_path, shared)
    train_notebook(project)
    code, out = run(project, "convert", "nb/train.ipynb", "--pool", "gpu", "--tag", "ml",
                    "--interval", "3600", monkeypatch=monkeypatch)
    assert code == 0, out
    train, other = deployments(project)
    assert train["work_pool"] == {"name": "gpu", "job_variables": {"env": {"A": "1"}}}
    assert other["work_pool"] == {"name": "cpu", "job_variables": {"env": {"A": "1"}}}
    assert train["tags"] == ["team-a", "ml"]
    assert train["schedules"] == [{"interval": 3600}]
    assert other.get("parameters") is None  # not nb2flow's deployment


def test_several_deployments_of_the_script(tmp_path: Path, monkeypatch) -> None:
    yaml = INIT_YAML.replace("deployments: []\n", (
        "deployments:\n"
        "- name: a\n  entrypoint: nb/train.py:old_name\n  work_pool: {name: p}\n"
        "- name: b\n  entrypoint: nb/train.py:old_name\n  work_pool: {name: p}\n"))
    project = project_with(tmp_path, yaml)
    train_notebook(project)
    code, out = run(project, "convert", "nb/train.ipynb", monkeypatch=monkeypatch)
    assert code == 0, out
    assert [d["entrypoint"] for d in deployments(project)] == ["nb/train.py:train"] * 2
    assert [d["name"] for d in deployments(project)] == ["a", "b"]
    assert "pass --deployment-name NAME" in out


def test_check_and_diff_write_nothing(tmp_path: Path, monkeypatch) -> None:
    project = project_with(tmp_path)
    train_notebook(project)
    run(project, "convert", "nb/train.ipynb", monkeypatch=monkeypatch)
    before = (project / "prefect.yaml").read_text()
    code, out = run(project, "convert", "nb/train.ipynb", "--check", monkeypatch=monkeypatch)
    assert code == 0, out
    train_notebook(project, **{"n = 3": "n = 7"})
    code, out = run(project, "convert", "nb/train.ipynb", "--check", monkeypatch=monkeypatch)
    assert code == 1
    assert ("prefect.yaml: NB2F016 deployment 'train' of nb/train.ipynb is out of date; run "
            "`nb2flow convert nb/train.ipynb`") in out
    code, out = run(project, "convert", "nb/train.ipynb", "--diff", monkeypatch=monkeypatch)
    assert code == 1
    assert "-    n: 3\n+    n: 7\n" in out
    assert (project / "prefect.yaml").read_text() == before
    code, out = run(project, "convert", "nb/train.ipynb", "--no-deployment",
                    monkeypatch=monkeypatch)
    assert code == 0 and (project / "prefect.yaml").read_text() == before
    assert "deployment" not in out


def test_invalid_cron_is_refused_before_anything_is_written(tmp_path: Path,
                                                            monkeypatch) -> None:
    project = project_with(tmp_path)
    train_notebook(project)
    code, out = run(project, "convert", "nb/train.ipynb", "--cron", "61 * * * *",
                    monkeypatch=monkeypatch)
    assert code == 1
    assert "NB2F012 cron '61 * * * *': Bad minute" in out
    assert (project / "prefect.yaml").read_text() == INIT_YAML
    assert not (project / "nb" / "train.py").exists()


def test_problems_elsewhere_in_the_file_fail_convert(tmp_path: Path, monkeypatch) -> None:
    yaml = INIT_YAML.replace("deployments: []\n", (
        "deployments:\n"
        "- name: legacy\n"
        "  entrypoint: flows/gone.py:gone\n"
        "  schedule:\n"
        "    cron: '0 0 * * *'\n"))
    project = project_with(tmp_path, yaml)
    train_notebook(project)
    code, out = run(project, "convert", "nb/train.ipynb", monkeypatch=monkeypatch)
    assert code == 1
    assert ("prefect.yaml:11: NB2F014 deployment 'legacy': entrypoint 'flows/gone.py:gone': "
            "flows/gone.py does not exist") in out
    assert "prefect.yaml:12: NB2F014 deployment 'legacy': legacy key 'schedule'" in out
    assert [d["name"] for d in deployments(project)] == ["legacy", "train"]


def test_unparsable_prefect_yaml_names_the_line(tmp_path: Path, monkeypatch) -> None:
    project = project_with(tmp_path, "name: x\ndeployments:\n- name: a\n   bad: indent\n")
    train_notebook(project)
    code, out = run(project, "convert", "nb/train.ipynb", monkeypatch=monkeypatch)
    assert code == 1
    assert "prefect.yaml:4: NB2F014 not valid YAML" in out
    assert (project / "nb" / "train.py").is_file()  # the script was written first


def test_script_outside_the_project_is_not_deployed(tmp_path: Path, monkeypatch) -> None:
    project = project_with(tmp_path)
    train_notebook(project)
    code, out = run(project, "convert", "nb/train.ipynb", "-o", str(tmp_path / "x.py"),
                    monkeypatch=monkeypatch)
    assert code == 0, out
    assert "is outside" in out
    assert (project / "prefect.yaml").read_text() == INIT_YAML


def test_hook_mode_writes_the_deployment_and_asks_to_stage_it(tmp_path: Path,
                                                              monkeypatch) -> None:
    project = project_with(tmp_path)
    (project / "pyproject.toml").write_text('[tool.nb2flow]\nnotebooks = ["nb/*.ipynb"]\n')
    train_notebook(project)
    code, out = run(project, "convert", "--hook", "nb/train.ipynb", monkeypatch=monkeypatch)
    assert code == 1
    assert ("nb2flow: wrote 1 script(s) and the deployment in prefect.yaml; review and "
            "stage them (git add nb/train.py prefect.yaml), then commit again.") in out
    assert deployments(project)[0]["name"] == "train"


def test_settings_give_the_pool_tags_and_schedule(tmp_path: Path, monkeypatch) -> None:
    project = project_with(tmp_path)
    (project / "pyproject.toml").write_text(
        '[tool.nb2flow]\nwork_pool = "nightly"\ntags = ["ml"]\ncron = "0 3 * * *"\n'
        'timezone = "UTC"\n')
    train_notebook(project)
    code, out = run(project, "convert", "nb/train.ipynb", monkeypatch=monkeypatch)
    assert code == 0, out
    [dep] = deployments(project)
    assert dep["work_pool"]["name"] == "nightly" and dep["tags"] == ["ml"]
    assert dep["schedules"] == [{"cron": "0 3 * * *", "timezone": "UTC"}]


def test_a_notebooks_table_names_its_deployment(tmp_path: Path, monkeypatch) -> None:
    project = project_with(tmp_path)
    (project / "pyproject.toml").write_text(
        '[tool.nb2flow.per-notebook."nb/train.ipynb"]\ndeployment_name = "monthly"\n'
        'cron = "0 6 1 * *"\n')
    train_notebook(project)
    code, out = run(project, "convert", "nb/train.ipynb", monkeypatch=monkeypatch)
    assert code == 0, out
    train_notebook(project, **{"n = 3": "n = 4"})
    code, out = run(project, "convert", "nb/train.ipynb", monkeypatch=monkeypatch)
    assert code == 0, out
    [dep] = deployments(project)
    assert dep["name"] == "monthly" and dep["schedules"] == [{"cron": "0 6 1 * *"}]
    assert dep["parameters"]["n"] == 4


def test_command_line_schedule_replaces_the_settings_schedule(tmp_path: Path,
                                                              monkeypatch) -> None:
    project = project_with(tmp_path)
    (project / "pyproject.toml").write_text('[tool.nb2flow]\ncron = "0 3 * * *"\n')
    train_notebook(project)
    code, out = run(project, "convert", "nb/train.ipynb", "--interval", "3600",
                    monkeypatch=monkeypatch)
    assert code == 0, out
    [dep] = deployments(project)
    assert dep["schedules"] == [{"interval": 3600}]


def test_library_api_and_up_to_date_path_agree(tmp_path: Path, monkeypatch) -> None:
    """The fast path (no build, flow is None) reads the flow from the script itself."""
    project = project_with(tmp_path)
    nb = train_notebook(project)
    monkeypatch.chdir(project)
    first = convert(nb.relative_to(project), ConvertOptions(deploy=DeployOptions()))
    assert first.flow is not None and first.deployment.status == "created"
    (project / "prefect.yaml").write_text(INIT_YAML)
    second = convert(nb.relative_to(project), ConvertOptions(deploy=DeployOptions()))
    assert second.flow is None and second.status == "unchanged"
    assert second.deployment.status == "created"
    assert deployments(project)[0]["parameters"] == {"n": 3, "scale": 2.0,
                                                     "out_path": "out/model.pkl"}


def test_static_flow_info_matches_the_plan(tmp_path: Path) -> None:
    nb = write_notebook("nb/monthly_train.ipynb", tmp_path)
    result = build(nb)
    info = flow_info(result.text)
    assert info.func_name == result.flow.func_name
    assert info.name == result.flow.name
    assert info.defaults == {p.name: p.default for p in result.flow.params}
    assert info.param_names == tuple(p.name for p in result.flow.params)


@pytest.mark.parametrize("month,call", [("previous", "scheduled_month(year, month)"),
                                        ("current", "scheduled_month(year, month, 0)")])
def test_date_parameters_stay_out_of_the_deployment(tmp_path: Path, month: str,
                                                    call: str) -> None:
    """A scheduled run must not be given year and month: it takes them from its date."""
    nb = make_notebook(tmp_path / "monthly.ipynb", *MONTHLY)  # data/trips_2021-01.txt ...
    result = build(nb, ConvertOptions(date_params=True, scheduled_month=month))
    assert f"    year, month = {call}\n" in result.text
    info = flow_info(result.text)
    assert info.from_schedule == ("year", "month")
    assert "year" in info.defaults and "year" not in info.deployed
    assert flow_info(build(nb).text).from_schedule == ()


def test_sync_without_write_describes_the_change(tmp_path: Path) -> None:
    project = project_with(tmp_path)
    nb = train_notebook(project)
    result = build(nb)
    change = sync(result.script, result.text, None, DeployOptions(), notebook=nb, write=False)
    assert change.status == "would-create" and "+- name: train\n" in change.diff
    assert (project / "prefect.yaml").read_text() == INIT_YAML


# ------------------------------------------------------------------------- validation

FLOW_PY = '''\
from prefect import flow


def helper():
    pass


@flow(name="daily-job")
def daily(region: str = "eu", days: int = 7):
    pass
'''


def check(tmp_path: Path, yaml: str) -> list[str]:
    (tmp_path / "flows").mkdir(exist_ok=True)
    (tmp_path / "flows" / "daily.py").write_text(FLOW_PY)
    (tmp_path / "prefect.yaml").write_text(yaml)
    return [f"{p.line}: {p.message}" for p in validate(tmp_path / "prefect.yaml")]


GOOD = """\
name: x
pull: null
deployments:
- name: daily
  entrypoint: flows/daily.py:daily
  parameters: {region: us}
  schedules:
  - cron: "0 6 * * *"
    timezone: Europe/Paris
  - interval: 3600
  - rrule: "FREQ=DAILY"
  work_pool: {name: p, work_queue_name: null, job_variables: {}}
"""


def test_a_valid_file_has_no_problems(tmp_path: Path) -> None:
    assert check(tmp_path, GOOD) == []


@pytest.mark.parametrize("old,new,expected", [
    ("name: x\n", "name: x\nbulid: null\n",
     "2: unknown top-level key 'bulid' (did you mean 'build'?); Prefect ignores it"),
    ("  entrypoint: flows/daily.py:daily\n", "  entry_point: flows/daily.py:daily\n",
     "5: deployment 'daily': unknown key 'entry_point' (did you mean 'entrypoint'?)"
     "|4: deployment 'daily': missing entrypoint"),
    ("  entrypoint: flows/daily.py:daily\n", "",
     "4: deployment 'daily': missing entrypoint (path/to/script.py:flow_function)"),
    ("flows/daily.py:daily", "flows/weekly.py:daily",
     "5: deployment 'daily': entrypoint 'flows/weekly.py:daily': flows/weekly.py does not"),
    ("flows/daily.py:daily", "flows/daily.py:helper",
     "5: deployment 'daily': entrypoint 'flows/daily.py:helper': helper in flows/daily.py "
     "is not decorated with @flow; flows there: daily"),
    ("flows/daily.py:daily", "flows/daily.py:nothing",
     "5: deployment 'daily': entrypoint 'flows/daily.py:nothing': flows/daily.py has no "
     "flow function nothing"),
    ('"0 6 * * *"', '"0 25 * * *"',
     "8: deployment 'daily': schedules[0]: invalid cron '0 25 * * *': Bad hour"),
    ("Europe/Paris", "Europe/Pariss",
     "9: deployment 'daily': schedules[0]: unknown timezone 'Europe/Pariss'"),
    ("  - interval: 3600\n", "  - interval: 3600\n    cron: '* * * * *'\n",
     "10: deployment 'daily': schedules[1]: give exactly one of cron, interval or rrule "
     "(found cron, interval)"),
    ("  schedules:\n", "  schedule: {cron: '0 0 * * *'}\n  schedules:\n",
     "7: deployment 'daily': legacy key 'schedule': Prefect 3 reads 'schedules', a list"),
    ("{region: us}", "{regoin: us}",
     "6: deployment 'daily': parameter 'regoin' is not a parameter of flow function daily "
     "(did you mean 'region'?)"),
    ("{name: p,", "{nmae: p,",
     "12: deployment 'daily': unknown key work_pool.nmae (did you mean 'name'?)"),
    ("- name: daily\n", "- name: daily\n  tags: 7\n",
     "5: deployment 'daily': tags should be a list"),
])
def test_each_problem_names_the_key_and_line(tmp_path: Path, old: str, new: str,
                                             expected: str) -> None:
    assert old in GOOD
    problems = check(tmp_path, GOOD.replace(old, new, 1))
    expected_all = expected.split("|")
    assert len(problems) == len(expected_all), problems
    for want, got in zip(expected_all, problems):
        assert got.startswith(want), problems


def test_duplicate_deployments(tmp_path: Path) -> None:
    yaml = GOOD + ("- name: daily\n  entrypoint: flows/daily.py:daily\n"
                   "- name: daily-copy\n  entrypoint: flows/daily.py:daily\n")
    problems = check(tmp_path, yaml)
    assert problems == [
        "13: duplicate deployment 'daily' for entrypoint 'flows/daily.py:daily' (first at "
        "line 4); Prefect keeps only the last one: rename one"]


def test_templated_values_are_not_checked(tmp_path: Path) -> None:
    yaml = GOOD.replace('"0 6 * * *"', '"{{ $CRON }}"').replace(
        "flows/daily.py:daily", '"{{ $ENTRYPOINT }}"')
    assert check(tmp_path, yaml) == []


def test_cron_checks() -> None:
    assert check_cron("0 6 1 * *") is None
    assert check_cron("@daily") is None
    assert check_cron("*/15 9-17 * * MON-FRI") is None
    assert check_cron("H 0 * * *") is not None
    assert check_cron("0 0 30 2 *") == "Bad day-of-month"
    assert check_cron("every day") == "Wrong number of fields"


def test_check_yaml_command(tmp_path: Path) -> None:
    check(tmp_path, GOOD)
    result = runner.invoke(app, ["check-yaml", str(tmp_path)])
    assert result.exit_code == 0 and result.output == f"{tmp_path / 'prefect.yaml'}: ok\n"
    (tmp_path / "prefect.yaml").write_text(GOOD.replace('"0 6 * * *"', '"0 6 * *"')
                                           .replace("name: x\n", "name: x\nschedule: 1\n"))
    proc = subprocess.run([str(BIN / "nb2flow"), "check-yaml", "prefect.yaml"], cwd=tmp_path,
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "prefect.yaml:2: NB2F014 'schedule' at the top level: it belongs to a deployment (an "
        "item of `deployments:`); Prefect ignores it here",
        "prefect.yaml:9: NB2F014 deployment 'daily': schedules[0]: invalid cron '0 6 * *': "
        "Wrong number of fields",
    ]
    missing = runner.invoke(app, ["check-yaml", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 1 and "nope.yaml: NB2F014 file not found" in missing.output


def test_a_prefect_init_file_is_flagged(tmp_path: Path) -> None:
    """`prefect init` leaves a placeholder deployment that `prefect deploy` rejects."""
    import importlib.metadata

    [record] = [f for f in importlib.metadata.files("prefect")
                if str(f) == "prefect/deployments/recipes/local/prefect.yaml"]
    recipe = Path(record.locate())
    problems = check(tmp_path, recipe.read_text().replace("{{ directory }}", str(tmp_path)))
    assert any("legacy key 'schedule' (empty)" in p for p in problems)
    assert any("deployment #1: no name" in p for p in problems)
    assert any("deployment #1: missing entrypoint" in p for p in problems)


# ------------------------------------------------------------------ a real deployment


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A real ``prefect server start`` in its own process group, shared by a module."""

    def __init__(self, home: Path):
        self.home = home
        port = free_port()
        self.api = f"http://127.0.0.1:{port}/api"
        self.env = {
            **os.environ, "PREFECT_HOME": str(home / "prefect-home"), "PREFECT_API_URL": self.api,
            "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_LOGGING_LEVEL": "WARNING",
            "PREFECT_SERVER_UI_ENABLED": "false",  # the dashboard is not needed
            # the scheduler looks for deployments to schedule every 2 s instead of 60 s
            "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2",
        }
        self.log_path = home / "server.log"
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(  # its own process group: stopped as a whole
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port",
             str(port), "--analytics-off"],
            cwd=home, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)
        self.ready = False
        self.pools: set[str] = set()

    def pool(self, cwd: Path, name: str = "nb2flow-test") -> str:
        """A process work pool, created once."""
        self.wait_ready()
        if name not in self.pools:
            self.sh(cwd, str(BIN / "prefect"), "work-pool", "create", name, "--type", "process")
            self.pools.add(name)
        return name

    def wait_ready(self) -> None:
        import httpx

        deadline = time.monotonic() + 90
        while not self.ready:
            assert self.process.poll() is None, self.log_path.read_text()
            try:
                self.ready = httpx.get(f"{self.api}/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.5)

    def sh(self, cwd: Path, *args: str, timeout: float = 120) -> str:
        start = time.monotonic()
        proc = subprocess.run(list(args), cwd=cwd, env=self.env, capture_output=True,
                              text=True, timeout=timeout)
        print(f"{time.monotonic() - start:6.1f}s {' '.join(args[1:])}")
        assert proc.returncode == 0, f"{args}\n{proc.stdout}\n{proc.stderr}"
        return proc.stdout

    def post(self, path: str, body: dict | None = None):
        import httpx

        response = httpx.post(f"{self.api}/{path}", json=body or {}, timeout=10)
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server for the module's real deployments (about 10 s to start)."""
    started = Server(tmp_path_factory.mktemp("server"))
    try:
        yield started
    finally:
        started.stop()


@pytest.mark.slow
@pytest.mark.server
@pytest.mark.xdist_group("prefect-server")  # one worker, one server for both tests
def test_deploy_and_run_with_a_worker(tmp_path: Path, server: Server) -> None:
    project = tmp_path / "proj"
    (project / ".git").mkdir(parents=True)
    train_notebook(project)
    nb2flow = str(BIN / "nb2flow")
    # while the server starts: the project, the flow and its deployment
    server.sh(project, nb2flow, "init-project", "--pool", "nb2flow-test")
    server.sh(project, nb2flow, "convert", "nb/train.ipynb")
    assert validate(project / "prefect.yaml") == []
    server.pool(project)
    prefect = str(BIN / "prefect")
    out = server.sh(project, prefect, "--no-prompt", "deploy", "--all")
    assert "train/train" in out
    server.sh(project, prefect, "deployment", "run", "train/train", "--param", "n=5")
    server.sh(project, prefect, "worker", "start", "--pool", "nb2flow-test", "--run-once",
              timeout=180)
    [deployment] = server.post("deployments/filter", {"deployments": {
        "name": {"any_": ["train"]}}})
    runs = server.post("flow_runs/filter", {"deployments": {"id": {"any_": [
        deployment["id"]]}}})
    assert [(r["state_type"], r["parameters"]) for r in runs] == [
        ("COMPLETED", {"n": 5, "scale": 2.0, "out_path": "out/model.pkl"})]
    with open(project / "out" / "model.pkl", "rb") as f:
        assert pickle.load(f) == [0.0, 2.0, 4.0, 6.0, 8.0]
    assert deployment["parameters"] == {"n": 3, "scale": 2.0, "out_path": "out/model.pkl"}
    assert json.dumps(deployment["pull_steps"]).count(str(project.resolve())) == 1


@pytest.mark.slow
@pytest.mark.server
@pytest.mark.xdist_group("prefect-server")  # one worker, one server for the module
def test_no_planted_secret_reaches_the_deployment_on_the_server(tmp_path: Path,
                                                               server: Server) -> None:
    """Issue 17: a deployment is stored by the server and shown in its UI; none of the
    credentials the notebook holds may be in it (parameters, their schema, the entry point,
    the pull steps), nor in what `prefect deploy` prints."""
    import httpx
    from test_secret_forms import FORMS, _notebook

    project = tmp_path / "proj"
    (project / ".git").mkdir(parents=True)
    _notebook(project / "nb" / "job.ipynb", FORMS)
    nb2flow, prefect = str(BIN / "nb2flow"), str(BIN / "prefect")
    printed = server.sh(project, nb2flow, "init-project", "--pool", "nb2flow-test")
    printed += server.sh(project, nb2flow, "convert", "nb/job.ipynb")
    server.pool(project)
    printed += server.sh(project, prefect, "--no-prompt", "deploy", "--all")
    [deployment] = server.post("deployments/filter", {"deployments": {
        "name": {"any_": ["job"]}}})
    flow = httpx.get(f"{server.api}/flows/{deployment['flow_id']}", timeout=10).json()
    stored = json.dumps([deployment, flow, httpx.get(
        f"{server.api}/deployments/{deployment['id']}", timeout=10).json()])
    for secret, _ in FORMS:
        assert secret not in stored, f"{secret!r} is stored in the deployment"
        assert secret not in printed, f"{secret!r} was printed"
    # the URL whose key was split off is still a parameter, without its key
    assert any(isinstance(v, str) and v.endswith("?apikey=&city=nyc")
               for v in deployment["parameters"].values()), deployment["parameters"]


MONTHLY = [
    ("markdown", "# Monthly\nReads a month of trips and the next."),
    "import os",
    "with open('data/trips_2021-01.txt') as f:\n    train = f.read()",
    "with open('data/trips_2021-02.txt') as f:\n    valid = f.read()",
    "os.makedirs('out', exist_ok=True)\nwith open('out/used.txt', 'w') as f:\n"
    "    f.write(train + valid)",
]


@pytest.mark.slow
@pytest.mark.server
@pytest.mark.xdist_group("prefect-server")  # one worker, one server for both tests
def test_a_schedule_creates_runs_on_the_month_of_their_date(tmp_path: Path,
                                                            server: Server) -> None:
    """The server's scheduler creates runs (SQLAlchemy 2.1 broke it: no runs at all); a
    worker runs them, and with --date-params a scheduled run reads the month before its
    date while a manual run keeps the notebook's month."""
    from datetime import datetime, timezone

    project = tmp_path / "proj"
    (project / ".git").mkdir(parents=True)
    make_notebook(project / "nb" / "monthly.ipynb", *MONTHLY)
    for month in ("2021-01", "2021-02"):
        (project / "data").mkdir(exist_ok=True)
        (project / "data" / f"trips_{month}.txt").write_text(f"{month}\n")
    nb2flow, prefect = str(BIN / "nb2flow"), str(BIN / "prefect")
    server.sh(project, nb2flow, "init-project", "--pool", "nb2flow-test")
    server.sh(project, nb2flow, "convert", "nb/monthly.ipynb", "--date-params",
              "--interval", "20")
    [dep] = deployments(project)
    assert dep["parameters"] == {"used_path": "out/used.txt"}  # no year, no month
    server.pool(project)
    server.sh(project, prefect, "--no-prompt", "deploy", "--all")
    [deployment] = server.post("deployments/filter", {"deployments": {
        "name": {"any_": ["monthly"]}}})
    ours = {"deployments": {"id": {"any_": [deployment["id"]]}}}
    deadline = time.monotonic() + 60
    while True:  # the scheduler runs every 2 s here
        scheduled = server.post("flow_runs/filter", {
            **ours, "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
            "sort": "EXPECTED_START_TIME_ASC"})
        if len(scheduled) >= 2:
            break
        assert time.monotonic() < deadline, (
            "no scheduled runs:\n" + server.log_path.read_text()[-3000:])
        time.sleep(1)
    assert all("auto-scheduled" in r["tags"] for r in scheduled)
    assert "InvalidRequestError" not in server.log_path.read_text()
    first = datetime.fromisoformat(scheduled[0]["expected_start_time"])
    index = first.year * 12 + first.month - 1 - 1  # the month before the run's date
    train, valid = (f"{i // 12:04d}-{i % 12 + 1:02d}" for i in (index, index + 1))
    for month in (train, valid):
        (project / "data" / f"trips_{month}.txt").write_text(f"{month}\n")
    # a manual run, with no year or month: the notebook's month
    server.sh(project, prefect, "deployment", "run", "monthly/monthly", "--param",
              "used_path=out/manual.txt")
    # the worker takes the runs due within its 10 s prefetch window: wait for the first
    time.sleep(max(0.0, (first - datetime.now(timezone.utc)).total_seconds() - 5))
    server.sh(project, prefect, "worker", "start", "--pool", "nb2flow-test", "--run-once",
              timeout=180)
    runs = server.post("flow_runs/filter", {**ours, "flow_runs": {"state": {"type": {
        "any_": ["COMPLETED"]}}}})
    assert sorted("auto-scheduled" in r["tags"] for r in runs)[:2] == [False, True]
    assert (project / "out" / "used.txt").read_text() == f"{train}\n{valid}\n"
    assert (project / "out" / "manual.txt").read_text() == "2021-01\n2021-02\n"
