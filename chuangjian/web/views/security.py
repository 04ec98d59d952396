"""The 安全管理员's page: locked accounts (unlock early) and bound authenticators (reset)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chuangjian.accounts import actions, selectors
from chuangjian.org.scope import Cap
from chuangjian.web.views.common import require_any


@login_required
def security(request: HttpRequest) -> HttpResponse:
    scope = require_any(request, Cap.MANAGE_SECURITY)
    query = request.GET.get("q", "").strip()[:50]
    return render(request, "web/security.html", {
        "locked": selectors.locked_accounts(scope=scope),
        "query": query,
        "bound": selectors.people_with_second_factor(scope=scope, query=query)[:50],
    })


@login_required
@require_POST
def security_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    scope = require_any(request, Cap.MANAGE_SECURITY)
    person = selectors.secured_people(scope=scope).filter(pk=pk).first()
    if person is None:
        raise Http404
    actions.unlock_account(scope=scope, user=person)
    messages.success(request, _("已解锁「%(name)s」的账号。") % {"name": person.display_name})
    return redirect("web:security")


@login_required
@require_POST
def security_otp_reset(request: HttpRequest, pk: int) -> HttpResponse:
    scope = require_any(request, Cap.MANAGE_SECURITY)
    person = selectors.secured_people(scope=scope).filter(pk=pk).first()
    if person is None:
        raise Http404
    actions.reset_second_factor(scope=scope, user=person)
    messages.success(request, _("已重置「%(name)s」的动态口令，其下次登录时需重新绑定。") % {
        "name": person.display_name})
    return redirect("web:security")
