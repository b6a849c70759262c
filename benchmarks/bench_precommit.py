"""The pre-commit hook on 50 notebooks, all up to date and all stale, against nbconvert on one.

    .venv/bin/python benchmarks/bench_precommit.py            # 5 rounds, updates RESULTS.md
    .venv/bin/python benchmarks/bench_precommit.py -n 9 --no-write

A temporary git repository holds 50 notebooks under ``pipelines/`` (made by
``gen_notebook.py``: 10 to 40 code cells each, with figures, tables and printed outputs),
matched by ``[tool.nb2flow] notebooks``, and their generated scripts. Timed, as whole
processes (wall time around ``subprocess``), interleaved round by round after one untimed
warm-up round so machine noise hits every command alike:

- ``nb2flow convert --hook`` on the 50 notebooks when every script is up to date (the fast
  path: JSON and stamp only), and when every script is stale (each notebook gained a
  cell since its script was generated: 50 full conversions, 50 writes);
- the same through ``pre-commit run nb2flow --files ...`` (a ``repo: local`` hook running
  this venv's nb2flow; pre-commit splits the files over the CPUs);
- ``nb2flow convert --hook`` on one notebook, up to date and stale (a typical commit);
- ``jupyter nbconvert --to script`` on one notebook, the reference.

Before each timed run the scripts are put back in the state the case needs (untimed).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import (  # noqa: E402
    Series, fmt_s, machine, paired_ratio, run, table, update_results, venv_bin,
)
from gen_notebook import write as write_notebook  # noqa: E402

COUNT = 50


def sh(cmd: list[str], cwd: Path, env: dict) -> None:
    subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True)


def make_project(root: Path, env: dict) -> tuple[list[str], dict[str, dict[Path, str]]]:
    """The repository, its notebooks (relative names) and two sets of scripts by state."""
    nb2flow = venv_bin("nb2flow")
    pipelines = root / "pipelines"
    pipelines.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "bench"\nversion = "0"\n\n'
        '[tool.nb2flow]\nnotebooks = ["pipelines/*.ipynb"]\n')
    hook = {"id": "nb2flow", "name": "nb2flow", "language": "system",
            "entry": f"{nb2flow} convert --hook", "types_or": ["jupyter", "python"]}
    (root / ".pre-commit-config.yaml").write_text(
        json.dumps({"repos": [{"repo": "local", "hooks": [hook]}]}, indent=2))
    names: list[str] = []
    seed = 0
    while len(names) < COUNT:  # keep the notebooks nb2flow converts (nearly all)
        batch = []
        for seed in range(seed + 1, seed + 1 + COUNT - len(names)):
            batch.append(f"pipelines/analysis_{seed:03d}.ipynb")
            write_notebook(10 + (seed * 7) % 31, root / batch[-1], seed=seed)
        subprocess.run([nb2flow, "convert", "-q", *batch], cwd=root, env=env,
                       capture_output=True)
        for name in batch:
            if (root / name).with_suffix(".py").is_file():
                names.append(name)
            else:
                (root / name).unlink()
    scripts = [(root / n).with_suffix(".py") for n in names]
    old = {p: p.read_text() for p in scripts}
    for name in names:  # the edit that makes every script stale
        path = root / name
        nb = json.loads(path.read_text())
        nb["cells"].append({"cell_type": "code", "execution_count": None, "metadata": {},
                            "outputs": [], "source": ["print(\"checked\")"]})
        path.write_text(json.dumps(nb, indent=1) + "\n")
    sh([nb2flow, "convert", "-q", *names], root, env)
    new = {p: p.read_text() for p in scripts}
    sh(["git", "init", "-q", "-b", "main"], root, env)
    sh(["git", "add", "-A"], root, env)
    sh(["git", "-c", "user.name=b", "-c", "user.email=b@example.com", "commit", "-q", "-m",
        "notebooks and scripts"], root, env)
    return names, {"up to date": new, "stale": old}


def put(scripts: dict[Path, str]) -> None:
    for path, text in scripts.items():
        path.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--rounds", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="nb2flow-bench-precommit-"))
    env = {k: v for k, v in os.environ.items() if k not in ("SKIP", "GIT_DIR")}
    env.update(PRE_COMMIT_HOME=str(tmp / "pre-commit-home"), GIT_CONFIG_GLOBAL=os.devnull,
               GIT_CONFIG_NOSYSTEM="1", PRE_COMMIT_COLOR="never")
    root = tmp / "repo"
    started = time.perf_counter()
    names, states = make_project(root, env)
    one = names[len(names) // 2]
    one_script = (root / one).with_suffix(".py")
    size = (root / one).stat().st_size
    cells = sum(c["cell_type"] == "code" for c in json.loads((root / one).read_text())["cells"])
    sizes = [(root / n).stat().st_size for n in names]
    print(f"{len(names)} notebooks ready in {time.perf_counter() - started:.1f} s "
          f"({sum(sizes) / 1024 / 1024:.1f} MiB)", flush=True)

    nb2flow, pre_commit = venv_bin("nb2flow"), [sys.executable, "-m", "pre_commit"]
    nbconvert_out = tmp / "nbconvert"
    nbconvert_out.mkdir()
    one_stale = {one_script: states["stale"][one_script]}
    one_fresh = {one_script: states["up to date"][one_script]}
    # name: (command, scripts to put in place first, expected exit code, notebooks)
    cases = {
        "nb2flow convert --hook, 50 up to date":
            ([nb2flow, "convert", "--hook", *names], states["up to date"], 0, len(names)),
        "nb2flow convert --hook, 50 stale":
            ([nb2flow, "convert", "--hook", *names], states["stale"], 1, len(names)),
        "pre-commit run nb2flow, 50 up to date":
            ([*pre_commit, "run", "nb2flow", "--files", *names], states["up to date"], 0,
             len(names)),
        "pre-commit run nb2flow, 50 stale":
            ([*pre_commit, "run", "nb2flow", "--files", *names], states["stale"], 1,
             len(names)),
        "nb2flow convert --hook, 1 up to date":
            ([nb2flow, "convert", "--hook", one], {**states["up to date"]}, 0, 1),
        "nb2flow convert --hook, 1 stale":
            ([nb2flow, "convert", "--hook", one], {**states["up to date"], **one_stale}, 1,
             1),
        "jupyter nbconvert --to script, 1 notebook":
            ([venv_bin("jupyter"), "nbconvert", "--to", "script", "--output-dir",
              str(nbconvert_out), str(root / one)], one_fresh, 0, 1),
    }
    series = {name: Series(name) for name in cases}
    for i in range(1 + args.rounds):
        for name, (cmd, scripts, expected, _) in cases.items():
            put(scripts)
            r = run(cmd, cwd=root, env=env)
            if r.returncode != expected:
                sys.exit(f"{name}: exit {r.returncode}, expected {expected}\n{r.stderr}")
            if i:
                series[name].runs.append(r)
        print(f"round {i}{' (warm-up)' if not i else ''} done", flush=True)
    put(states["up to date"])
    shutil.rmtree(tmp, ignore_errors=True)

    ref = series["jupyter nbconvert --to script, 1 notebook"]
    rows = []
    for name, s in series.items():
        per_nb = s.median / cases[name][3]
        rows.append([name, fmt_s(s.median), fmt_s(s.min), fmt_s(s.max),
                     f"{per_nb * 1000:.0f} ms", f"{s.peak_mb:.0f} MB",
                     f"{s.median / ref.median:.2f}", f"{paired_ratio(s, ref):.2f}"])
    fresh50 = series["nb2flow convert --hook, 50 up to date"]
    stale50 = series["nb2flow convert --hook, 50 stale"]
    marginal = (stale50.median - fresh50.median) / len(names)
    body = "\n".join([
        f"{len(names)} notebooks made by `benchmarks/gen_notebook.py` (10-40 code cells, "
        f"{min(sizes) // 1024}-{max(sizes) // 1024} KiB with figure, table and text "
        f"outputs), matched by `[tool.nb2flow] notebooks`; stale = each notebook gained a "
        f"code cell since its script was generated. The single notebook: {cells} code "
        f"cells, {size // 1024} KiB. {args.rounds} rounds, interleaved, after one warm-up "
        f"round. Machine: {machine()}.",
        "",
        "Command: `benchmarks/bench_precommit.py`. Whole-process wall time; pre-commit runs "
        "a `repo: local` hook with this venv's nb2flow and splits the files over the CPUs.",
        "",
        table(["command", "median", "min", "max", "per notebook", "peak RSS",
               "median / nbconvert (1 nb)", "paired ratio"], rows),
        "",
        f"The hook on {len(names)} up-to-date notebooks takes "
        f"**{fresh50.median / ref.median:.2f}x** the time nbconvert takes for one notebook; "
        f"each stale notebook adds {marginal * 1000:.0f} ms (a full conversion and a "
        f"write) to the hook's one-off start-up and imports.",
    ])
    print()
    print(body)
    if not args.no_write:
        update_results("pre-commit", body)
        print("\nbenchmarks/RESULTS.md updated (## pre-commit)")


if __name__ == "__main__":
    main()
