"""Issue 17, as a property: random credentials of 24 kinds, planted at random places of
generated notebooks (``nbgen``), never reach anything nb2flow writes or prints, and the
flow still computes what the notebook computes.

For each example the planted notebook goes through ``init-project``, ``convert`` (with its
deployment in prefect.yaml), ``inspect`` in every format, ``convert --diff`` after an edit
and ``-v convert`` of a notebook whose broken cell holds a secret; no planted value may
appear in any file of the project but the notebook, or in anything printed. The same
notebook converted with ``--secrets env`` and run through its tasks' ``.fn`` with the
variables set gives the notebook's prints and files; a fixed sample runs under Prefect with
real Secret blocks on the session's test server.

Examples: ``NB2FLOW_SECRET_EXAMPLES`` (12 by default); CI runs the same ones each time
(``NB2FLOW_DERANDOMIZE=1``).
"""

from __future__ import annotations

import json
import os
import string
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from equivalence import assert_same_effects
from flowrun import flow_effects, run_cells_effects
from hypothesis import HealthCheck, Phase, assume, event, given, note, settings
from hypothesis import strategies as st
from nbgen import Features, notebooks
from nbutil import make_notebook
from typer.testing import CliRunner

from nb2flow.cli import app
from nb2flow.errors import Nb2FlowError
from nb2flow.pipeline import ConvertOptions, build

EXAMPLES = int(os.environ.get("NB2FLOW_SECRET_EXAMPLES", "12"))
DERANDOMIZE = os.environ.get("NB2FLOW_DERANDOMIZE") == "1"
#: shrinking a notebook of this size takes minutes: a failure is reported as found
SETTINGS = settings(max_examples=EXAMPLES, derandomize=DERANDOMIZE, deadline=None,
                    phases=[Phase.explicit, Phase.reuse, Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])
#: Small programs around the plants: the property is about the plants
GRAMMAR = Features(magics=False, plots=False, classes=False)
runner = CliRunner()

ALNUM = string.ascii_letters + string.digits
#: a URL password: any character but the URL's own delimiters, percent-encoded or not
PASSWORD = ALNUM + "!$^*()~-_.+,;=["


def _text(alphabet: str, low: int, high: int | None = None):
    return st.text(alphabet=alphabet, min_size=low, max_size=high or low)


@st.composite
def _password(draw):
    body = draw(_text(PASSWORD, 8, 16))
    if draw(st.booleans()):  # percent-encoded characters
        at = draw(st.integers(0, len(body)))
        body = body[:at] + draw(st.sampled_from(["%40", "%21", "%23", "%2F", "%3A"])) + body[at:]
    return "Pw" + body  # never shorter than 10, never a digit-only string


@dataclass(frozen=True)
class Plant:
    """``code`` binds ``name``; ``secret`` is the credential in it (on one line), ``value``
    what its Secret block or variable holds (a private key's whole PEM text)."""

    kind: str
    secret: str
    code: str
    name: str
    value: str = ""


def _kinds(i: int) -> dict:
    """kind -> (strategy of the secret, the code binding ``cred<i>`` from it)."""
    v = f"cred{i}"
    key = st.sampled_from(["apikey", "api_key", "access_token", "client_secret", "signature"])
    return {
        "postgresql": (_password(), lambda s: f"{v} = 'postgresql://etl:{s}@pg.internal:5432/dw'"),
        "psycopg2": (_password(), lambda s: f"{v} = 'postgresql+psycopg2://etl:{s}@db/dw'"),
        "mongodb+srv": (_password(), lambda s: f"{v} = 'mongodb+srv://app:{s}@c0.example.net/a'"),
        "redis": (_password(), lambda s: f"{v} = 'redis://:{s}@cache:6379/0'"),
        "amqp": (_password(), lambda s: f"{v} = 'amqp://worker:{s}@mq:5672/'"),
        "jdbc": (_text(ALNUM + "!$^*()~-_.+", 12, 20),
                 lambda s: f"{v} = 'jdbc:mysql://db:3306/sales?user=etl&password={s}'"),
        "query": (st.tuples(key, _text(ALNUM, 16, 32)),
                  lambda s: f"{v} = 'https://api.example.com/v1/h.csv?{s[0]}={s[1]}&city=nyc'"),
        "f-string URL": (_password(), lambda s: f"{v} = f'postgresql://etl:{s}@{{\"pg\"}}/dw'"),
        "f-string query": (_text(ALNUM, 20, 32), lambda s: (
            f"{v} = f'https://api.example.com/v1?apikey={s}&q={{1 + 1}}'")),
        "Authorization": (_text(ALNUM + "-_.", 20, 40),
                          lambda s: f"{v} = {{'Authorization': 'Bearer {s}'}}"),
        "X-API-Key": (_text(ALNUM, 20, 32), lambda s: f"{v} = {{'X-API-Key': '{s}'}}"),
        "password=": (_text(ALNUM + "!$&*-_.", 10, 18),
                      lambda s: f"{v} = dict(user='me', password='{s}')"),
        "aws_secret_access_key=": (_text(ALNUM + "/+", 40),
                                   lambda s: f"{v} = dict(aws_secret_access_key='{s}')"),
        "environment": (_text(ALNUM, 16, 32), None),  # see plant()
        "AWS access key id": (_text(string.ascii_uppercase + string.digits, 16).map(
            "AKIA".__add__), lambda s: f"aws_access_key_id{i} = '{s}'\n{v} = aws_access_key_id{i}"),
        "AWS secret key": (_text(ALNUM + "/+", 40), lambda s: (
            f"aws_secret_access_key{i} = '{s}'\n{v} = len(aws_secret_access_key{i})")),
        "GitHub": (_text(ALNUM, 36).map("ghp_".__add__), lambda s: f"{v} = '{s}'"),
        "Slack": (_text(ALNUM, 24).map("xoxb-2400000000-".__add__), lambda s: f"{v} = '{s}'"),
        "OpenAI": (_text(ALNUM, 32).map("sk-proj-".__add__),
                   lambda s: f"openai_api_key{i} = '{s}'\n{v} = openai_api_key{i}"),
        "Stripe": (_text(ALNUM, 24).map("sk_live_".__add__), lambda s: f"{v} = '{s}'"),
        "Google": (_text(ALNUM + "-_", 35).map("AIza".__add__), lambda s: f"{v} = '{s}'"),
        "private key": (_text(ALNUM + "+/", 40, 64),
                        lambda s: f"{v} = '-----BEGIN RSA PRIVATE KEY-----\\n{s}\\n"
                                  "-----END RSA PRIVATE KEY-----'"),
        "object": (_text(ALNUM + "!$&*-_.", 10, 18),  # built again by each task using it
                   lambda s: f"import argparse\n{v} = argparse.Namespace(user='me', "
                             f"password='{s}')"),
        "JWT": (st.tuples(_text(ALNUM, 12, 20), _text(ALNUM, 12, 20),
                          _text(ALNUM + "-_", 20, 43)).map(lambda t: f"eyJ{t[0]}.eyJ{t[1]}.{t[2]}"),
                lambda s: f"{v} = '{s}'"),
    }


