"""Login (accounts locked by django-axes, addresses throttled by django-ratelimit)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage
from django_ratelimit.exceptions import Ratelimited

from chuangjian.web.forms import LoginForm

LOGIN_FAILURE_GROUP = "auth.login.address"


def address_throttled(request: HttpRequest, *, count: bool) -> bool:
    """Whether this address has failed too many logins (over all usernames) lately;
    ``count`` adds the current failure to the tally."""
    usage = get_usage(request, group=LOGIN_FAILURE_GROUP, key="ip",
                      rate=settings.LOGIN_ADDRESS_FAILURE_RATE, method="POST", increment=count)
    # Refused once the tally has reached the limit (the library's own test is "above").
    return usage is not None and usage["count"] >= usage["limit"]


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if address_throttled(request, count=False):
            raise Ratelimited
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        username = form.data.get("username", "")
        if form.errors and "__all__" in form.errors:
            address_throttled(self.request, count=True)
        if username and form.errors and "__all__" in form.errors:
            remaining = self._remaining_attempts(username)
            if remaining is not None and remaining > 0:
                form.add_error(None, ngettext(
                    "还可以再尝试 %(n)d 次，之后账号将被暂时锁定。",
                    "还可以再尝试 %(n)d 次，之后账号将被暂时锁定。", remaining) % {"n": remaining})
        return super().form_invalid(form)

    def _remaining_attempts(self, username: str) -> int | None:
        try:
            from axes.handlers.proxy import AxesProxyHandler

            failures = AxesProxyHandler.get_failures(self.request, {"username": username})
        except Exception:
            return None
        return int(settings.AXES_FAILURE_LIMIT) - int(failures)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = _("登录")
        context["expired"] = self.request.GET.get("expired") == "1"
        return context
