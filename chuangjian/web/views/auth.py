"""Login (throttled by django-axes) and logout."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chuangjian.web.forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        username = form.data.get("username", "")
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
        return context
