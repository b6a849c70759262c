"""Issue 17: every form a credential takes in a notebook stays out of every output.

Each form is planted in a notebook whose flow uses it; convert, inspect (all formats),
convert --diff, ``-v`` on a broken cell and init-project + deployment sync run on it, and
no byte of any planted secret may appear in a file written or a line printed.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from nbutil import make_notebook
from typer.testing import CliRunner

from nb2flow.cli import app
from nb2flow.secret_spans import mask, spans

runner = CliRunner()
PG_PASSWORD = "Pr0dPassw0rd!x"
APIKEY = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
MLFLOW_PASSWORD = "hunter2hunter2"
BEARER = "abcdef0123456789abcdef0123456789"

#: (secret, a line binding `v<i>`): the six forms of the issue, then the others it lists
FORMS: list[tuple[str, str]] = [
    (PG_PASSWORD, f"v = 'postgresql://root:{PG_PASSWORD}@pg.internal:5432/ny_taxi'"),
    (APIKEY, f"v = 'https://api.weather.example.com/v1/history.csv?apikey={APIKEY}&city=nyc'"),
    (AWS_SECRET, f"os.environ['AWS_SECRET_ACCESS_KEY'] = '{AWS_SECRET}'\n"
                 "v = os.environ['AWS_SECRET_ACCESS_KEY'][:0] + 'aws'"),
    (MLFLOW_PASSWORD, f"os.environ['MLFLOW_TRACKING_PASSWORD'] = '{MLFLOW_PASSWORD}'\n"
                      "v = len(os.environ['MLFLOW_TRACKING_PASSWORD'])"),
    (BEARER, f"headers = {{'Authorization': 'Bearer {BEARER}'}}\nv = sorted(headers)"),
    ("p%40ss%21w0rd", "v = 'postgresql+psycopg2://etl:p%40ss%21w0rd@db:5432/dw'"),
    ("M0ng0S3cret", "v = 'mongodb+srv://admin:M0ng0S3cret@cluster0.example.net/app'"),
    ("JdbcPw!9x", "v = 'jdbc:mysql://db:3306/sales?user=etl&password=JdbcPw!9x'"),
    ("r3disPw77", "v = 'redis://:r3disPw77@cache:6379/0'"),
    ("amqpPw55x", "v = 'amqp://worker:amqpPw55x@mq:5672/'"),
    ("aB3dE5fG7hI9jK1lM3nO5pQ7", "v = 'https://acct.blob.core.windows.net/c/f.csv?sv=2020"
                                 "&sig=aB3dE5fG7hI9jK1lM3nO5pQ7'"),
    ("cl1entS3cretV4lue", "v = 'https://auth.example.com/token?client_id=app"
                          "&client_secret=cl1entS3cretV4lue'"),
    ("ak_5e6f7a8b9c0d1e2f", "v = len({'X-API-Key': 'ak_5e6f7a8b9c0d1e2f'})"),
    ("Tr0ub4dor&3xyz", "v = dict(user='me', password='Tr0ub4dor&3xyz')['user']"),
    (AWS_SECRET[::-1], f"v = dict(aws_secret_access_key='{AWS_SECRET[::-1]}') and 1"),
    ("AKIAIOSFODNN7EXAMPLE", "v = 'AKIAIOSFODNN7EXAMPLE'[:0]"),
    ("ghp_" + "Zx9" * 12, "v = len('ghp_" + "Zx9" * 12 + "')"),
    ("xoxb-2400000000-AbCdEfGhIjKlMnOp", "slack_token = 'xoxb-2400000000-AbCdEfGhIjKlMnOp'\n"
                                          "v = len(slack_token)"),
    ("sk-proj-abcdefghij0123456789ABCDEFGHIJ", "openai_api_key = "
     "'sk-proj-abcdefghij0123456789ABCDEFGHIJ'\nv = len(openai_api_key)"),
    ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "stripe_key = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'\n"
                                         "v = len(stripe_key)"),
    ("AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q", "google_api_key = "
     "'AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q'\nv = len(google_api_key)"),
    ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
     "jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
     "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'\nv = len(jwt)"),
    ("MIIEowIBAAKCAQEA7bq98", "private_key = '-----BEGIN RSA PRIVATE KEY-----\\n"
     "MIIEowIBAAKCAQEA7bq98\\n-----END RSA PRIVATE KEY-----'\nv = len(private_key)"),
    ("glpat-AbCdEfGhIjKlMnOpQrSt", "v = len('glpat-AbCdEfGhIjKlMnOpQrSt')"),
    # f-strings: the secret is in the text, around computed parts
    ("FStr1ngPw!x", "host = 'pg.internal'\nv = f'postgresql://etl:FStr1ngPw!x@{host}/db'"),
    ("0a1b2c3d4e5f6a7b8c9d0e1f", "v = f'https://api.example.com/v1?apikey=0a1b2c3d4e5f6a7b"
                                 "8c9d0e1f&q={len(\"nyc\")}'"),
]


def _notebook(path: Path, forms: list[tuple[str, str]]) -> Path:
    cells = ["import json\nimport os"]
    names = []
    for i, (_, code) in enumerate(forms):
        cells.append(code.replace("v = ", f"v{i} = "))
        names.append(f"v{i}")
    cells.append(("markdown", "## Export"))
    cells.append("with open('out/values.json', 'w') as f:\n"
                 f"    json.dump([str({'), str('.join(names)})], f)")
    return make_notebook(path, *cells)


def _run(*args: str, ok: bool = True) -> str:
    result = runner.invoke(app, list(args), terminal_width=200)
    if ok:
        assert result.exit_code == 0, result.output
    return result.output + (result.stderr if result.stderr_bytes else "")


def _assert_clean(folder: Path, printed: str, forms) -> None:
    written = {p: p.read_text(errors="replace") for p in folder.rglob("*")
               if p.is_file() and p.suffix != ".ipynb"}
    for secret, _ in forms:
        for path, text in written.items():
            assert secret not in text, f"{secret!r} leaked into {path.name}"
        assert secret not in printed, f"{secret!r} leaked into the output"


@pytest.mark.parametrize("form", range(len(FORMS)))
def test_each_form_is_detected(form: int) -> None:
    secret, code = FORMS[form]
    assert secret not in mask(code), code


def test_plain_values_are_not_secrets() -> None:
    for value, name in [("https://api.example.com/v1?city=nyc&key=date", "url"),
                        ("data/green_tripdata_2021-01.parquet", "key_path"),
                        ("PULocationID", "key_column"), ("bearer", "token_type"),
                        ("postgresql://root@pg.internal/db", "db_url")]:
        assert spans(value, name) == [], value


def test_no_planted_secret_reaches_any_output(tmp_path: Path, monkeypatch) -> None:
    forms = FORMS[:]
    random.Random(17).shuffle(forms)  # planted at other places than they are listed
    monkeypatch.chdir(tmp_path)
    _run("init-project", ".")
    nb = _notebook(tmp_path / "job.ipynb", forms)
    printed = _run("convert", "job.ipynb")
    for fmt in ("table", "json", "mermaid"):
        printed += _run("inspect", "job.ipynb", "-f", fmt)
    data = json.loads(_run("inspect", "job.ipynb", "-f", "json"))
    assert len(data["secrets"]) >= len(FORMS) - 1  # AWS_SECRET reversed is a second one
    # an edit of the notebook, seen through --diff
    _notebook(nb, [*forms, ("", "v = 1")])
    printed += _run("convert", "job.ipynb", "--diff", ok=False)
    # -v on a broken cell that holds a secret
    broken = make_notebook(tmp_path / "broken.ipynb", "import os",
                           f"url = 'postgresql://root:{PG_PASSWORD}@pg/db'\n"
                           f"headers = {{'Authorization': 'Bearer {BEARER}'}}\nx = (",
                           # kept code needs the broken cell, so it cannot be dropped
                           "import requests\nrequests.post(url, headers=headers)")
    printed += _run("-v", "convert", str(broken.name), ok=False)
    assert "NB2F006" in printed and "***" in printed
    _assert_clean(tmp_path, printed, FORMS)
    script = (tmp_path / "job.py").read_text()
    assert 'os.environ["AWS_SECRET_ACCESS_KEY"] = Secret.load(' in script
    assert "?apikey=&city=nyc" in script  # the rest of the URL stays a parameter
    assert (tmp_path / "prefect.yaml").is_file()


def test_a_secret_in_an_f_string_is_read_in_a_replacement_field(tmp_path: Path) -> None:
    from nb2flow.pipeline import build

    nb = make_notebook(
        tmp_path / "f.ipynb", "import json",
        "host = 'pg.internal'\ncity = 'nyc'\n"
        "dsn = f'postgresql://etl:FStr1ngPw!x@{host}/db'\n"
        f"url = f\"https://api.example.com/v1?apikey={APIKEY}&q={{city}}\"\n"
        "mine = f'https://api.example.com/v1?apikey={city}'",
        "with open('out/u.json', 'w') as f:\n    json.dump([dsn, url, mine], f)",
    )
    result = build(nb)
    assert "FStr1ngPw!x" not in result.text and APIKEY not in result.text
    assert "@{host}/db" in result.text and "&q={city}" in result.text
    assert result.text.count("Secret.load(") == 2  # ?apikey={city} is not a secret
    compile(result.text, "f.py", "exec")
    assert {u.kind for u in result.flow.secrets} == {"password in a URL",
                                                    "apikey in a query string"}


def test_env_assignment_of_a_secret_is_kept_as_an_effect(tmp_path: Path) -> None:
    """Issue 17: the statement that sets AWS_SECRET_ACCESS_KEY was dropped."""
    from nb2flow.pipeline import build

    nb = make_notebook(
        tmp_path / "s3.ipynb", "import os\nimport boto3",
        f"os.environ['AWS_SECRET_ACCESS_KEY'] = '{AWS_SECRET}'",
        "s3 = boto3.client('s3')\ns3.upload_file('model.bin', 'models', 'model.bin')",
    )
    text = build(nb).text
    assert AWS_SECRET not in text
    assert 'os.environ["AWS_SECRET_ACCESS_KEY"] = Secret.load("aws-secret-access-key").get()' \
        in text


def test_a_secret_is_loaded_by_each_task_that_uses_it(tmp_path: Path) -> None:
    from nb2flow.pipeline import build

    nb = make_notebook(
        tmp_path / "api.ipynb", "import json\nimport urllib.request",
        f"token = '{BEARER}'\nheaders = {{'Authorization': 'Bearer ' + token}}",
        ("markdown", "## Fetch"), "rows = [len(headers), 1]\nprint(headers)",
        ("markdown", "## Save"),
        "with open('out/rows.json', 'w') as f:\n    json.dump([rows, len(token)], f)",
    )
    result = build(nb)
    flow = result.flow
    for t in flow.tasks:  # nothing built from the secret is passed between tasks
        assert not {"token", "headers"} & (set(t.inputs) | set(t.outputs)), t
    codes = [(d.code, d.cell) for d in flow.diagnostics]
    assert ("NB2W012", 4) in codes


def _db_notebook(path: Path, configure: str = "") -> Path:
    return make_notebook(
        path, "import json\nfrom sqlalchemy import create_engine",
        ("markdown", "# Connect"),
        f"engine = create_engine('postgresql://etl:{PG_PASSWORD}@pg.internal/taxi')\n"
        f"{configure}rows = [1, 2, 3]\nrows.append(4)\ntotal = sum(rows)\n"
        "mean = total / len(rows)\nbig = [r for r in rows if r > mean]",
        ("markdown", "# Export"),
        "with open('out.json', 'w') as f:\n    json.dump([engine.url.host, total, big], f)\n"
        "with open('out2.json', 'w') as f:\n    json.dump([mean], f)\nprint(len(big))",
    )


def test_an_object_built_from_a_secret_is_built_again_where_it_is_used(tmp_path) -> None:
    """The engine (and the password inside it) never crosses a task boundary: the task
    that uses it loads the secret and builds its own."""
    from nb2flow.pipeline import build

    result = build(_db_notebook(tmp_path / "db.ipynb"))
    flow = result.flow
    assert "NB2W013" not in [d.code for d in flow.diagnostics]
    for t in flow.tasks:
        assert "engine" not in t.inputs and "engine" not in t.outputs, t
    export = next(t for t in flow.tasks if t.name == "export")
    assert "engine = create_engine(" in export.body and "Secret.load(" in export.body
    assert PG_PASSWORD not in result.text


def test_a_session_and_its_client_are_built_again_together(tmp_path) -> None:
    from nb2flow.pipeline import build

    nb = make_notebook(
        tmp_path / "s3.ipynb", "import boto3",
        ("markdown", "# Connect"),
        f"session = boto3.Session(aws_secret_access_key='{AWS_SECRET}')\n"
        "s3 = session.client('s3')\ns3.list_buckets()",
        ("markdown", "# Upload"), "s3.upload_file('model.bin', 'models', 'model.bin')",
    )
    flow = build(nb).flow
    upload = next(t for t in flow.tasks if t.name == "upload")
    assert "s3" not in upload.inputs and "session" not in upload.inputs
    assert upload.body.index("session = boto3.Session(") < upload.body.index("s3 = session")
    assert "NB2W013" not in [d.code for d in flow.diagnostics]


def test_an_object_changed_after_it_is_built_is_never_persisted(tmp_path: Path) -> None:
    """`engine.echo = True` would be lost if the engine were built again: it is passed on,
    its producer's result is never persisted, and NB2W013 says so."""
    from nb2flow.pipeline import build

    flow = build(_db_notebook(tmp_path / "db.ipynb", "engine.echo = True\n")).flow
    assert [d.code for d in flow.diagnostics].count("NB2W013") == 1
    producer = next(t for t in flow.tasks if "engine" in t.outputs)
    assert "persist_result=False" in producer.decorator


