"""--notify: flow state hooks that send a message through a Prefect notification block.

The slow tests run real flows under the Prefect test harness with the generated hooks and
a ``CustomWebhookNotificationBlock`` saved on the harness's server, pointing at an HTTP
server on 127.0.0.1 that records what it receives.
"""

from __future__ import annotations

import importlib.util
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import black
import pytest
from test_golden import pyflakes_messages

from nb2flow.errors import Nb2FlowError
from nb2flow.notify import notification_code, parse_block, parse_events


def script(code, body: str = 'raise ValueError("the data is missing")') -> str:
    """A flow module put together the way the template does: imports, module code, flow."""
    imports = sorted(code.imports, key=lambda line: line.startswith("from prefect"))
    options = "".join(f", {option}" for option in code.flow_options)
    return (
        "\n".join(imports) + "\n\nfrom prefect import flow\n\n\n"
        + "\n\n\n".join(code.sources)
        + f'\n\n\n@flow(name="nightly-report"{options})\n'
        + f"def nightly_report(fail: bool = True):\n    if fail:\n        {body}\n"
        + '    return "done"\n'
    )


@pytest.mark.parametrize("block,to", [
    ("slack-webhook/ml-alerts", ()),
    ("custom-webhook/ops", ()),
    ("email-server-credentials/smtp", ("ops@example.com", "me@example.com")),
    ("acme-pager/on-call", ()),  # a block type nb2flow does not know: Block.load(slug)
])
def test_generated_hooks_are_clean_python(block: str, to: tuple[str, ...]) -> None:
    code = notification_code("failure,completion", block, to)
    source = script(code)
    assert pyflakes_messages(source) == []
    for function in code.sources:
        assert black.format_str(function + "\n", mode=black.Mode()) == function + "\n"
    assert code.flow_options == ("on_failure=[notify_failure]",
                                 "on_completion=[notify_completion]")
    assert not any("http" in s or "password" in s for s in code.sources)  # no secrets


def test_slack_hook_text() -> None:
    code = notification_code("failure", "slack-webhook/ml-alerts")
    assert code.imports == ("from prefect.blocks.notifications import SlackWebhook",)
    assert code.sources == ('''\
def notify_failure(flow, flow_run, state):
    """Tell the Prefect block slack-webhook/ml-alerts that a run failed."""
    SlackWebhook.load("ml-alerts").notify(
        f"Flow run {flow_run.name} of {flow.name} failed: {state.message}",
        subject=f"Prefect flow {flow.name} failed",
    )''',)


def test_hook_names_avoid_names_the_script_defines() -> None:
    code = notification_code("failure", "slack-webhook/a", taken={"notify_failure"})
    assert code.functions == ("notify_failure_2",)
    assert code.flow_options == ("on_failure=[notify_failure_2]",)


@pytest.mark.parametrize("call,message", [
    (lambda: parse_events("failure,sucess"), "--notify 'sucess': use failure, completion"),
    (lambda: parse_events(""), "--notify: name an event"),
    (lambda: parse_block("ml-alerts"), "give the block as TYPE/NAME"),
    (lambda: parse_block("Slack Webhook/x"), "give the block as TYPE/NAME"),
    (lambda: notification_code("failure", "email-server-credentials/smtp"),
     "an email block needs --notify-to ADDRESS"),
    (lambda: notification_code("failure", "email-server-credentials/smtp", ("nobody",)),
     "--notify-to 'nobody': not an email address"),
    (lambda: notification_code("failure", "slack-webhook/x", ("a@b.c",)),
     "--notify-to goes with an email-server-credentials block"),
])
def test_invalid_notify_options(call, message: str) -> None:
    with pytest.raises(Nb2FlowError) as info:
        call()
    assert info.value.code == "NB2F012" and message in info.value.message


def test_events_are_deduplicated_and_repeatable() -> None:
    assert parse_events(["failure", "completion,failure"]) == ("failure", "completion")
    code = notification_code(("crashed", "cancellation"), "discord-webhook/d")
    assert code.flow_options == ("on_crashed=[notify_crashed]",
                                 "on_cancellation=[notify_cancellation]")


# ------------------------------------------------------------------- real flow runs


class _Recorder(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        length = int(self.headers.get("Content-Length", 0))
        type(self).received.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def webhook():
    """An HTTP server on 127.0.0.1 that records the JSON bodies POSTed to it."""
    _Recorder.received = []
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", _Recorder.received
    finally:
        server.shutdown()
        server.server_close()


def load_flow(source: str, tmp_path: Path, name: str):
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.nightly_report


@pytest.mark.slow
def test_a_failing_flow_sends_the_failure_message(prefect_harness, webhook,
                                                  tmp_path: Path) -> None:
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    url, received = webhook
    CustomWebhookNotificationBlock(
        name="nb2flow-test", url=url,
        json_data={"subject": "{{subject}}", "body": "{{body}}"},
    ).save("nb2flow-test", overwrite=True)
    code = notification_code("failure,completion", "custom-webhook/nb2flow-test")
    flow = load_flow(script(code), tmp_path, "failing_flow")
    with pytest.raises(ValueError, match="the data is missing"):
        flow()
    assert len(received) == 1
    assert received[0]["subject"] == "Prefect flow nightly-report failed"
    assert received[0]["body"].startswith("Flow run ")
    assert " of nightly-report failed: " in received[0]["body"]
    assert "the data is missing" in received[0]["body"]

    assert flow(fail=False) == "done"
    assert len(received) == 2
    assert received[1]["subject"] == "Prefect flow nightly-report completed"


@pytest.mark.slow
def test_the_script_convert_writes_sends_the_failure_message(prefect_harness, webhook,
                                                             tmp_path: Path) -> None:
    """The script ``convert --notify`` writes, run as a user runs it (``python script.py``
    against the test server): its task fails on a missing file, the hook posts the
    failure to the local webhook receiver; a run with the file completes and posts that."""
    from equivalence import run_script
    from nbutil import make_notebook
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    from nb2flow.pipeline import ConvertOptions, convert

    url, received = webhook
    CustomWebhookNotificationBlock(
        name="nb2flow-script", url=url,
        json_data={"subject": "{{subject}}", "body": "{{body}}"},
    ).save("nb2flow-script", overwrite=True)
    notebook = make_notebook(
        tmp_path / "nightly_report.ipynb", "import json",
        "with open('data/rows.json') as f:\n    rows = json.load(f)",
        "total = sum(rows)\nprint('total', total)")
    script = convert(notebook, ConvertOptions(
        notify=("failure", "completion"),
        notify_block="custom-webhook/nb2flow-script")).script
    work = tmp_path / "work"
    work.mkdir()
    failed = run_script(script, work, check=False)
    assert failed.result.returncode != 0
    assert len(received) == 1, received
    assert received[0]["subject"] == "Prefect flow nightly-report failed"
    assert "rows.json" in received[0]["body"], received[0]["body"]

    (work / "data").mkdir()
    (work / "data" / "rows.json").write_text("[1, 2, 3]")
    done = run_script(script, work)
    assert done.prints == ["total 6"]
    assert [r["subject"] for r in received] == ["Prefect flow nightly-report failed",
                                                "Prefect flow nightly-report completed"]
