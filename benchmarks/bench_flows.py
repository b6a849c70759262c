"""How the generated flows use the machine: concurrent, sequential, Dask, and the cache.

    .venv/bin/python benchmarks/bench_flows.py                 # 3 rounds, updates RESULTS.md
    .venv/bin/python benchmarks/bench_flows.py --rows 100000 --rounds 1 --no-write

The example notebook is converted four ways: the default (independent tasks submitted
together), ``--sequential`` (plain calls), ``--task-runner dask`` (a local Dask cluster of
worker processes) and ``--cache``. Each variant runs in its own Python process on an
ephemeral Prefect server, on synthetic taxi months of ``--rows`` trips. A warm-up flow
starts the server first and one untimed run of the flow pays the first-use costs, so the
timings are steady flow runs (the Dask timing includes starting its local cluster, which
every run pays). The cached flow runs twice with the same parameters in a fresh Prefect
home: the first run fills the cache, the second reuses the read, feature and training steps
and only writes the model. Medians of the rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import fmt_s, machine, table, update_results, venv_bin  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "notebooks" / "duration_prediction.ipynb"
VARIANTS = {
    "concurrent (default)": [],
    "sequential": ["--sequential"],
    "dask (local cluster)": ["--task-runner", "dask"],
    "cache": ["--cache"],
}

# Runs in a fresh interpreter: the module is imported by name from PYTHONPATH so Dask's
# worker processes can import it too.
DRIVER = r"""
import importlib, json, sys, time
from prefect import flow, task

@task
def one():
    return 1

@flow
def warm_up():
    return one.submit().result() + one()

warm_up()
module = importlib.import_module(sys.argv[1])
target = [v for v in vars(module).values() if type(v).__name__ == "Flow"
          and v.fn.__module__ == module.__name__][0]
if sys.argv[3] == "warm":  # one untimed run: first-use costs of the libraries and engine
    target()
times = []
for _ in range(int(sys.argv[2])):
    started = time.perf_counter()
    target()
    times.append(time.perf_counter() - started)
print("TIMES " + json.dumps(times))
"""


def run_variant(name: str, flags: list[str], rows_dir: Path, folder: Path) -> list[float]:
    stem = "taxi_" + name.split()[0]
    work = folder / stem
    work.mkdir()
    shutil.copytree(rows_dir, work / "data")
    notebook = work / f"{stem}.ipynb"
    shutil.copy(EXAMPLE, notebook)
    subprocess.run([venv_bin("nb2flow"), "convert", str(notebook), "-q", "--no-deployment",
                    *flags], check=True)
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PYTHONPATH=str(work), PREFECT_HOME=str(work / ".prefect"), DO_NOT_TRACK="1",
               PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_LOGGING_LEVEL="ERROR",
               PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="90")
    cache = name == "cache"  # cold cache, then the same parameters again
    out = subprocess.run([sys.executable, "-c", DRIVER, stem, "2" if cache else "1",
                          "cold" if cache else "warm"], cwd=work, env=env,
                         capture_output=True, text=True, timeout=900)
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("TIMES ")]
    if out.returncode != 0 or not lines:
        raise SystemExit(f"{name} failed:\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}")
    return json.loads(lines[0][6:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=300_000, help="trips per month")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "examples"))
    from make_taxi_data import write_months

    results: dict[str, list[list[float]]] = {name: [] for name in VARIANTS}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        write_months(data, [(2021, 1), (2021, 2)], rows=args.rows)
        for r in range(args.rounds):
            for name, flags in VARIANTS.items():
                folder = Path(tmp) / f"round{r}"
                folder.mkdir(exist_ok=True)
                times = run_variant(name, flags, data, folder)
                results[name].append(times)
                print(f"round {r + 1} {name}: {', '.join(fmt_s(t) for t in times)}",
                      flush=True)
    median = {name: statistics.median(t[0] for t in runs) for name, runs in results.items()}
    base = median["sequential"]
    rows = [[name, fmt_s(median[name]), f"{median[name] / base:.2f}"] for name in VARIANTS]
    second = statistics.median(t[1] for t in results["cache"])
    rows.append(["cache, second run (same parameters)", fmt_s(second), f"{second / base:.2f}"])
    body = (
        f"Example notebook, two synthetic months of {args.rows:,} trips each; flow run time "
        "after a warm-up flow started the ephemeral server and one untimed run of the flow "
        f"(the cached flow: a cold cache, then a second run); median of {args.rounds} rounds. "
        f"Machine: {machine()}.\n\nCommand: `benchmarks/bench_flows.py`.\n\n"
        + table(["flow", "run time", "/ sequential"], rows)
        + f"\n\nSecond cached run / first cached run = **{second / median['cache']:.2f}**.\n\n"
        "In this pipeline only the two reads are independent, and they are short: submitting "
        "them together gains nothing measurable over plain calls. The Dask flow pays for "
        "starting a local cluster of worker processes and for moving the data frames between "
        "processes; it pays off when tasks are long or the cluster already runs "
        "(`DASK_SCHEDULER_ADDRESS`).\n"
    )
    print(body)
    if not args.no_write:
        update_results("generated flows", body)


if __name__ == "__main__":
    main()
