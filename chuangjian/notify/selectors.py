"""Reading the notification centre: only ever the signed-in person's own lines."""

from __future__ import annotations

from django.db.models import QuerySet

from chuangjian.notify.models import Delivery, Notification
from chuangjian.org.models import User
from chuangjian.org.scope import Scope


def notifications_of(*, scope: Scope, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-at", "-id")


def unread_count(*, scope: Scope, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def deliveries_of(*, scope: Scope, user: User) -> QuerySet[Delivery]:
    return Delivery.objects.filter(user=user).order_by("-at", "-id")
