"""nb2flow convert against jupyter nbconvert --to script and jupytext --to py, side by side.

    .venv/bin/python benchmarks/bench_convert.py            # N=7, updates RESULTS.md
    .venv/bin/python benchmarks/bench_convert.py -n 15 --no-write --notebook my.ipynb

Whole-process wall times of the three commands on the same notebook, run interleaved
(nb2flow, nbconvert, jupytext, nb2flow, ...) after one untimed warm-up round, so machine
noise hits all three alike. Prints median and min per tool and the ratio nb2flow/nbconvert
(the median of the per-round ratios: each measured within the same round). Target: 0.5.

Then a breakdown of one nb2flow run: interpreter start (``python -c pass``), the imports
(``-X importtime`` of the real command: cumulative time of each top-level package, and
whether prefect, nbconvert, nbformat, rich, pydantic are imported at all), and each stage
of the conversion (``benchmarks/_stages.py``: medians of fresh processes).

The notebook is ``examples/notebooks/duration_prediction.ipynb``; while it does not exist,
the golden case ``tests/golden/cases/taxi_headings.py`` made into a notebook with outputs
(figures, tables, printed text) of realistic size stands in.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import (  # noqa: E402
    ROOT, fmt_s, interleaved, machine, paired_ratio, run, table, update_results, venv_bin,
)

EXAMPLE = ROOT / "examples" / "notebooks" / "duration_prediction.ipynb"
FALLBACK_CASE = ROOT / "tests" / "golden" / "cases" / "taxi_headings.py"
WATCH = ["prefect", "nbconvert", "nbformat", "rich", "pydantic", "jupytext", "IPython",
         "pandas", "numpy", "click", "typer", "libcst", "black", "jinja2", "yaml",
         "ruamel", "tomlkit", "detect_secrets", "pathspec", "packaging"]


def notebook_for_benchmark(folder: Path) -> tuple[Path, str]:
    if EXAMPLE.is_file():
        return EXAMPLE, str(EXAMPLE.relative_to(ROOT))
    import jupytext  # the dev extra installs it
    from nbformat import from_dict

    nb = jupytext.reads(FALLBACK_CASE.read_text(), fmt="py:percent")
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                 "display_name": "Python 3"}
    nb.metadata["language_info"] = {"name": "python", "file_extension": ".py",
                                    "mimetype": "text/x-python", "version": "3.11.7"}
    # Outputs like a run notebook's: a 40 KB figure, HTML tables, printed text.
    png = base64.b64encode(os.urandom(30_000)).decode()
    table_html = "<table>" + "".join(
        f"<tr><td>{i}</td><td>{i * 1.5}</td><td>2021-01-{i % 28 + 1:02d}</td></tr>"
        for i in range(60)) + "</table>"
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        count += 1
        cell.execution_count = count
        src = cell.source
        if "plt." in src or "sns." in src:
            cell.outputs = [from_dict({"output_type": "display_data", "metadata": {},
                             "data": {"image/png": png, "text/plain": "<Figure>"}})]
        elif src.strip().splitlines() and re.match(r"^[\w.\[\]\"']+(\(.*\))?$",
                                                    src.strip().splitlines()[-1]):
            cell.outputs = [from_dict({"output_type": "execute_result", "execution_count": count,
                             "metadata": {}, "data": {"text/html": table_html,
                                                      "text/plain": "   a  b\n0  1  2"}})]
        elif "print(" in src:
            cell.outputs = [from_dict({"output_type": "stream", "name": "stdout",
                             "text": "7.758715209663881\n"})]
    path = folder / "duration_prediction.ipynb"
    jupytext.write(nb, path, fmt="ipynb")
    return path, f"{FALLBACK_CASE.relative_to(ROOT)} as a notebook with outputs (stand-in)"


def commands(nb: Path, out: Path) -> dict[str, list[str]]:
    return {
        "nb2flow convert": [venv_bin("nb2flow"), "convert", str(nb), "-o",
                            str(out / "nb2flow_out.py"), "--force", "-q"],
        "jupyter nbconvert --to script": [
            venv_bin("jupyter"), "nbconvert", "--to", "script", str(nb), "--output-dir",
            str(out), "--output", "nbconvert_out", "--log-level", "ERROR"],
        "jupytext --to py": [venv_bin("jupytext"), "--to", "py", str(nb), "-o",
                             str(out / "jupytext_out.py"), "-q"],
    }


def import_profile(nb: Path, out: Path) -> tuple[list[list[str]], set[str]]:
    """``-X importtime`` of a real ``convert`` run: top packages and nb2flow's own modules."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "nb2flow", "convert", str(nb), "-o",
         str(out / "importtime_out.py"), "--force", "-q"],
        capture_output=True, text=True, check=True,
    )
    packages: dict[str, tuple[float, float]] = {}  # root module: (self, cumulative) ms
    own: dict[str, float] = {}  # nb2flow module: self ms
    loaded: set[str] = set()
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|\s*(\S+)", line)
        if not m:
            continue
        self_ms, cum_ms, name = int(m[1]) / 1000, int(m[2]) / 1000, m[3]
        loaded.add(name.split(".")[0])
        if name.startswith("nb2flow."):
            own[name] = self_ms
        elif "." not in name and name != "nb2flow":
            packages[name] = (self_ms, cum_ms)
    rows = [[f"`{k}`", f"{c:.0f} ms", f"{s:.0f} ms"]
            for k, (s, c) in sorted(packages.items(), key=lambda kv: -kv[1][1])[:12]]
    rows += [[f"`{k}` (own code)", "", f"{v:.0f} ms"]
             for k, v in sorted(own.items(), key=lambda kv: -kv[1])[:5]]
    return rows, loaded


