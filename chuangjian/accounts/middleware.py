"""Session limits and the account gate, after authentication.

``SessionLimitsMiddleware`` ends a session after ``SESSION_IDLE_TIMEOUT`` without a
request (30 minutes) or ``SESSION_ABSOLUTE_AGE`` after the password was accepted (12 h),
whatever the activity. ``AccountGateMiddleware`` sends a person who must change their
password to the change page until they have, and a person whose roles need a second
factor to the enrolment or verification page until this session has passed it.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangjian.accounts import otp
from chuangjian.accounts.selectors import needs_second_factor
from chuangjian.accounts.signals import SESSION_AUTH_AT, SESSION_SEEN_AT

# The last-seen time is written at most this often, so a busy page does not write the
# session on every request.
SEEN_GRANULARITY_SECONDS = 60


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(timezone.now().timestamp())
            session = request.session
            auth_at = int(session.get(SESSION_AUTH_AT, now))
            seen_at = int(session.get(SESSION_SEEN_AT, now))
            reason = ""
            if now - seen_at > settings.SESSION_IDLE_TIMEOUT:
                reason = "idle"
            elif now - auth_at > settings.SESSION_ABSOLUTE_AGE:
                reason = "absolute"
            if reason:
                request.accounts_logout_reason = reason  # type: ignore[attr-defined]
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect(f"{reverse(settings.LOGIN_URL)}?expired=1")
            if SESSION_AUTH_AT not in session:
                session[SESSION_AUTH_AT] = now
            if now - seen_at >= SEEN_GRANULARITY_SECONDS or SESSION_SEEN_AT not in session:
                session[SESSION_SEEN_AT] = now
        return self.get_response(request)


# Pages a person may open before the gate lets them through: their own account pages,
# signing out, the language switch and static files.
GATE_OPEN_PREFIXES = ("/account/", "/logout/", "/i18n/", "/static/", "/media/")


class AccountGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (user is None or not user.is_authenticated
                or request.path.startswith(GATE_OPEN_PREFIXES)):
            return self.get_response(request)
        if getattr(user, "must_change_password", False):
            return self._hold(request, "web:password_change", _("请先修改初始密码。"))
        if (not otp.is_verified(request.session)
                and needs_second_factor(scope=request.scope)):  # type: ignore[attr-defined]
            if otp.has_confirmed_totp(user):
                return self._hold(request, "web:otp_verify", _("请先完成动态口令验证。"))
            return self._hold(request, "web:otp_enrol", _("请先绑定动态口令。"))
        return self.get_response(request)

    @staticmethod
    def _hold(request: HttpRequest, page: str, message: str) -> HttpResponse:
        if request.path.startswith("/api/"):
            # A browser session calling the API is held at the same gate.
            return JsonResponse({"detail": message}, status=403)
        url = reverse(page)
        if page == "web:otp_verify" and request.method == "GET" and request.path != "/":
            # Back to the page asked for, once the gate is passed.
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)
