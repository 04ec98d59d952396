"""``atomic_promptly`` takes SQLite's write lock soon after another writer lets it go,
gives up after the connection's own timeout, and leaves that timeout as it was."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connections
from django.db.backends.sqlite3.base import DatabaseWrapper

from chuangjian.lib.writelock import atomic_promptly

ALIAS = "writelock_test"


@pytest.fixture
def database(tmp_path: Path, django_db_blocker: Any) -> Iterator[Path]:
    """A file database of its own behind a Django connection, as the product opens one
    (not the test database: two connections to it must really lock each other)."""
    path = tmp_path / "locks.sqlite3"
    sqlite3.connect(path).executescript(
        "PRAGMA journal_mode=WAL; CREATE TABLE t (n INTEGER);").close()
    settings = dict(connections.settings["default"], ENGINE="django.db.backends.sqlite3",
                    NAME=str(path), OPTIONS={"timeout": 0.4, "transaction_mode": "IMMEDIATE"})
    connections[ALIAS] = DatabaseWrapper(settings, alias=ALIAS)
    try:
        with django_db_blocker.unblock():
            yield path
    finally:
        connections[ALIAS].close()
        del connections[ALIAS]


def _held(path: Path, seconds: float, released: list[float] | None = None
          ) -> threading.Thread:
    """Another writer holding the write lock for ``seconds``; the instant it let go is
    put in ``released``."""
    taken = threading.Event()

    def hold() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        # As the product's writers (settings.py): a commit in WAL mode does not wait for
        # the disk, so the lock goes when the test says, however busy the disk is (with
        # the default, FULL, a commit during the suite once took over 0.16 s).
        other.execute("PRAGMA synchronous=NORMAL")
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO t VALUES (1)")
        taken.set()
        time.sleep(seconds)
        other.execute("COMMIT")
        if released is not None:
            released.append(time.monotonic())
        other.close()

    thread = threading.Thread(target=hold)
    thread.start()
    taken.wait()
    return thread


def test_the_lock_is_taken_soon_after_the_other_writer_lets_it_go(database: Path) -> None:
    # Released after 0.24 s: SQLite's own busy handler tries at 0.228 s and then only at
    # 0.328 s, ~90 ms after the lock is free.
    released: list[float] = []
    holder = _held(database, 0.24, released)
    with atomic_promptly(using=ALIAS), connections[ALIAS].cursor() as cursor:
        acquired = time.monotonic()
        cursor.execute("INSERT INTO t VALUES (2)")
    holder.join()
    assert 0 <= acquired - released[0] < 0.06
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("SELECT n FROM t ORDER BY n")
        assert [n for (n,) in cursor.fetchall()] == [1, 2]
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 400  # the connection's own timeout, as it was


def test_a_lock_held_past_the_timeout_is_refused_and_nothing_is_begun(database: Path) -> None:
    holder = _held(database, 1.0)
    started = time.monotonic()
    with pytest.raises(OperationalError, match="locked"), atomic_promptly(using=ALIAS):
        pass
    assert 0.35 < time.monotonic() - started < 0.9
    connection = connections[ALIAS]
    assert connection.get_autocommit() and not connection.in_atomic_block
    holder.join()
    with atomic_promptly(using=ALIAS), connection.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (3)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM t")
        assert cursor.fetchone()[0] == 2