def test_a_task_that_reads_a_secret_and_returns_a_value_is_never_persisted(tmp_path):
    from nb2flow.pipeline import build

    nb = make_notebook(
        tmp_path / "api.ipynb", "import json\nimport urllib.parse",
        ("markdown", "# Fetch"),
        f"rows = [len(urllib.parse.quote('ghp_{'Zx9' * 12}', safe='')), 2]\nrows.append(3)",
        ("markdown", "# Save"), "with open('out/r.json', 'w') as f:\n    json.dump(rows, f)",
    )
    flow = build(nb).flow
    fetch = next(t for t in flow.tasks if t.name == "fetch")
    assert fetch.outputs and "persist_result=False" in fetch.decorator
    assert "persist_result" not in next(t for t in flow.tasks if t.name == "save").decorator


@pytest.mark.slow
def test_split_secrets_run_under_prefect(tmp_path: Path, run_flow) -> None:
    """The AWS environment and a split URL, end to end with real Secret blocks: the flow
    writes what the notebook writes."""
    from prefect.blocks.system import Secret

    nb = make_notebook(
        tmp_path / "aws.ipynb", "import json\nimport os",
        f"os.environ['AWS_SECRET_ACCESS_KEY'] = '{AWS_SECRET}'\n"
        f"url = 'https://api.weather.example.com/v1/history.csv?apikey={APIKEY}&city=nyc'",
        ("markdown", "## Use"),
        "seen = {'env': os.environ['AWS_SECRET_ACCESS_KEY'], 'url': url}\n"
        "with open('out/seen.json', 'w') as f:\n    json.dump(seen, f)",
    )
    _run("convert", str(nb))
    script = tmp_path / "aws.py"
    assert AWS_SECRET not in script.read_text() and APIKEY not in script.read_text()
    Secret(value=AWS_SECRET).save("aws-secret-access-key", overwrite=True)
    Secret(value=APIKEY).save("url-apikey", overwrite=True)
    (tmp_path / "out").mkdir()
    run_flow(script, tmp_path)
    seen = json.loads((tmp_path / "out" / "seen.json").read_text())
    assert seen == {"env": AWS_SECRET, "url": "https://api.weather.example.com/v1/"
                    f"history.csv?apikey={APIKEY}&city=nyc"}


