"""Test support: a database built once per test process and put back for later tests.

The browser tests run against a live server, so their data must be committed: each
test gets an emptied database (``transactional_db``) and builds its demo again, 5–15 s
a test. ``built_once(key, build)`` runs ``build()`` the first time a process needs
``key`` and keeps a copy of the whole database and of what ``build`` returned; a later
test with the same key gets that copy put back instead: the same rows, ids and
sequences, so it starts where a fresh build would have left it.

The copy is the database's own: SQLite's backup API (the suite's in-memory database),
PostgreSQL's COPY of every table in binary and a TRUNCATE before it is written back
(Django's foreign keys are deferred to the commit). Nothing here is used by the product.
"""

from __future__ import annotations

import io
import pickle
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

T = TypeVar("T")


@dataclass
class Snapshot:
    day: Any
    returned: bytes
    sqlite: sqlite3.Connection | None = None
    tables: dict[str, bytes] | None = None


def _tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True,
                                                              include_views=False))


def take() -> tuple[sqlite3.Connection | None, dict[str, bytes] | None]:
    """A copy of every table of the test database as it stands (committed data)."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(copy)
        return copy, None
    if connection.vendor != "postgresql":
        raise NotImplementedError(connection.vendor)
    tables: dict[str, bytes] = {}
    with connection.cursor() as cursor:
        for table in _tables():
            buffer = io.BytesIO()
            name = connection.ops.quote_name(table)
            with cursor.copy(f"COPY {name} TO STDOUT (FORMAT BINARY)") as copy:
                for chunk in copy:
                    buffer.write(chunk)
            tables[table] = buffer.getvalue()
    return None, tables


def put_back(snapshot: Snapshot) -> None:
    """Make the test database hold exactly what ``snapshot`` held."""
    connection.ensure_connection()
    if snapshot.sqlite is not None:
        snapshot.sqlite.backup(connection.connection)
    else:
        assert snapshot.tables is not None  # noqa: S101 - one of the two is set by take()
        quote = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE " + ", ".join(quote(t) for t in _tables()))
            for table, data in snapshot.tables.items():
                with cursor.copy(f"COPY {quote(table)} FROM STDIN (FORMAT BINARY)") as copy:
                    copy.write(data)
            for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
                cursor.execute(sql)
    # Content types are cached by id in the process; the ids are the snapshot's now.
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


@pytest.fixture(scope="session")
def _db_snapshots() -> dict[str, Snapshot]:
    return {}


@pytest.fixture
def built_once(transactional_db: None, _db_snapshots: dict[str, Snapshot]
               ) -> Callable[[str, Callable[[], T]], T]:
    """``built_once(key, build)``: ``build()``'s database and result, built once per
    test process (and again on a new day, since demos are built around today)."""

    def get(key: str, build: Callable[[], T]) -> T:
        today = timezone.localdate()
        kept = _db_snapshots.get(key)
        if kept is not None and kept.day == today:
            put_back(kept)
            return pickle.loads(kept.returned)  # noqa: S301 - our own bytes, this process
        returned = build()
        sqlite, tables = take()
        _db_snapshots[key] = Snapshot(day=today, returned=pickle.dumps(returned),
                                      sqlite=sqlite, tables=tables)
        return returned

    return get