KINDS = list(_kinds(0))
ENV_NAMES = ["AWS_SECRET_ACCESS_KEY", "MLFLOW_TRACKING_PASSWORD", "SERVICE_API_TOKEN"]


@st.composite
def plant(draw, i: int, env_taken: set) -> Plant:
    kind = draw(st.sampled_from(KINDS))
    strategy, code = _kinds(i)[kind]
    drawn = draw(strategy)
    secret = drawn[1] if isinstance(drawn, tuple) else drawn
    if kind == "environment":
        env = next((n for n in ENV_NAMES if n not in env_taken), f"SERVICE{i}_API_TOKEN")
        env_taken.add(env)
        text = f"os.environ['{env}'] = '{secret}'\ncred{i} = os.environ['{env}']"
    else:
        text = code(drawn)
    value = secret
    if kind == "private key":
        value = f"-----BEGIN RSA PRIVATE KEY-----\n{secret}\n-----END RSA PRIVATE KEY-----"
    return Plant(kind, secret, text, f"cred{i}", value)


@st.composite
def planted_notebooks(draw):
    """(cells, plants, the (cell, line) of each plant's secret)."""
    cells = list(draw(notebooks(GRAMMAR, max_steps=8)))
    env_taken: set = set()
    plants = [draw(plant(i, env_taken)) for i in range(draw(st.integers(3, 7)))]
    secrets = [p.secret for p in plants]
    assume(not any(a in b for i, a in enumerate(secrets) for b in secrets[:i] + secrets[i + 1:]))
    for p in plants:  # a cell of its own, or the top of a code cell
        at = draw(st.integers(1, len(cells)))
        target = cells[at] if at < len(cells) else None
        if isinstance(target, str) and draw(st.booleans()):
            cells[at] = f"{p.code}\n{target}"
        else:
            cells.insert(at, p.code)
    used = [p.name for p in plants if draw(st.integers(0, 3))]  # some are never used
    cells.append("import hashlib\nos.makedirs('out', exist_ok=True)\n"
                 "with open('out/creds.json', 'w') as f:\n    json.dump(["
                 + ", ".join(f"hashlib.sha256(repr({n}).encode()).hexdigest()" for n in used)
                 + "], f)")
    where = {}
    for number, cell in enumerate(cells, start=1):
        source = cell if isinstance(cell, str) else cell[1]
        for line, text in enumerate(source.split("\n"), start=1):
            for p in plants:
                if p.secret in text:
                    where[(number, line)] = p.value
    return cells, plants, where


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), terminal_width=200)
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


def _assert_nothing_leaks(project: Path, printed: str, plants: list[Plant]) -> None:
    files = {p: p.read_bytes() for p in project.rglob("*")
             if p.is_file() and p.suffix != ".ipynb" and ".git" not in p.parts}
    assert (project / "prefect.yaml").is_file()
    for p in plants:
        for path, data in files.items():
            assert p.secret.encode() not in data, f"{p.kind} secret leaked into {path.name}"
        assert p.secret not in printed, f"{p.kind} secret leaked into the output"


