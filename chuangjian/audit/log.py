"""``log_action`` (and ``log_actions`` for many of one kind at once): the one way anything
is written to the audit log."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models, transaction

from chuangjian.audit.models import AuditEntry


def log_action(
    *,
    action: str,
    actor: Any | None,
    obj: models.Model | None = None,
    unit: Any | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record ``action`` (a dotted code such as ``org.unit.moved``).

    Must be called inside the transaction of the change; it refuses otherwise so a
    change can never commit without its record.
    """
    _inside_the_change()
    entry = _entry(action, actor, obj, unit, data)
    entry.save(force_insert=True)
    return entry


def log_actions(*, action: str, actor: Any | None,
                changes: Iterable[tuple[models.Model | None, Any | None, dict[str, Any] | None]]
                ) -> list[AuditEntry]:
    """``log_action`` for each (obj, unit, data) of ``changes``, written in one statement
    (the year's assessment records a city's ninety runs)."""
    _inside_the_change()
    return AuditEntry.objects.bulk_create(
        [_entry(action, actor, obj, unit, data) for obj, unit, data in changes])


def _inside_the_change() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("log_action must run inside the change's transaction")


def _entry(action: str, actor: Any | None, obj: models.Model | None, unit: Any | None,
           data: dict[str, Any] | None) -> AuditEntry:
    if unit is None and obj is not None and obj.__class__.__name__ == "Unit":
        unit = obj
    return AuditEntry(
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        unit=unit,
        unit_path=getattr(unit, "path", "") or "",
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        data=data or {},
    )
