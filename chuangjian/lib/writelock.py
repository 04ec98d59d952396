"""``atomic_promptly``: a transaction that asks SQLite for its write lock every millisecond.

SQLite has one write lock per database. A connection that finds it taken waits in
SQLite's busy handler, which sleeps longer after each try (1, 2, 5, 10 … up to 100 ms)
until its timeout. Under a stream of short writers (submissions of ~15 ms back to back)
a transaction that waits so rarely finds the lock free: the result refresh, which
writes once for every run it recomputed, waited 0.5–0.9 s for a lock it then held for
0.05 s (docs/benchmarks.md, 2026-12-05). ``atomic_promptly`` asks again every
millisecond, up to the connection's own timeout, then behaves as ``transaction.atomic``.

Elsewhere (PostgreSQL locks rows, not the database) and inside a transaction already
begun, it is ``transaction.atomic``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction

RETRY_SECONDS = 0.001


@contextlib.contextmanager
def atomic_promptly(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    connection = connections[using]
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        with transaction.atomic(using=using):
            yield
        return
    connection.ensure_connection()
    raw = connection.connection
    (waited_ms,) = raw.execute("PRAGMA busy_timeout").fetchone()
    deadline = time.monotonic() + waited_ms / 1000
    with contextlib.ExitStack() as stack:
        raw.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    # A refused BEGIN leaves Django's connection as it was (autocommit).
                    stack.enter_context(transaction.atomic(using=using))
                    break
                except OperationalError as error:
                    if "locked" not in str(error) or time.monotonic() >= deadline:
                        raise
                    time.sleep(RETRY_SECONDS)
        finally:
            raw.execute(f"PRAGMA busy_timeout = {int(waited_ms)}")
        yield
