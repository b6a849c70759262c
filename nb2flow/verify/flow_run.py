"""Run the generated script as a real Prefect flow, in a subprocess, in its run folder.

By default against a temporary (ephemeral) Prefect server with its own ``PREFECT_HOME``, so
the user's Prefect database sees nothing; ``--server`` keeps the user's Prefect settings
(``PREFECT_API_URL``) and the run shows in their UI.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from .model import RunError, Side
from .values import flow_values, parse_log, strip_ansi


def flow_env(prefect_home: Path, server: bool) -> dict[str, str]:
    env = dict(os.environ)
    if not server:
        env.pop("PREFECT_API_URL", None)
        env.pop("PREFECT_PROFILE", None)
        env["PREFECT_HOME"] = str(prefect_home)
    env.update(
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="90",
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_LOGGING_LEVEL="INFO",  # printed values arrive as INFO records
        PREFECT_LOGGING_COLORS="false",
        PYTHONUNBUFFERED="1",
        MPLBACKEND="Agg",  # plots kept in the flow must not open windows
    )
    return env


class FlowProcess:
    """``python script.py --param value ...`` started in its own process group."""

    def __init__(self, script: Path, args: list[str], run_dir: Path, env: dict[str, str],
                 logs: Path, cwd: Path | None = None):
        """``run_dir``: the copy whose files are compared; ``cwd``: where the script starts
        (a folder inside it; default ``run_dir``)."""
        self.run_dir = run_dir
        self.script = script
        self.out_path, self.err_path = logs / "flow.stdout", logs / "flow.stderr"
        self.started = time.monotonic()
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, str(script), *args], cwd=cwd or run_dir, env=env, stdout=out,
                stderr=err, stdin=subprocess.DEVNULL, start_new_session=True,
            )

    def status(self) -> str:
        """What the flow is doing now, from its log: ``flow: task train_model``."""
        if self.proc.poll() is not None:
            return "flow: finished"
        try:
            with open(self.err_path, "rb") as f:  # the log's tail is enough
                f.seek(max(0, f.seek(0, os.SEEK_END) - 20000))
                text = f.read().decode("utf-8", errors="replace")
        except OSError:
            return "flow: starting"
        records, _ = parse_log(text)
        tasks = [r.task for r in records if r.task not in (None, "flow")]
        if tasks:
            return f"flow: task {tasks[-1]}"
        return "flow: running" if records and "server" not in records[-1].text else \
            "flow: starting Prefect"

    def stop(self) -> None:
        """End the process group this object started (the flow and its temporary server)."""
        if self.proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue

    def wait(self, deadline: float, timeout: float, labels: frozenset[str] = frozenset()
             ) -> Side:
        """The flow's side once it ends; ``labels``: the shown metrics convert printed."""
        side = Side("flow", self.run_dir)
        timed_out = False
        try:
            self.proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            timed_out = True
            self.stop()
        side.seconds = time.monotonic() - self.started
        stdout = self.out_path.read_text(encoding="utf-8", errors="replace")
        stderr = self.err_path.read_text(encoding="utf-8", errors="replace")
        side.log = stdout + ("\n" if stdout and not stdout.endswith("\n") else "") + stderr
        side.values = flow_values(stdout, stderr, labels)
        if timed_out:
            side.error = RunError("flow", "flow", f"did not finish within {timeout:g} s "
                                  "(--timeout)", _tail(stderr))
        elif self.proc.returncode != 0:
            side.error = flow_error(stderr, self.run_dir, self.proc.returncode)
        return side


def flow_error(stderr: str, run_dir: Path, returncode: int) -> RunError:
    """The failing task (or flow, or script), its exception and the lines that explain it."""
    records, plain = parse_log(stderr)
    failed = [r for r in records if r.level == "ERROR" and len(r.lines) > 1]
    tasks = [r for r in failed if r.task not in (None, "flow")]
    chosen = tasks[-1] if tasks else failed[-1] if failed else None
    if chosen is not None:
        printed = [line for r in records if r.task == chosen.task and r.level == "INFO"
                   for line in r.lines if not line.startswith(("Finished in state",
                                                                "Beginning ", "Created "))]
        lines = _user_frames(chosen.lines[1:], run_dir)
        task = chosen.task if chosen.task != "flow" else None
        return RunError("flow", f"task {task}" if task else "flow", _exception(chosen.lines),
                        printed[-4:] + lines, task=task)
    text = strip_ansi(stderr).splitlines()
    start = max((i for i, line in enumerate(text) if line.startswith("Traceback")), default=None)
    if start is not None:
        block = text[start:]
        return RunError("flow", "script", _exception(block), _user_frames(block[1:], run_dir))
    return RunError("flow", "script", f"exited with code {returncode}", _tail(stderr))


def _exception(lines: list[str]) -> str:
    for line in reversed(lines):
        if line.strip() and not line.startswith(" "):
            return line.strip()[:300]
    return "unknown error"


def _user_frames(lines: list[str], run_dir: Path) -> list[str]:
    """Traceback frames in the run folder (the script, local modules), shown relative to it;
    frames in Prefect, libraries and the standard library are left out."""
    kept: list[str] = []
    keep_next = False
    prefixes = {str(run_dir) + os.sep, str(run_dir.resolve()) + os.sep}
    for line in lines:
        stripped = line.strip()
        m = re.match(r'File "(?P<path>[^"]+)"(?P<rest>.*)$', stripped)
        if m:
            prefix = next((p for p in prefixes if m["path"].startswith(p)), None)
            keep_next = prefix is not None
            if keep_next:
                kept.append(f'File "{m["path"][len(prefix):]}"{m["rest"]}')
            continue
        if keep_next and line.startswith("    ") and not set(stripped) <= {"^", "~"}:
            kept.append("    " + stripped)
            keep_next = False
    return kept[-8:] + ([_exception(lines)] if lines else [])


def _tail(text: str, count: int = 12) -> list[str]:
    return [line for line in strip_ansi(text).splitlines() if line.strip()][-count:]