def _everything_nb2flow_writes_or_prints(project: Path, cells, plants) -> None:
    (project / ".git").mkdir(parents=True)
    cwd = os.getcwd()
    os.chdir(project)
    try:
        code, printed = _run("init-project", ".")
        assert code == 0, printed
        make_notebook(project / "job.ipynb", *cells)
        code, out = _run("convert", "job.ipynb")
        printed += out
        if code == 0:
            for fmt in ("table", "json", "mermaid"):
                printed += _run("inspect", "job.ipynb", "-f", fmt)[1]
            make_notebook(project / "job.ipynb", *cells, "late = 1\nprint(late)")
            printed += _run("convert", "job.ipynb", "--diff")[1]
        broken = make_notebook(project / "broken.ipynb", "import os\nimport json",
                               f"{plants[0].code}\nx = (",
                               f"with open('o.json', 'w') as f:\n    json.dump([{plants[0].name}"
                               "], f)")
        code, out = _run("-v", "convert", broken.name)
        assert code == 1 and "NB2F006" in out, out
        printed += out
    finally:
        os.chdir(cwd)
    _assert_nothing_leaks(project, printed, plants)


def _assert_no_secret_crosses_a_task(flow, plants) -> None:
    """A planted name passed between tasks is a parameter (the text without its secret);
    every task that needs a secret, or an object built from one, loads it."""
    params = {p.name for p in flow.params}
    names = {p.name for p in plants}
    for t in flow.tasks:
        crossing = (set(t.inputs) | set(t.outputs)) & names
        assert crossing <= params, f"{sorted(crossing - params)} cross into task {t.name}"
    assert "NB2W013" not in [d.code for d in flow.diagnostics]


def _env_of(result, where: dict) -> dict[str, str]:
    """The value of each variable the script reads (``--secrets env``)."""
    return {u.env: where[(u.cell, u.line)] for u in result.flow.secrets}


@SETTINGS
@given(example=planted_notebooks())
def test_no_planted_secret_reaches_anything_and_the_flow_still_works(example) -> None:
    cells, plants, where = example
    note("\n---\n".join(c if isinstance(c, str) else c[1] for c in cells))
    assert len(where) == len(plants)  # each secret sits on one line of its own
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        _everything_nb2flow_writes_or_prints(tmp / "project", cells, plants)
        for d in ("nb", "flow", "src"):
            (tmp / d).mkdir()
        try:
            notebook = run_cells_effects(cells, tmp / "nb")
            os.environ.clear()
            os.environ.update(saved)  # the flow sets the notebook's variables itself
            path = make_notebook(tmp / "src" / "job.ipynb", *cells)
            try:
                result = build(path, ConvertOptions(secrets="env"))
            except Nb2FlowError as exc:  # the generator's programs may be refused
                event(f"error {exc.code}")
                assert exc.code not in {"NB2F006", "NB2F007", "NB2F017"}, exc.render()
                return
            assert {u.cell for u in result.flow.secrets} <= {c for c, _ in where}
            _assert_no_secret_crosses_a_task(result.flow, plants)
            script = tmp / "src" / "job.py"
            script.write_text(result.text)
            note(result.text)
            os.environ.update(_env_of(result, where))
            assert_same_effects(notebook, flow_effects(script, tmp / "flow"), result)
            event(f"{len(result.flow.secrets)} secrets")
        finally:
            os.environ.clear()
            os.environ.update(saved)


#: A fixed sample, run by Prefect with the Secret blocks created on the test server
PREFECT_SAMPLE = 3


@pytest.mark.slow
def test_a_fixed_sample_under_prefect_with_secret_blocks(prefect_harness) -> None:
    from equivalence import run_flow
    from prefect.blocks.system import Secret

    ran: list[int] = []

    @settings(max_examples=PREFECT_SAMPLE, derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(example=planted_notebooks())
    def check(example) -> None:
        cells, plants, where = example
        saved = dict(os.environ)
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            for d in ("nb", "flow", "src"):
                (tmp / d).mkdir()
            try:
                notebook = run_cells_effects(cells, tmp / "nb")
                os.environ.clear()
                os.environ.update(saved)
                path = make_notebook(tmp / "src" / "job.ipynb", *cells)
                try:
                    result = build(path)
                except Nb2FlowError as exc:
                    assert exc.code not in {"NB2F006", "NB2F007", "NB2F017"}, exc.render()
                    return
                for u in result.flow.secrets:
                    Secret(value=where[(u.cell, u.line)]).save(u.block, overwrite=True)
                script = tmp / "src" / "job.py"
                script.write_text(result.text)
                note(result.text)
                flow = run_flow(script, tmp / "flow")
                assert_same_effects(notebook, flow, result)
                assert json.loads(flow.files["out/creds.json"]) == json.loads(
                    notebook.files["out/creds.json"])
                ran.append(len(result.flow.secrets))
            finally:
                os.environ.clear()
                os.environ.update(saved)

    check()
    assert sum(ran) >= PREFECT_SAMPLE, ran  # the sample did run flows that read blocks


def test_the_plants_cover_at_least_twenty_kinds() -> None:
    assert len(KINDS) >= 20
