"""Secrets never reach an output; the flow reads them from a Prefect Secret block or env."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from nbutil import make_notebook
from typer.testing import CliRunner

from nb2flow.cli import app

runner = CliRunner()
TOKEN = "ghp_" + "Zx9" * 12  # a GitHub-token-shaped string
SECRETS = {
    "AKIAIOSFODNN7EXAMPLE": 'aws_access_key_id = "AKIAIOSFODNN7EXAMPLE"',
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY":
        'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"',
    "s3cr3tP4ssw0rd": 'db_url = "postgresql://admin:s3cr3tP4ssw0rd@db.example.com/prod"',
    "f3a9c1e7b5d24f60a8e1c9b7d3f5a2e4": 'api_key = "f3a9c1e7b5d24f60a8e1c9b7d3f5a2e4"',
    "Tr0ub4dor&3xyz": 'password = "Tr0ub4dor&3xyz"',
    TOKEN: f'headers = {{"Authorization": "{TOKEN}"}}',
}


def _secret_notebook(path: Path) -> Path:
    assignments = "\n".join(SECRETS.values())
    return make_notebook(
        path, ("markdown", "# Nightly export"), "import json", assignments,
        "with open('out/config.json', 'w') as f:\n"
        "    json.dump([aws_access_key_id, aws_secret_access_key, db_url, api_key, password,"
        " headers], f)",
    )


def _all_output(tmp_path: Path, *args: str) -> str:
    result = runner.invoke(app, list(args), terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("mode", ["block", "env"])
def test_no_secret_in_anything_convert_writes_or_prints(tmp_path: Path, mode: str) -> None:
    nb = _secret_notebook(tmp_path / "export.ipynb")
    before = nb.read_bytes()
    printed = _all_output(tmp_path, "convert", str(nb), "--secrets", mode)
    printed += _all_output(tmp_path, "inspect", str(nb))
    printed += _all_output(tmp_path, "inspect", str(nb), "-f", "json")
    printed += _all_output(tmp_path, "inspect", str(nb), "-f", "mermaid")
    written = "".join(p.read_text() for p in tmp_path.rglob("*") if p.suffix != ".ipynb"
                      and p.is_file())
    for value in SECRETS:
        assert value not in written, f"{value} leaked into a file"
        assert value not in printed, f"{value} leaked into the output"
    assert nb.read_bytes() == before, "the notebook must not be modified"
    script = (tmp_path / "export.py").read_text()
    if mode == "block":
        assert 'Secret.load("aws-secret-access-key").get()' in script
        assert "AwsCredentials" in printed
    else:
        assert 'os.environ["PASSWORD"]' in script
        assert "export PASSWORD=..." in printed
    assert "cell 3, line 5: password" in printed


def test_steps_that_touch_a_secret_are_never_cached(tmp_path: Path) -> None:
    """--cache persists task results; a result computed from a secret would hold it."""
    from nb2flow.pipeline import ConvertOptions, build

    nb = make_notebook(
        tmp_path / "export.ipynb", "import json",
        ("markdown", "## Rows"), "rows = [1, 2, 3]\nrows.append(4)\ntotal = sum(rows)",
        ("markdown", "## Connect"),
        'password = "Tr0ub4dor&3xyz"\nconn = {"user": "me", "pw": password}\nconn["db"] = 1',
        ("markdown", "## Export"),
        "with open('out/rows.json', 'w') as f:\n    json.dump([total, conn['user']], f)",
    )
    flow = build(nb, ConvertOptions(cache=True)).flow
    cached = {t.name: t.cached for t in flow.tasks}
    assert cached["rows_step"] is True  # the cache works where no secret is involved
    assert cached["connect"] is False  # reads the secret
    assert cached["export"] is False  # reads conn, computed from it (and writes a file)


def test_paths_and_plain_strings_are_not_secrets(tmp_path: Path) -> None:
    nb = make_notebook(
        tmp_path / "plain.ipynb",
        'data_path = "data/green_tripdata_2021-01.parquet"\nkey_column = "PULocationID"\n'
        'token_pattern = "word"\nprint(data_path, key_column, token_pattern)',
    )
    out = _all_output(tmp_path, "convert", str(nb))
    assert "secrets" not in out
    assert "PULocationID" in (tmp_path / "plain.py").read_text()


@pytest.mark.slow
def test_flow_reads_a_real_secret_block(tmp_path: Path, run_flow) -> None:
    from prefect.blocks.system import Secret

    nb = make_notebook(
        tmp_path / "job.ipynb", "import hashlib\nimport json",
        f'github_token = "{TOKEN}"',
        "digest = hashlib.sha256(github_token.encode()).hexdigest()\n"
        "with open('out/digest.json', 'w') as f:\n    json.dump({'digest': digest}, f)",
    )
    _all_output(tmp_path, "convert", str(nb))
    assert TOKEN not in (tmp_path / "job.py").read_text()
    Secret(value=TOKEN).save("github-token", overwrite=True)
    run_flow(tmp_path / "job.py", tmp_path)
    digest = json.loads((tmp_path / "out" / "digest.json").read_text())["digest"]
    assert digest == hashlib.sha256(TOKEN.encode()).hexdigest()
