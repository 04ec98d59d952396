"""``each_forked``: independent pieces of one batch of work shared among forked copies of
this process, each with database connections of its own.

CPython runs one thread of Python at a time, so a batch that is Python through and through
(the year-end 考核 of every standard: reading, scoring and storing each standard's results)
uses one core of the server however many it has. The pieces are handed to a
``multiprocessing`` pool of processes forked from this one: they start with everything
this process has already read and parsed (the standards, the city's tree), take the pieces
one at a time as they finish the last (the longest first, when the caller sorts them so),
and send back only small results.

A connection to the database cannot cross a fork (both processes would talk over one
socket or one SQLite file handle): this process closes its connections before forking,
each child opens its own and closes it as it ends, and this process opens a new one when
it next asks. Where that is impossible the pieces run here, one after another, with the
same results: inside a transaction (the children would not see what it wrote, and closing
its connection would lose it), on an in-memory SQLite database (the tests': the children
cannot open it), or on a system without ``fork``.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from django.db import connections

Item = TypeVar("Item")
Result = TypeVar("Result")

# The batch being shared: the children inherit it with the rest of this process's memory,
# so neither the function nor what it closes over is pickled. The items go to whoever is
# free next, in their order: ``taken`` counts those started, in memory the processes share.
_batch: tuple[Callable[[Any], Any], Sequence[Any], Any] | None = None


def why_not_forked() -> str | None:
    """Why pieces cannot run in forked processes now (a sentence), or None when they can."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return "this system cannot fork"
    for connection in connections.all():
        if connection.in_atomic_block:
            return f"inside a transaction on database '{connection.alias}'"
        if connection.vendor == "sqlite" and connection.is_in_memory_db():  # type: ignore[attr-defined]
            return f"database '{connection.alias}' is an in-memory SQLite database"
    return None


def each_forked(work: Callable[[Item], Result], items: Sequence[Item], *, processes: int
                ) -> Iterator[tuple[Item, Result, int]]:
    """``work(item)`` for each item, shared by this process and up to ``processes`` - 1
    forked copies of it when possible (``why_not_forked``), here alone otherwise; yields
    (item, its result, the id of the process that ran it), this process's first. Each
    process takes the next item not yet started as soon as it is free, so the items are
    started in the order given (the longest first, when the caller sorts them so).
    Results must pickle. An exception raised by ``work`` is raised here; the copies still
    running are then stopped."""
    many = min(processes, len(items))
    if many <= 1 or why_not_forked() is not None:
        for item in items:
            yield item, work(item), os.getpid()
        return
    global _batch  # handed to the copies through the fork, never pickled
    context = multiprocessing.get_context("fork")
    connections.close_all()
    batch = _batch = (work, items, context.Value("i", 0))
    try:
        with context.Pool(many - 1, initializer=_child_started) as pool:
            helping = [pool.apply_async(_share) for _ in range(many - 1)]
            for index, result, pid in _take_turns(batch):
                yield items[index], result, pid
            for share in helping:
                for index, result, pid in share.get():
                    yield items[index], result, pid
            pool.close()
            pool.join()  # the copies have closed their connections and ended
    finally:
        _batch = None


def _take_turns(batch: tuple[Callable[[Any], Any], Sequence[Any], Any]
                ) -> Iterator[tuple[int, Any, int]]:
    """Start the next item not yet started until none is left; each item's (index, result,
    process id) as it finishes."""
    work, items, taken = batch
    while True:
        with taken.get_lock():
            index = taken.value
            taken.value += 1
        if index >= len(items):
            return
        yield index, work(items[index]), os.getpid()


def _share() -> list[tuple[int, Any, int]]:
    """A copy's part of the batch, sent back whole."""
    if _batch is None:
        raise RuntimeError("each_forked: a copy started without its batch")
    return list(_take_turns(_batch))


def _child_started() -> None:
    # A copy opens its connections on first use and closes them as it ends. Its life is
    # one batch: the garbage of cycles, if any, goes with it.
    from multiprocessing.util import Finalize

    Finalize(None, connections.close_all, exitpriority=10)
    gc.disable()
