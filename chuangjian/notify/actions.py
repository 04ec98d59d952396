"""Writing to the notification centre: one line per person, read or unread."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from chuangjian.notify.models import Notification
from chuangjian.org.models import User
from chuangjian.org.scope import Scope


@transaction.atomic
def notify_users(*, scope: Scope, users: Iterable[User | None], kind: str, title: str,
                 body: str = "", url: str = "", at: dt.datetime | None = None
                 ) -> list[Notification]:
    """Put one notification in each person's centre (a person named twice gets one)."""
    at = at or timezone.now()
    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, at=at, kind=kind[:40], title=title[:200],
                                 body=body[:500], url=url[:300]))
    return Notification.objects.bulk_create(rows)


@transaction.atomic
def mark_read(*, scope: Scope, user: User, pk: int | None = None,
              now: dt.datetime | None = None) -> int:
    """Mark one of the person's notifications read, or all of them (``pk`` None).
    Nobody marks another person's notifications: the filter is on the person."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if pk is not None:
        qs = qs.filter(pk=pk)
    return qs.update(read_at=now or timezone.now())
