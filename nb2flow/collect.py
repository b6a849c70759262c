"""Fewer garbage collections while a notebook is converted.

CPython's cyclic collector runs after every 700 net allocations of container objects and
now and then walks the whole heap. A conversion allocates millions of short-lived syntax
nodes (ast, libcst, black's trees) on top of a heap of imported modules that never becomes
garbage, so at 5,000 cells the collector took about a quarter of the CPU time, and in the
processes that format batches in parallel (forked with the whole heap of the parent) about
half (``benchmarks/bench_scaling.py``; ``docs/performance.md``).

:func:`fewer_collections` freezes what exists (``gc.freeze``: the imports are never walked
again) and collects the youngest generation after ``THRESHOLD`` allocations instead of 700,
for the duration of a conversion; the previous settings come back afterwards. Memory stays
bounded: garbage in cycles is still collected, only less often. Nothing the conversion
produces depends on when objects are freed.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

THRESHOLD = 50_000


@contextmanager
def fewer_collections() -> Iterator[None]:
    frozen = gc.get_freeze_count() > 0  # the caller froze objects of its own: keep them so
    old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(old[0], THRESHOLD), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        if not frozen:
            gc.unfreeze()


def worker_start() -> None:
    """In a process forked for a batch of work: what it inherited was frozen by the parent
    (:func:`before_fork`) and is never walked; collect only its own garbage, rarely."""
    gc.set_threshold(max(gc.get_threshold()[0], THRESHOLD), *gc.get_threshold()[1:])


def before_fork() -> bool:
    """Freeze the heap before forking workers (their collections skip it, and do not touch
    its pages, which stay shared). True when the caller must :func:`gc.unfreeze` after."""
    unfreeze = gc.get_freeze_count() == 0
    gc.freeze()
    return unfreeze
