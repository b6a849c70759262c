"""A generated flow fails with the first real exception, and says so in its notification.

Real Prefect runs (the ``run_flow`` fixture): a missing input file must end the run with
the ``FileNotFoundError`` of the task that read it, not with the ``TypeError`` of a task
handed ``None`` for a failed future, nor with the "upstream not ready" of a consumer.
"""

from __future__ import annotations

import threading
from http.server import HTTPServer
from pathlib import Path

import pytest
from nbutil import make_notebook
from test_notify import _Recorder

from nb2flow.pipeline import ConvertOptions, convert


@pytest.fixture
def webhook():
    """An HTTP server on 127.0.0.1 recording the JSON bodies POSTed to it (test_notify's)."""
    _Recorder.received = []
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", _Recorder.received
    finally:
        server.shutdown()
        server.server_close()

READS = [
    ("markdown", "# Two months"),
    "import json",
    ("markdown", "## Read"),
    "def read(path):\n    with open(path) as f:\n        return json.load(f)",
    "train = read('data/sales_2024-01.json')\nvalid = read('data/sales_2024-02.json')",
    ("markdown", "## Total"),
    "total = sum(train) + sum(valid)",
    ("markdown", "## Save"),
    "with open('out/total.json', 'w') as f:\n    json.dump(total, f)",
]

#: Two independent chains (read, then scale) joined at the end, one task per cell (tags):
#: the scale steps are submitted with the futures of the reads.
CHAINS = [
    "import json",
    ("code", "with open('data/a.json') as f:\n    a = json.load(f)", ["nb2flow:task=read_a"]),
    ("code", "with open('data/b.json') as f:\n    b = json.load(f)", ["nb2flow:task=read_b"]),
    ("code", "a2 = [x * 2 for x in a]", ["nb2flow:task=scale_a"]),
    ("code", "b2 = [x * 3 for x in b]", ["nb2flow:task=scale_b"]),
    ("code", "with open('out/sum.json', 'w') as f:\n    json.dump(sum(a2) + sum(b2), f)",
     ["nb2flow:task=save"]),
]


def _script(tmp_path: Path, cells, **options) -> Path:
    nb = make_notebook(tmp_path / "job.ipynb", *cells)
    result = convert(nb, ConvertOptions(**options))
    return result.script


def _data(folder: Path, files: dict[str, object]) -> None:
    import json

    for name, value in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))


@pytest.mark.slow
def test_a_missing_file_is_the_runs_error_and_the_notifications(
        tmp_path: Path, run_flow, webhook) -> None:
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    url, received = webhook
    CustomWebhookNotificationBlock(
        name="nb2flow-failures", url=url,
        json_data={"subject": "{{subject}}", "body": "{{body}}"},
    ).save("nb2flow-failures", overwrite=True)
    script = _script(tmp_path, READS, date_params=True, notify=("failure",),
                     notify_block="custom-webhook/nb2flow-failures")
    text = script.read_text()
    assert ".submit(" in text and ".result()" in text  # the reads run concurrently
    _data(tmp_path, {"data/sales_2024-01.json": [1, 2]})  # February is missing
    with pytest.raises(FileNotFoundError, match="sales_2024-02.json"):
        run_flow(script, tmp_path)
    [message] = received
    assert "FileNotFoundError" in message["body"] and "sales_2024-02.json" in message["body"]
    assert "TypeError" not in message["body"]
    # a run nobody scheduled keeps the notebook's month, or the one it is given
    _data(tmp_path, {"data/sales_2024-02.json": [3], "data/sales_2024-03.json": [10]})
    run_flow(script, tmp_path)
    assert (tmp_path / "out" / "total.json").read_text() == "6"
    run_flow(script, tmp_path, month=2)
    assert (tmp_path / "out" / "total.json").read_text() == "13"


@pytest.mark.slow
def test_the_first_failure_wins_over_its_consumers(tmp_path: Path, run_flow) -> None:
    script = _script(tmp_path, CHAINS)
    text = script.read_text()
    assert "a2 = scale_a.submit(a)" in text  # a consumer submitted with a future
    _data(tmp_path, {"data/b.json": [1]})
    with pytest.raises(FileNotFoundError, match="a.json"):
        run_flow(script, tmp_path)
    _data(tmp_path, {"data/a.json": [1]})
    run_flow(script, tmp_path)
    assert (tmp_path / "out" / "sum.json").read_text() == "5"