def stage_profile(nb: Path, out: Path, repeats: int) -> dict:
    script = Path(__file__).resolve().parent / "_stages.py"
    runs = []
    for _ in range(repeats):
        proc = subprocess.run([sys.executable, str(script), str(nb), str(out / "stages.py")],
                              capture_output=True, text=True, check=True)
        runs.append(json.loads(proc.stdout))
    med = {}
    for part in ("imports", "stages"):
        med[part] = {k: statistics.median(r[part][k] for r in runs) for k in runs[0][part]}
    med["convert_total"] = statistics.median(r["convert_total"] for r in runs)
    med["in_process_total"] = statistics.median(r["in_process_total"] for r in runs)
    return med


def startup(repeats: int) -> dict[str, float]:
    probes = {
        "python -c pass (venv, site)": [sys.executable, "-c", "pass"],
        "python -I -S -c pass (bare)": [sys.executable, "-I", "-S", "-c", "pass"],
        "nb2flow --version (typer CLI only)": [venv_bin("nb2flow"), "--version"],
    }
    times: dict[str, list[float]] = {k: [] for k in probes}
    for _ in range(repeats + 1):
        for k, cmd in probes.items():
            times[k].append(run(cmd).seconds)
    return {k: statistics.median(v[1:]) for k, v in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--runs", type=int, default=7, help="timed rounds (default 7)")
    ap.add_argument("--notebook", type=Path, help="benchmark this notebook instead")
    ap.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    ap.add_argument("--no-breakdown", action="store_true", help="only the comparison")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="nb2flow-bench-") as tmp:
        out = Path(tmp)
        if args.notebook:
            nb, label = args.notebook.resolve(), str(args.notebook)
        else:
            nb, label = notebook_for_benchmark(out)
        code_cells = sum(c["cell_type"] == "code" for c in json.loads(nb.read_text())["cells"])
        print(f"notebook: {label} ({nb.stat().st_size / 1024:.0f} KiB, {code_cells} code "
              f"cells); {args.runs} interleaved rounds after 1 warm-up")
        started = time.perf_counter()
        series = interleaved(commands(nb, out), args.runs)
        nb2flow, nbconvert, jupytext_ = series.values()
        rows = [[name, fmt_s(s.median), fmt_s(s.min), fmt_s(s.max), fmt_s(s.cpu_median),
                 f"{s.peak_mb:.0f} MB",
                 f"{s.median / nbconvert.median:.2f}", f"{paired_ratio(s, nbconvert):.2f}"]
                for name, s in series.items()]
        compare = table(["command", "median", "min", "max", "CPU (user+sys)", "peak RSS", "median / nbconvert",
                         "paired ratio (median of rounds)"], rows)
        ratio = paired_ratio(nb2flow, nbconvert)
        verdict = (f"nb2flow/nbconvert = **{ratio:.2f}** (target <= 0.50: "
                   f"{'met' if ratio <= 0.5 else 'not met'}); nb2flow/jupytext = "
                   f"{paired_ratio(nb2flow, jupytext_):.2f}")
        print(compare)
        print(verdict)

        sections = [
            f"Notebook: {label}, {nb.stat().st_size / 1024:.0f} KiB, {code_cells} code cells. "
            f"{args.runs} rounds, interleaved, after one warm-up round. Machine: {machine()}.",
            "Command: `benchmarks/bench_convert.py`. Whole-process wall time.",
            compare, verdict,
        ]
        if not args.no_breakdown:
            starts = startup(args.runs)
            imp_rows, modules = import_profile(nb, out)
            stages = stage_profile(nb, out, max(3, args.runs // 2))
            watched = ", ".join(f"{m}: {'**yes**' if m in modules else 'no'}"
                                for m in WATCH[:7])
            start_rows = [[k, f"{v * 1000:.0f} ms"] for k, v in starts.items()]
            grp_rows = [[k, f"{v * 1000:.0f} ms"] for k, v in stages["imports"].items()]
            stage_rows = [[k, f"{v * 1000:.1f} ms"] for k, v in stages["stages"].items()]
            stage_rows.append(["pipeline.convert total", f"{stages['convert_total'] * 1000:.0f} ms"])
            parts = [
                "### Where one nb2flow run spends its time",
                table(["start-up probe", "median"], start_rows),
                f"Imported at all during `convert`: {watched}.",
                "Imports in the real command (`python -X importtime -m nb2flow convert ...`, "
                "packages by cumulative time where first imported, so nested packages count "
                "in their importer too; then nb2flow's slowest own modules by self time; "
                "`-X importtime` itself adds some overhead):",
                table(["package", "cumulative", "self"], imp_rows),
                "The same imports timed in groups, in the order the CLI meets them "
                "(`benchmarks/_stages.py`, median of fresh processes):",
                table(["import group", "time"], grp_rows),
                "Stages of the conversion, first call in a fresh process (what the CLI "
                "pays), imports excluded:",
                table(["stage", "time"], stage_rows),
            ]
            print("\n\n".join(parts))
            sections += parts
        print(f"(benchmark took {time.perf_counter() - started:.0f} s)")
    if not args.no_write:
        update_results("convert vs nbconvert and jupytext", "\n\n".join(sections))
        print("updated benchmarks/RESULTS.md")


if __name__ == "__main__":
    main()
