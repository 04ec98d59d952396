"""``each_forked``: independent pieces of one batch of work shared among forked copies of
this process, each with database connections of its own.

CPython runs one thread of Python at a time, so a batch that is Python through and through
(the year-end 考核 of every standard: reading, scoring and storing each standard's results)
uses one core of the server however many it has. Here the pieces are shared between this
process and copies forked from it: the copies start with everything this process has
already read and parsed (the standards, the city's tree), every process takes the next
piece as soon as it is free (the longest first, when the caller sorts them so), and each
copy sends back only its small results, pickled through a pipe, as it ends.

The pieces to take are numbers written in advance into a pipe that every process reads
four bytes at a time: a pipe's read is one step for the kernel, so no two processes take
the same piece, and none needs a lock. (``multiprocessing.Pool`` did this with a pool of
workers and three threads, built for a long life: 20 ms before the first piece on a
process's first batch, 5 ms each time after, against 2–5 ms here; and it waits for ever for
a worker that was killed, where a copy's pipe here ends, and says so.)

A connection to the database cannot cross a fork (both processes would talk over one
socket or one SQLite file handle): this process closes its connections before forking,
each copy opens its own and closes it as it ends, and this process opens a new one when
it next asks. Where that is impossible the pieces run here, one after another, with the
same results: inside a transaction (the copies would not see what it wrote, and closing
its connection would lose it), on an in-memory SQLite database (the tests': the copies
cannot open it), or on a system without ``fork``.
"""

from __future__ import annotations

import gc
import logging
import os
import pickle
import signal
import struct
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from django.db import connections

Item = TypeVar("Item")
Result = TypeVar("Result")

_PIECE = struct.Struct(">I")  # one piece's number in the pipe of pieces to take
_READ = 65536  # bytes read from a pipe at a time


class CopyFailed(RuntimeError):
    """A forked copy ended without sending its results (killed, or its results would not
    pickle); the message says which and how."""


def why_not_forked() -> str | None:
    """Why pieces cannot run in forked processes now (a sentence), or None when they can."""
    if not hasattr(os, "fork"):
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
    Results must pickle. An exception raised by ``work`` in a copy is raised here (and one
    raised here stops the copies); a copy that ends without its results raises
    ``CopyFailed``."""
    many = min(processes, len(items))
    pieces = _pieces(len(items)) if many > 1 and why_not_forked() is None else None
    if pieces is None:
        for item in items:
            yield item, work(item), os.getpid()
        return
    connections.close_all()
    copies: dict[int, int] = {}  # process id -> the read end of the pipe of its results
    try:
        for _ in range(many - 1):
            results, sent = os.pipe()
            pid = os.fork()
            if pid == 0:  # the copy: never returns
                os.close(results)
                _copy(work, items, pieces, sent)
            os.close(sent)
            copies[pid] = results
        for index, result in _take_turns(work, items, pieces):
            yield items[index], result, os.getpid()
        for pid in list(copies):
            sent_back = _read_all(copies[pid])
            os.close(copies.pop(pid))
            status = os.waitpid(pid, 0)[1]
            for index, result in _results_of(pid, sent_back, status):
                yield items[index], result, pid
    finally:
        os.close(pieces)
        for pid, results in copies.items():  # stopped: this process's own piece failed
            os.close(results)
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def _pieces(count: int) -> int | None:
    """The read end of a pipe holding the numbers of ``count`` pieces, its write end closed
    (read to its end, it says no piece is left); None when they do not fit (tens of
    thousands: the pipe would wait for a reader)."""
    pieces, to_take = os.pipe()
    os.set_blocking(to_take, False)
    numbers = b"".join(_PIECE.pack(k) for k in range(count))
    try:
        fits = os.write(to_take, numbers) == len(numbers)
    except BlockingIOError:
        fits = False
    os.close(to_take)
    if not fits:
        os.close(pieces)
        return None
    return pieces


def _take_turns(work: Callable[[Any], Any], items: Sequence[Any], pieces: int
                ) -> Iterator[tuple[int, Any]]:
    """Take the next piece not yet taken until none is left; each (index, result) as it
    finishes."""
    while taken := os.read(pieces, _PIECE.size):
        (index,) = _PIECE.unpack(taken)
        yield index, work(items[index])


def _copy(work: Callable[[Any], Any], items: Sequence[Any], pieces: int, sent: int) -> None:
    """A copy's life: its part of the batch, sent back whole (or the exception that stopped
    it), its connections closed; then it ends without running this process's exit
    handlers, which are the parent's to run."""
    code = 1
    try:
        gc.disable()  # one batch long: the garbage of cycles, if any, goes with the copy
        try:
            message = pickle.dumps((True, list(_take_turns(work, items, pieces))))
        except BaseException as error:  # sent to the parent, which raises it
            error.add_note(f"(in forked copy {os.getpid()})\n"
                           + "".join(traceback.format_tb(error.__traceback__)))
            message = _pickled_error(error)
        connections.close_all()
        with os.fdopen(sent, "wb") as out:
            out.write(message)
        code = 0
    finally:
        try:
            logging.shutdown()  # the copy's log lines written out before it ends
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _pickled_error(error: BaseException) -> bytes:
    try:
        return pickle.dumps((False, error))
    except Exception:  # an exception that will not pickle goes as its text
        text = "".join(traceback.format_exception(error))
        return pickle.dumps((False, CopyFailed(f"a forked copy failed:\n{text}")))


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, _READ):
        chunks.append(chunk)
    return b"".join(chunks)


def _results_of(pid: int, sent_back: bytes, status: int) -> list[tuple[int, Any]]:
    """A copy's results, or its exception raised here."""
    if not sent_back:
        raise CopyFailed(f"forked copy {pid} ended without its results "
                         f"({_how_it_ended(status)})")
    finished, payload = pickle.loads(sent_back)  # noqa: S301 - from our own forked copy
    if not finished:
        raise payload
    return payload


def _how_it_ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
