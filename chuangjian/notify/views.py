"""The notification centre (消息中心): the person's own lines, newest first; mark read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from chuangjian.notify import actions, selectors
from chuangjian.org.scope import Scope


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    rows = selectors.notifications_of(scope=scope, user=request.user)  # type: ignore[arg-type]
    page = Paginator(rows, 30).get_page(str(request.GET.get("page", "1"))[:6])
    return render(request, "notify/list.html", {
        "page": page, "unread": selectors.unread_count(scope=scope, user=request.user),  # type: ignore[arg-type]
        "deliveries": list(selectors.deliveries_of(scope=scope, user=request.user)[:10])})  # type: ignore[arg-type]


@login_required
@require_POST
def read(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    actions.mark_read(scope=scope, user=request.user, pk=pk)  # type: ignore[arg-type]
    target = str(request.POST.get("next", ""))[:300]
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect("notify:list")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    actions.mark_read(scope=_scope(request), user=request.user)  # type: ignore[arg-type]
    return redirect("notify:list")


@login_required
def badge(request: HttpRequest) -> HttpResponse:
    """The header bell's unread count (loaded by htmx after the page)."""
    n = selectors.unread_count(scope=_scope(request), user=request.user)  # type: ignore[arg-type]
    return render(request, "notify/_badge.html", {"n": n})
