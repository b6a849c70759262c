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
