"""Reads that may be served by a read replica (只读副本): dashboards and exports.

With ``DATABASE_REPLICA_URL`` set, settings add a ``replica`` database and
``ReplicaRouter`` sends the reads made inside ``replica_reads()`` (or a view wrapped
by ``reads_from_replica``) to it. Everything else — every write, every read inside a
transaction on the primary, every read of a page that writes — stays on ``default``,
so a clerk always reads back what they just saved. A dashboard may lag the primary by
the replica's delay; its figures are already marked 「数据更新中」 while a refresh is
pending (decision 0033), and the export's title page gives the time of its data.
Without a replica configured nothing changes: every read goes to ``default``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
_READING: ContextVar[bool] = ContextVar("chuangjian_replica_reads", default=False)

F = TypeVar("F", bound=Callable[..., Any])


def configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[None]:
    """Send this block's reads to the replica when one is configured."""
    token = _READING.set(True)
    try:
        yield
    finally:
        _READING.reset(token)


def reads_from_replica(view: F) -> F:
    """A read-only view whose queries may be served by the replica."""

    @wraps(view)
    def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
        # The session and the user are read from the primary first: a sign-in made a
        # moment ago may not have reached the replica yet.
        getattr(getattr(request, "user", None), "pk", None)
        with replica_reads():
            return view(request, *args, **kwargs)

    wrapped.reads_from_replica = True  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry: replica reads only where asked for, writes on the primary."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if not _READING.get() or not configured():
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None  # a read inside a write transaction must see that transaction
        return REPLICA

    def db_for_write(self, model: type, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None,
                      **hints: Any) -> bool | None:
        return False if db == REPLICA else None
