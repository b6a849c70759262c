"""Helpers shared by the benchmark scripts: run a command, time it, keep RESULTS.md.

Timings are whole-process wall times (``time.perf_counter`` around ``subprocess``), peak
memory is the child's ``ru_maxrss`` from ``os.wait4`` (KiB on Linux, bytes on macOS).
Nothing here imports nb2flow: the benchmarks measure the installed command.
"""

from __future__ import annotations

import os
import platform
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "RESULTS.md"

# Every command runs as after a normal install: Python caches compiled bytecode. Some
# sandboxes set PYTHONDONTWRITEBYTECODE, which makes an editable install recompile its
# modules on every start (about 40 ms for nb2flow) and would time that instead.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def venv_bin(name: str) -> str:
    """A console script next to the running interpreter (the project's venv), else PATH."""
    here = Path(sys.executable).parent / name
    return str(here) if here.exists() else name


@dataclass
class Run:
    seconds: float
    max_rss_mb: float
    returncode: int
    stderr: str = ""
    cpu_seconds: float = 0.0  # user + system time of the child: steadier than wall time
                              # when other work shares the machine


def run(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> Run:
    """Run ``cmd`` to completion; wall time and the child's peak resident memory."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    stderr = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    rss = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return Run(seconds, rss, proc.returncode, stderr.decode(errors="replace"),
               usage.ru_utime + usage.ru_stime)


@dataclass
class Series:
    name: str
    runs: list[Run] = field(default_factory=list)

    @property
    def times(self) -> list[float]:
        return [r.seconds for r in self.runs]

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def min(self) -> float:
        return min(self.times)

    @property
    def max(self) -> float:
        return max(self.times)

    @property
    def cpu_median(self) -> float:
        return statistics.median(r.cpu_seconds for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.max_rss_mb for r in self.runs)


def interleaved(commands: dict[str, list[str]], rounds: int, cwd: Path | None = None,
                warmup: int = 1) -> dict[str, Series]:
    """A B C A B C ...: machine noise (other load, CPU frequency) hits every command alike.

    ``warmup`` untimed rounds first fill the page cache and write ``.pyc`` files. A failing
    command stops the benchmark with its stderr.
    """
    series = {name: Series(name) for name in commands}
    for i in range(warmup + rounds):
        for name, cmd in commands.items():
            r = run(cmd, cwd=cwd)
            if r.returncode != 0:
                sys.exit(f"{name} failed (exit {r.returncode}): {' '.join(cmd)}\n{r.stderr}")
            if i >= warmup:
                series[name].runs.append(r)
    return series


def paired_ratio(a: Series, b: Series) -> float:
    """Median over rounds of a/b, each ratio taken from the same round."""
    return statistics.median(x / y for x, y in zip(a.times, b.times))


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = (f", load average {os.getloadavg()[0]:.2f} at the end (other work on the "
                "machine inflates wall times: compare ratios and CPU)")
    except OSError:
        load = ""
    return (f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}{load}")


def table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured markdown table."""
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---:" if i else "---" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def update_results(section: str, body: str, path: Path = RESULTS) -> None:
    """Replace the ``## section`` of RESULTS.md (other sections are left as they are)."""
    text = path.read_text(encoding="utf-8") if path.exists() else (
        "# Benchmark results\n\nLatest output of the scripts in `benchmarks/`; each script "
        "rewrites only its own sections. See `docs/performance.md` for how to run them.\n"
    )
    heading = f"## {section}"
    block = f"{heading}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: block + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def fmt_s(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"
