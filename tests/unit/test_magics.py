"""IPython syntax that real notebooks contain, translated as IPython runs it (issue 16)."""

from __future__ import annotations

import ast

import pytest

from nb2flow.magics import translate


def lines_of(source: str) -> list[str]:
    return translate(source).source.split("\n")


def test_continued_shell_line_is_joined_and_keeps_the_line_count() -> None:
    out = translate("!wget https://example.com/data.csv \\\n    -O data.csv\nx = 1")
    assert out.source.split("\n")[0] == (
        "subprocess.run('wget https://example.com/data.csv -O data.csv', shell=True, "
        "check=True)")
    assert out.source.split("\n")[1:] == ["", "x = 1"]
    assert out.shell == [(1, "wget https://example.com/data.csv -O data.csv")]


@pytest.mark.parametrize("line,expected", [
    ("ls data/", None),  # alias: a display command, dropped
    ("pwd", None),
    ("pip install lightgbm", None),
    ("conda env export", None),
    ("cd data", "os.chdir('data')"),
    ("mkdir -p out/models", "pathlib.Path('out/models').mkdir(parents=True, exist_ok=True)"),
])
def test_automagic_lines_run_as_their_magic(line: str, expected: str | None) -> None:
    out = translate(f"{line}\nx = (1")  # a cell that does not parse: translate is called
    first = out.source.split("\n")[0]
    if expected is None:
        assert first == "" and out.dropped and out.dropped[0][0] == 1
    else:
        assert first == expected


@pytest.mark.parametrize("line", ["ls = [1, 2]", "time.sleep(1)", "history.history['loss']",
                                  "cd, x = 1, 2", "pip.main(['install', 'x'])"])
def test_python_that_starts_with_a_magic_name_is_left_alone(line: str) -> None:
    assert translate(line).source == line


def test_cell_magic_after_a_leading_blank_line() -> None:
    out = translate("\n%%capture\n!pip install lightgbm")
    assert out.pip_packages == ["lightgbm"]
    ast.parse(out.source)
    assert len(out.source.split("\n")) == 3


def test_capture_binds_its_name_to_the_captured_output() -> None:
    out = translate("%%capture output\nprint('training')\nx = 1")
    namespace: dict = {}
    exec(compile("import contextlib, io, types\n" + out.source, "cell", "exec"), namespace)
    assert namespace["output"].stdout == "training\n"
    assert namespace["x"] == 1


def test_bigquery_with_a_name_becomes_a_client_query() -> None:
    out = translate("%%bigquery df\nSELECT *\nFROM t")
    assert out.source.split("\n")[0] == (
        "df = bigquery.Client().query('SELECT *\\nFROM t\\n').to_dataframe()")
    assert out.imports == ["from google.cloud import bigquery"]
    assert translate("%%bigquery\nSELECT 1").source.strip() == ""  # only displays


def test_a_foreign_cell_magic_is_named() -> None:
    assert translate("%%sql\nSELECT 1").foreign == (1, "%%sql")
    assert translate("\n%%sql\nSELECT 1").foreign == (2, "%%sql")
    assert translate("%%sql -o x\nSELECT 1").foreign == (1, "%%sql")
    assert translate("%%mymagic\nx = 1").foreign is None  # a Python body is kept


@pytest.mark.parametrize("command", ["ls -la", "python -V", "pip freeze", "nvidia-smi",
                                     "cat data.csv", "pip list", "python --version"])
def test_display_shell_commands_are_dropped_with_a_reason(command: str) -> None:
    out = translate(f"!{command}")
    assert out.source == "" and out.shell == []
    assert out.dropped[0][0] == 1 and out.dropped[0][2]


@pytest.mark.parametrize("command", ["ls > files.txt", "cat a.csv | head -5 > b.csv",
                                     "wget -O f.csv https://example.com/f.csv",
                                     "curl -o f.csv https://example.com/f.csv"])
def test_shell_commands_that_write_still_run(command: str) -> None:
    out = translate(f"!{command}")
    assert out.source.startswith("subprocess.run(")


def test_env_magic_assignment_and_expansion() -> None:
    assert lines_of("PATH=%env PATH\n%env PATH={PATH}:/home/x") == [
        "PATH = os.environ['PATH']", "os.environ['PATH'] = f\"{PATH}:/home/x\""]


def test_a_space_after_the_percent_sign() -> None:
    out = translate("% matplotlib inline\nx = 1")
    assert out.source == "\nx = 1" and out.dropped


def test_r_cells_without_an_output_are_dropped_with_a_warning() -> None:
    out = translate("%%R -i df\nlibrary(x)\ndf %>% y")
    assert out.foreign is None and out.unknown[0][0] == 1
    assert translate("%%R -o res\nres <- 1 %>% y").foreign == (1, "%%R")


def test_cell_magic_after_colab_form_lines() -> None:
    # martin-fabbri colab-notebooks: Colab runs a cell magic under its ``#@title`` lines
    out = translate("#@title ## Setup\n#@markdown - kubectl\n%%shell\ncurl -LO https://x/k\n"
                    "chmod +x ./k")
    assert out.source.split("\n") == [
        "", "", "subprocess.run('curl -LO https://x/k\\nchmod +x ./k', shell=True, check=True)",
        "", ""]
    out = translate("#@title ## Install\n\n%%capture --no-stdout --no-stderr\n"
                    "!pip install -U kaggle\nprint('installed')")
    assert out.source.split("\n") == ["", "", "", "", "print('installed')"]
    assert out.pip_packages == ["kaggle"]


def test_a_comment_before_a_cell_magic_is_not_colab() -> None:
    out = translate("# setup\n%%capture\nx = 1")  # IPython: `%%capture` is a line here
    assert out.source.split("\n")[0] == "# setup"


def test_braces_that_are_not_python_stay_in_the_command() -> None:
    # martin-fabbri kubeflow_setup_cluster: IPython expands {expr} only when it evaluates
    out = translate("!kubectl get ingress -o=jsonpath={.spec.rules[0].host}\nx = (1")
    assert out.source.split("\n")[0] == (
        "subprocess.run('kubectl get ingress -o=jsonpath={.spec.rules[0].host}', shell=True, "
        "check=True)")
    assert lines_of("!rm -rf {name} ${HOME}/x $y\nx = (1")[0] == (
        'subprocess.run(f"rm -rf {name} ${{HOME}}/x {y}", shell=True, check=True)')
    assert lines_of("!rm -rf ${KF_DIR}\nx = (1")[0] == (
        "subprocess.run('rm -rf ${KF_DIR}', shell=True, check=True)")
