"""Stage 6: format the generated source with black.

Black is the slowest stage on big notebooks (about 0.5 ms per line, a little more per line
in a bigger file). A script of more than ``PARALLEL_LINES`` lines is cut at the generated
``@task``/``@flow`` definitions into batches of about ``BATCH_LINES`` lines, the batches are
formatted in parallel on the CPUs, and joined with the two blank lines black puts between
top-level definitions. Cuts are only made where black's output does not
depend on what comes before (a decorator at column 0 after code, not after a comment or
another decorator), so the result is byte-identical to formatting the whole text
(``tests/unit/test_formatting.py`` checks it).
"""

from __future__ import annotations

import os
import re
import sys

PARALLEL_LINES = 2000
BATCH_LINES = 800  # black is slightly superlinear in file size: small batches are faster
_CUT = re.compile(r"^@(task|flow|prefect\.task|prefect\.flow)\b")


def format_code(source: str, line_length: int = 88, workers: int | None = None) -> str:
    lines = source.split("\n")
    workers = workers or _cpus()
    # `# fmt: off` may span a cut: such a script is formatted whole
    if len(lines) > PARALLEL_LINES and "fmt:" not in source:
        batches = split(source, max(workers, len(lines) // BATCH_LINES))
        if len(batches) > 1:
            if workers > 1:
                done = _format_parallel(batches, line_length, workers)
            else:
                done = [_black(batch, line_length) for batch in batches]
            return "\n\n\n".join(part.rstrip("\n") for part in done) + "\n"
    return _black(source, line_length)


def _black(source: str, line_length: int) -> str:
    import black  # imported here: only the final text is formatted

    return black.format_str(source, mode=black.Mode(line_length=line_length))


def split(source: str, parts: int) -> list[str]:
    """``source`` cut into at most ``parts`` contiguous batches of similar size."""
    lines = source.split("\n")
    cuts = [i for i, line in enumerate(lines) if i > 0 and _CUT.match(line) and _safe(lines, i)]
    if not cuts:
        return [source]
    size = len(lines) / parts
    chosen: list[int] = []
    for k in range(1, parts):
        target = k * size
        best = min(cuts, key=lambda c: abs(c - target))
        if not chosen or best > chosen[-1]:
            chosen.append(best)
    bounds = [0, *chosen, len(lines)]
    return ["\n".join(lines[a:b]) for a, b in zip(bounds, bounds[1:])]


def _safe(lines: list[str], i: int) -> bool:
    j = i - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    if j < 0:
        return False
    prev = lines[j]
    return not (prev.lstrip().startswith(("#", "@")) or prev.rstrip().endswith(("\\", ",", "(")))


def _format_parallel(batches: list[str], line_length: int, workers: int) -> list[str]:
    import gc
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from .collect import before_fork, worker_start

    method = "fork" if sys.platform == "linux" else None
    context = multiprocessing.get_context(method)
    workers = min(workers, len(batches))
    unfreeze = before_fork()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                 initializer=worker_start) as pool:
            return list(pool.map(_black, batches, [line_length] * len(batches),
                                 chunksize=max(1, len(batches) // (workers * 2))))
    finally:
        if unfreeze:
            gc.unfreeze()


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1