def test_a_print_of_a_secret_is_a_warning_with_its_cell_and_line(tmp_path: Path) -> None:
    from nb2flow.pipeline import build

    nb = make_notebook(
        tmp_path / "p.ipynb", "import json",
        f"token = '{BEARER}'\nauth = 'Bearer ' + token",
        "rows = [1]\nprint(len(rows))\nprint('auth:', auth)\n"
        f"print(f'https://api.example.com/v1?apikey={APIKEY}&q={{rows}}')",
        "with open('out/r.json', 'w') as f:\n    json.dump([rows, auth], f)",
    )
    flow = build(nb).flow
    where = sorted((d.cell, d.line) for d in flow.diagnostics if d.code == "NB2W012")
    assert where == [(3, 3), (3, 4)]


def test_a_secret_named_like_a_variable_the_notebook_sets_gets_another_name(tmp_path):
    """`--secrets env`: the key passed to boto3 must not be read from the variable the
    notebook sets to another value."""
    from nb2flow.pipeline import ConvertOptions, build

    nb = make_notebook(
        tmp_path / "e.ipynb", "import json\nimport os",
        f"creds = dict(aws_secret_access_key='{AWS_SECRET[::-1]}')\n"
        f"os.environ['AWS_SECRET_ACCESS_KEY'] = '{AWS_SECRET}'",
        "with open('out/e.json', 'w') as f:\n"
        "    json.dump([creds, os.environ['AWS_SECRET_ACCESS_KEY']], f)",
    )
    text = build(nb, ConvertOptions(secrets="env")).text
    assert 'os.environ["AWS_SECRET_ACCESS_KEY"] = os.environ["AWS_SECRET_ACCESS_KEY"]' in text
    assert 'dict(aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY_2"])' in text


