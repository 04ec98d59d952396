"""The home page: the person's work list (我的待办) across the apps, and what they answer for."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from chuangjian.org import selectors
from chuangjian.org.levels import Level, level_label
from chuangjian.org.models import Membership
from chuangjian.org.scope import Cap
from chuangjian.web import inbox
from chuangjian.web.views.common import AuthedRequest, scope_of


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    scope = scope_of(request)
    counts = selectors.unit_counts_by_level(scope=scope)
    level_counts = [(code, level_label(code), counts.get(code, 0)) for code in Level.values
                    if counts.get(code)]
    memberships = (Membership.objects.filter(user=request.user).select_related("unit")
                   .order_by("unit__depth", "unit__sort_key"))
    roots = selectors.children_of(scope=scope, unit=None)
    now = timezone.now()
    return render(request, "web/home.html", {
        "box": inbox.collect(scope=scope, user=request.user, now=now), "now": now,
        "level_counts": level_counts,
        "total_units": sum(counts.values()),
        "memberships": memberships,
        "roots": roots,
        "can_audit": scope.allows_any(Cap.VIEW_AUDIT),
        "can_people": scope.allows_any(Cap.MANAGE_PEOPLE),
        "can_units": scope.allows_any(Cap.MANAGE_UNITS),
    })
