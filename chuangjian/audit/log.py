"""``log_action``: the one way anything is written to the audit log."""

from __future__ import annotations

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
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("log_action must run inside the change's transaction")
    if unit is None and obj is not None and obj.__class__.__name__ == "Unit":
        unit = obj
    return AuditEntry.objects.create(
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        unit=unit,
        unit_path=getattr(unit, "path", "") or "",
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        data=data or {},
    )