@pytest.mark.slow
def test_an_object_built_again_in_the_task_that_uses_it_runs_under_prefect(tmp_path: Path,
                                                                           run_flow) -> None:
    """The client is built from a real Secret block in the task that uses it, and that
    task writes what the notebook writes."""
    import hashlib

    from prefect.blocks.system import Secret

    nb = make_notebook(
        tmp_path / "client.ipynb", "import hashlib\nimport json\nimport types",
        ("markdown", "## Connect"),
        f"client = types.SimpleNamespace(user='etl', password='{PG_PASSWORD}')\n"
        "rows = [1, 2]\nrows.append(3)",
        ("markdown", "## Use"),
        "digest = hashlib.sha256(client.password.encode()).hexdigest()\n"
        "with open('out/d.json', 'w') as f:\n    json.dump([client.user, digest, rows], f)",
    )
    _run("convert", str(nb))
    text = (tmp_path / "client.py").read_text()
    assert PG_PASSWORD not in text and "def use(d_path, rows)" in text  # built there
    Secret(value=PG_PASSWORD).save("password", overwrite=True)
    run_flow(tmp_path / "client.py", tmp_path)
    assert json.loads((tmp_path / "out" / "d.json").read_text()) == [
        "etl", hashlib.sha256(PG_PASSWORD.encode()).hexdigest(), [1, 2, 3]]
