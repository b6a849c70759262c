"""``[tool.nb2flow]`` settings: found upward from the notebook, validated, overridden by flags."""

from __future__ import annotations

from pathlib import Path

import pytest
from nbutil import make_notebook

from nb2flow.config import load_settings
from nb2flow.errors import Nb2FlowError
from nb2flow.pipeline import ConvertOptions, build


def _project(tmp_path: Path, table: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(f"[project]\nname = 'x'\n\n[tool.nb2flow]\n{table}\n")
    (tmp_path / "notebooks").mkdir()
    return tmp_path / "notebooks"


def test_settings_are_found_upward(tmp_path: Path) -> None:
    folder = _project(tmp_path, 'parameters = ["alpha"]\nkeep-exploration = true')
    settings = load_settings(folder)
    assert settings.parameters == ("alpha",) and settings.keep_exploration
    assert settings.root == tmp_path


def test_parameters_setting_makes_a_parameter(tmp_path: Path) -> None:
    folder = _project(tmp_path, 'parameters = ["alpha"]')
    nb = make_notebook(folder / "n.ipynb", "import json", "rows = [1, 2]\nalpha = 0.5",
                       "with open('o.json', 'w') as f:\n    json.dump([r * alpha for r in rows], f)")
    flow = build(nb).flow
    assert [p.name for p in flow.params] == ["alpha", "o_path"]
    without = build(nb, ConvertOptions(params=())).flow  # the setting still applies
    assert [p.name for p in without.params] == ["alpha", "o_path"]


@pytest.mark.parametrize(
    "table,message",
    [
        ('keep_exploraton = true', "unknown key [tool.nb2flow] keep_exploraton"),
        ('parameters = "alpha"', "parameters should be"),
        ('secrets = "vault"', "secrets is 'block' or 'env'"),
        ("interval = true", "interval should be"),
    ],
)
def test_invalid_settings_name_the_file_and_key(tmp_path: Path, table: str, message: str) -> None:
    folder = _project(tmp_path, table)
    nb = make_notebook(folder / "n.ipynb", "print(1)")
    with pytest.raises(Nb2FlowError) as info:
        build(nb)
    assert info.value.code == "NB2F012"
    assert message in info.value.message
    assert str(tmp_path / "pyproject.toml") in info.value.render()


@pytest.mark.parametrize(
    "options",
    [
        ConvertOptions(task_runner="spark"),
        ConvertOptions(cache_expiration="soon"),
        ConvertOptions(drop_plots="some"),
        ConvertOptions(secrets="vault"),
    ],
)
def test_invalid_options(tmp_path: Path, options: ConvertOptions) -> None:
    nb = make_notebook(tmp_path / "n.ipynb", "print(1)")
    with pytest.raises(Nb2FlowError) as info:
        build(nb, options)
    assert info.value.code == "NB2F012"


@pytest.mark.parametrize(
    "cells,name,why",
    [
        (["x = 1\nprint(x)"], "alpha", "no cell assigns it"),
        (["import math\nalpha = math.pi\nprint(alpha)"], "alpha", "not a literal"),
        (["xs = [1]\nxs.append(2)\nprint(xs)"], "xs", "changes it in place"),
    ],
)
def test_a_parameter_that_cannot_be_made_is_an_error(
    tmp_path: Path, cells: list[str], name: str, why: str
) -> None:
    nb = make_notebook(tmp_path / "n.ipynb", *cells)
    with pytest.raises(Nb2FlowError) as info:
        build(nb, ConvertOptions(params=(name,)))
    assert info.value.code == "NB2F012"
    assert f"parameter `{name}`" in info.value.message and why in info.value.message


def test_flag_overrides_keep_exploration_setting(tmp_path: Path) -> None:
    folder = _project(tmp_path, "keep-exploration = true")
    nb = make_notebook(folder / "n.ipynb", "import pandas as pd\ndf = pd.DataFrame({'a': [1]})",
                       "df.head()", "df.to_csv('o.csv')")
    assert "df.head()" in build(nb).text  # the setting keeps displays
    assert "df.head()" not in build(nb, ConvertOptions(keep_exploration=False)).text


# ------------------------------------------------------- options recorded per notebook

MONTHLY = [
    ("markdown", "# Monthly totals"),
    "import json",
    "with open('data/sales_2024-01.json') as f:\n    train = json.load(f)",
    "with open('data/sales_2024-02.json') as f:\n    test = json.load(f)",
    "with open('out/total.json', 'w') as f:\n    json.dump(sum(train) + sum(test), f)",
]


def _cli(*args: str) -> tuple[int, str]:
    from typer.testing import CliRunner

    from nb2flow.cli import app

    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_options_given_once_stick(tmp_path: Path, monkeypatch) -> None:
    """convert --date-params records the option; --check and plain convert keep it."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        "[project]\nname = 'x'  # kept\n\n[tool.nb2flow]\nwork_pool = 'p'\n\n"
        "[tool.black]\nline-length = 88\n")
    nb = make_notebook(tmp_path / "nb" / "monthly.ipynb", *MONTHLY)
    monkeypatch.chdir(tmp_path)
    code, out = _cli("convert", "nb/monthly.ipynb", "--date-params", "--notify", "failure",
                     "--notify-block", "slack-webhook/alerts", "--sequential")
    assert code == 0, out
    assert ("pyproject.toml: recorded the options of nb/monthly.ipynb in "
            "[tool.nb2flow.per-notebook]; `nb2flow convert nb/monthly.ipynb` reuses them") in out
    script = nb.with_name("monthly.py")
    first = script.read_text()
    assert "year: int = 2024" in first and "on_failure=[notify_failure]" in first
    assert (tmp_path / "pyproject.toml").read_text() == (
        "[project]\nname = 'x'  # kept\n\n[tool.nb2flow]\nwork_pool = 'p'\n\n"
        '[tool.nb2flow.per-notebook."nb/monthly.ipynb"]\n'
        "sequential = true\ndate_params = true\n"
        'notify = ["failure"]\nnotify_block = "slack-webhook/alerts"\n\n'
        "[tool.black]\nline-length = 88\n")
    code, out = _cli("convert", "--check", "nb/monthly.ipynb")
    assert code == 0, out
    code, out = _cli("convert", "nb/monthly.ipynb")
    assert code == 0 and "(unchanged)" in out and "recorded" not in out
    code, out = _cli("convert", "--force", "nb/monthly.ipynb")  # the full path, rebuilt
    assert code == 0 and script.read_text() == first
    # the notebook changes: plain convert regenerates it with the same options
    make_notebook(nb, *MONTHLY[:4], MONTHLY[4].replace("sum(test)", "2 * sum(test)"))
    code, out = _cli("convert", "--check", "nb/monthly.ipynb")
    assert code == 1 and "NB2F016 stale" in out
    code, out = _cli("convert", "nb/monthly.ipynb")
    assert code == 0 and "(updated)" in out
    second = script.read_text()
    assert "year: int = 2024" in second and "2 * sum(test)" in second
    assert "on_failure=[notify_failure]" in second
    # changing an option is explicit, and recorded too
    code, out = _cli("convert", "nb/monthly.ipynb", "--no-date-params", "--no-sequential")
    assert code == 0, out
    assert "year: int" not in script.read_text()
    table = load_settings(nb)
    assert (table.date_params, table.sequential, table.notify) == (False, False, ("failure",))
    assert "date_params" not in (tmp_path / "pyproject.toml").read_text()


def test_no_options_record_nothing_and_check_records_nothing(tmp_path: Path,
                                                              monkeypatch) -> None:
    (tmp_path / ".git").mkdir()
    make_notebook(tmp_path / "monthly.ipynb", *MONTHLY)
    monkeypatch.chdir(tmp_path)
    assert _cli("convert", "monthly.ipynb")[0] == 0
    assert _cli("convert", "--check", "--date-params", "monthly.ipynb")[0] == 1
    assert not (tmp_path / "pyproject.toml").exists()
    code, out = _cli("convert", "monthly.ipynb", "--date-params")  # created at the git root
    assert code == 0, out
    assert (tmp_path / "pyproject.toml").read_text() == (
        '[tool.nb2flow.per-notebook."monthly.ipynb"]\ndate_params = true\n')
    assert _cli("convert", "--check", "monthly.ipynb")[0] == 0


def test_every_option_can_be_set_per_notebook(tmp_path: Path) -> None:
    folder = _project(tmp_path, (
        'parameters = ["rows"]\ncron = "0 3 * * *"\n\n'
        '[tool.nb2flow.per-notebook."notebooks/monthly.ipynb"]\n'
        'parameters = ["alpha"]\ndate-params = true\nscheduled_month = "current"\n'
        'data_dir = true\nsequential = true\nsubflows = true\ndrop_plots = "all"\n'
        'task_runner = "dask"\ncache = true\ncache_expiration = "12h"\nsecrets = "env"\n'
        'flow_name = "sales"\nkeep_exploration = true\nnotify = ["failure"]\n'
        'notify_block = "email-server-credentials/smtp"\nnotify_to = ["a@example.com"]\n'
        'work_pool = "gpu"\ntags = ["ml"]\ninterval = 3600\ntimezone = "UTC"\n'))
    nb = make_notebook(folder / "monthly.ipynb", *MONTHLY[:4],
                       "rows = [1, 2]\nalpha = 0.5\n" + MONTHLY[4])
    mine, other = load_settings(nb), load_settings(folder / "other.ipynb")
    assert mine.parameters == ("rows", "alpha") and other.parameters == ("rows",)
    assert (mine.cron, mine.interval, mine.work_pool) == ("0 3 * * *", 3600, "gpu")
    assert other == load_settings(folder) and mine.recorded and not other.recorded
    flow = build(nb).flow
    assert flow.name == "sales" and any("DaskTaskRunner(" in o for o in flow.flow_options)
    assert {"rows", "alpha", "year", "month", "data_dir"} <= {p.name for p in flow.params}


@pytest.mark.parametrize("table,message", [
    ('notebooks = ["*.ipynb"]', 'unknown key [tool.nb2flow.per-notebook."n.ipynb"] notebooks'),
    ('scheduled_month = "last"', "scheduled_month is 'previous' or 'current'"),
    ('date_params = "yes"', "date_params should be bool"),
])
def test_invalid_per_notebook_tables(tmp_path: Path, table: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.nb2flow.per-notebook."n.ipynb"]\n{table}\n')
    nb = make_notebook(tmp_path / "n.ipynb", "print(1)")
    with pytest.raises(Nb2FlowError) as info:
        build(nb)
    assert info.value.code == "NB2F012" and message in info.value.message
