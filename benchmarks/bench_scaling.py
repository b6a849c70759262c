"""How nb2flow convert scales with the notebook: 100, 1,000 and 5,000 code cells.

    .venv/bin/python benchmarks/bench_scaling.py                 # N=3, updates RESULTS.md
    .venv/bin/python benchmarks/bench_scaling.py --sizes 100 1000 --runs 5 --no-write
    .venv/bin/python benchmarks/bench_scaling.py --profile 1000 5000 --no-write

The notebooks come from ``benchmarks/gen_notebook.py`` (seeded: the same size gives the
same notebook): frames merged, mutated, filtered and summarised across cells, functions
defined and called, plots and displays with outputs, headings every ten cells, a file
written every fifty. For each size: whole-process wall time of ``nb2flow convert`` (median
of N runs), time per code cell, the child's peak memory (``ru_maxrss``), and
``jupyter nbconvert --to script`` on the same file, run interleaved with it, as a ratio.

Targets: time per cell within 2x from 100 to 5,000 cells; 5,000 cells in under 20 s and
400 MB. ``--profile SIZES`` runs cProfile on the conversion in-process for each size and
lists nb2flow's functions whose cumulative time grows faster than the notebook.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import (  # noqa: E402
    fmt_s, interleaved, machine, paired_ratio, table, update_results, venv_bin,
)
from gen_notebook import write as write_notebook  # noqa: E402

TARGET_SECONDS = 20.0
TARGET_MB = 400.0


def measure(sizes: list[int], runs: int, folder: Path) -> tuple[str, str]:
    rows = []
    per_cell = {}
    notes = []
    for n in sizes:
        nb = write_notebook(n, folder / f"cells_{n}.ipynb")
        cmds = {
            "nb2flow": [venv_bin("nb2flow"), "convert", str(nb), "-o",
                        str(folder / f"cells_{n}.py"), "--force", "-q"],
            "nbconvert": [venv_bin("jupyter"), "nbconvert", "--to", "script", str(nb),
                          "--output-dir", str(folder), "--output", f"nbconvert_{n}",
                          "--log-level", "ERROR"],
        }
        started = time.perf_counter()
        series = interleaved(cmds, runs, warmup=1 if n <= 1000 else 0)
        ours, theirs = series["nb2flow"], series["nbconvert"]
        script = (folder / f"cells_{n}.py").read_text()
        compile(script, f"cells_{n}.py", "exec")  # the benchmark checks what it times
        per_cell[n] = ours.median / n
        rows.append([
            f"{n:,}", f"{nb.stat().st_size / 1e6:.1f} MB", f"{len(script.splitlines()):,}",
            fmt_s(ours.median), fmt_s(ours.min), fmt_s(ours.cpu_median),
            f"{per_cell[n] * 1000:.2f} ms",
            f"{ours.peak_mb:.0f} MB", fmt_s(theirs.median), f"{paired_ratio(ours, theirs):.2f}",
        ])
        print(f"{n:>6} cells: nb2flow {fmt_s(ours.median)} ({per_cell[n] * 1000:.2f} ms/cell, "
              f"{ours.peak_mb:.0f} MB), nbconvert {fmt_s(theirs.median)}  "
              f"[{time.perf_counter() - started:.0f} s]", flush=True)
    out = table(["code cells", "notebook", "script lines", "nb2flow median", "min",
                 "CPU (user+sys)", "per cell", "peak RSS", "nbconvert median", "nb2flow/nbconvert"], rows)
    small, large = min(sizes), max(sizes)
    growth = per_cell[large] / per_cell[small]
    big = rows[sizes.index(large)]
    notes.append(f"Time per cell, {large:,} vs {small:,} cells: x{growth:.2f} (target within "
                 f"x2: {'met' if growth <= 2 else 'not met'}; the {small:,}-cell time is "
                 "mostly start-up, so this flatters large notebooks).")
    if large >= 5000:
        secs = float(per_cell[large] * large)
        mb = float(big[7].split()[0])
        notes.append(f"{large:,} cells: {fmt_s(secs)} (target < {TARGET_SECONDS:.0f} s: "
                     f"{'met' if secs < TARGET_SECONDS else 'not met'}), peak {mb:.0f} MB "
                     f"(target < {TARGET_MB:.0f} MB: {'met' if mb < TARGET_MB else 'not met'}).")
    # Marginal cost per cell between sizes: start-up cancels out.
    for a, b in zip(sizes, sizes[1:]):
        marginal = (per_cell[b] * b - per_cell[a] * a) / (b - a)
        notes.append(f"Marginal cost per added cell, {a:,} -> {b:,}: {marginal * 1000:.2f} ms.")
    return out, "\n".join(f"- {n}" for n in notes)


def profile(sizes: list[int], folder: Path, top: int = 25) -> str:
    """cProfile of ``pipeline.build`` per size; nb2flow functions growing faster than n."""
    from nb2flow.pipeline import ConvertOptions, build

    for module in ("black", "jinja2", "libcst"):  # imports are not what is profiled
        importlib.import_module(module)

    stats: dict[int, dict] = {}
    lines = []
    for n in sizes:
        nb = write_notebook(n, folder / f"cells_{n}.ipynb")
        prof = cProfile.Profile()
        prof.enable()
        build(nb, ConvertOptions(output=folder / f"p{n}.py", force=True))
        prof.disable()
        st = pstats.Stats(prof)
        stats[n] = {k: v for k, v in st.stats.items()}  # (file, line, fn) -> (cc, nc, tt, ct, callers)
        total = sum(v[2] for v in st.stats.values())
        lines.append(f"### cProfile, {n:,} cells (total {total:.1f} s under the profiler)")
        own = sorted(((k, v) for k, v in st.stats.items()),
                     key=lambda kv: -kv[1][3])
        rows = []
        for (file, line, fn), (_, nc, tt, ct, _) in own:
            if "nb2flow" not in file and fn != "<built-in method black.format_str>" and \
                    "format_str" not in fn:
                continue
            where = f"{Path(file).parent.name}/{Path(file).name}:{line}" if line else file
            rows.append([f"`{fn}`", where, f"{nc:,}", f"{tt:.2f} s", f"{ct:.2f} s"])
            if len(rows) == top:
                break
        lines.append(table(["function", "where", "calls", "self", "cumulative"], rows))
    if len(sizes) >= 2:
        a, b = sizes[-2], sizes[-1]
        expect = b / a
        rows = []
        for key, vb in stats[b].items():
            va = stats[a].get(key)
            if va is None or va[3] < 0.02 or vb[3] < 0.2:
                continue
            growth = vb[3] / va[3]
            if growth > 1.4 * expect and ("nb2flow" in key[0] or "format_str" in key[2]):
                file, line, fn = key
                rows.append((vb[3], [f"`{fn}`", f"{Path(file).name}:{line}",
                                     f"{va[3]:.2f} s", f"{vb[3]:.2f} s", f"x{growth:.1f}"]))
        rows.sort(key=lambda r: -r[0])
        lines.append(f"### Growing faster than the notebook ({a:,} -> {b:,} cells, linear "
                     f"would be x{expect:.0f}; cumulative time under cProfile)")
        lines.append(table(["function", "where", f"{a:,} cells", f"{b:,} cells", "growth"],
                           [r for _, r in rows]) if rows else "None above x"
                     f"{1.4 * expect:.1f}.")
    return "\n\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    ap.add_argument("-n", "--runs", type=int, default=3, help="timed runs per size")
    ap.add_argument("--profile", type=int, nargs="*", metavar="SIZE",
                    help="cProfile these sizes in-process instead of timing")
    ap.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="nb2flow-scaling-") as tmp:
        folder = Path(tmp)
        if args.profile is not None:
            print(profile(args.profile or [1000, 5000], folder))
            return
        print(f"sizes {args.sizes}, {args.runs} runs each, nb2flow and nbconvert interleaved")
        tab, notes = measure(sorted(args.sizes), args.runs, folder)
    print(tab)
    print(notes)
    if not args.no_write:
        body = "\n\n".join([
            f"Synthetic notebooks from `benchmarks/gen_notebook.py` (seeded), {args.runs} "
            f"runs per size, nb2flow and nbconvert interleaved. Machine: {machine()}.",
            "Command: `benchmarks/bench_scaling.py`. Whole-process wall time; peak RSS is the "
            "largest `ru_maxrss` of the nb2flow runs.",
            tab, notes,
        ])
        update_results("scaling", body)
        print("updated benchmarks/RESULTS.md")


if __name__ == "__main__":
    main()
