"""Reads of account security, already limited to the reader's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Q, QuerySet, Sum
from django.utils import timezone

from chuangjian.org.models import Membership, User
from chuangjian.org.scope import Cap, Scope

# Capabilities whose holders must pass a second factor (TOTP) after their password:
# administration, security, audit and the case register (等保 2.0 双因素, decision 0010).
STRONG_AUTH_CAPS = (Cap.MANAGE_UNITS, Cap.MANAGE_PEOPLE, Cap.MANAGE_SECURITY, Cap.VIEW_AUDIT,
                    Cap.VIEW_CASES)


def needs_second_factor(*, scope: Scope) -> bool:
    """Whether this person's roles carry a capability that needs a second factor."""
    if scope.user_id is None:
        return False
    if scope.is_global:
        return True
    return any(scope.allows_any(cap) for cap in STRONG_AUTH_CAPS)


def secured_people(*, scope: Scope) -> QuerySet[User]:
    """People whose account security the scope manages: every membership they hold lies
    where the scope has MANAGE_SECURITY. People without any membership (operator
    accounts) belong to a security administrator of a top unit."""
    prefixes = scope.prefixes(Cap.MANAGE_SECURITY)
    if scope.is_global and scope.allows_any(Cap.MANAGE_SECURITY):
        return User.objects.all()
    if not prefixes:
        return User.objects.none()
    inside = Q()
    for p in prefixes:
        inside |= Q(unit__path__startswith=p)
    outside = Membership.objects.exclude(inside).values("user_id")
    users = User.objects.exclude(pk__in=outside)
    if any(p.count("/") == 1 for p in prefixes):
        return users
    return users.filter(pk__in=Membership.objects.filter(inside).values("user_id"))


@dataclass(frozen=True)
class LockedAccount:
    user: User
    failures: int
    last_attempt: dt.datetime
    unlocks_at: dt.datetime


def locked_accounts(*, scope: Scope) -> list[LockedAccount]:
    """Accounts locked by repeated wrong passwords, within the scope, newest first."""
    limit = int(settings.AXES_FAILURE_LIMIT)
    cooloff = dt.timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    rows = (AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cooloff)
            .values("username")
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=limit))
    by_name = {r["username"]: r for r in rows}
    people = secured_people(scope=scope).filter(username__in=list(by_name))
    found = [LockedAccount(user=u, failures=by_name[u.username]["failures"],
                           last_attempt=by_name[u.username]["last"],
                           unlocks_at=by_name[u.username]["last"] + cooloff) for u in people]
    return sorted(found, key=lambda a: a.last_attempt, reverse=True)


def people_with_second_factor(*, scope: Scope, query: str = "") -> QuerySet[User]:
    """People within the scope who have bound an authenticator app, by username."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    people = secured_people(scope=scope).filter(
        pk__in=TOTPDevice.objects.filter(confirmed=True).values("user_id"))
    if query:
        people = people.filter(Q(username__icontains=query) | Q(full_name__icontains=query))
    return people.order_by("username")
