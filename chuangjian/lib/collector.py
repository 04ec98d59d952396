"""Pausing Python's cyclic garbage collector while a block makes many objects."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for a block (a decorator as well).

    Scoring makes millions of small dictionaries and lists, and reading a standard's YAML
    thousands; none of them is in a cycle, so reference counting frees them. The
    collector's passes over them, started every 700 allocations, walk the whole heap of a
    long-lived process: they were a fifth of a full assessment at L, and most of reading
    the nine standards at a process's first assessment (docs/benchmarks.md). Restored as
    it was, so a block inside another (or a second thread) leaves it paused until the
    outer one ends.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
