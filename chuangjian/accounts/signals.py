"""Receivers that put Django's and django-axes' login signals into the audit log.

Signals only register the recording here; the recording itself is the
``record_auth_event`` action.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuangjian.accounts.actions import record_auth_event
from chuangjian.org.models import User
from chuangjian.org.scope import Scope

# Session keys: when the password was accepted, and when the person was last active.
SESSION_AUTH_AT = "accounts_auth_at"
SESSION_SEEN_AT = "accounts_seen_at"


def client_address(request: HttpRequest | None) -> str:
    # Behind nginx, REMOTE_ADDR is set from X-Forwarded-For by nginx itself (README).
    return (request.META.get("REMOTE_ADDR", "") if request is not None else "") or ""


def _user_named(username: str) -> User | None:
    return User.objects.filter(username=username).first() if username else None


@receiver(user_logged_in, dispatch_uid="accounts.logged_in")
def _logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = int(timezone.now().timestamp())
        request.session[SESSION_AUTH_AT] = now
        request.session[SESSION_SEEN_AT] = now
    record_auth_event(scope=Scope.system(), action="auth.login.succeeded", user=user,
                      address=client_address(request))


@receiver(user_login_failed, dispatch_uid="accounts.login_failed")
def _login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None,
                  **kwargs: Any) -> None:
    username = str(credentials.get("username", "") or "")
    record_auth_event(scope=Scope.system(), action="auth.login.failed",
                      user=_user_named(username), username=username,
                      address=client_address(request))


@receiver(user_locked_out, dispatch_uid="accounts.locked_out")
def _locked_out(sender: Any, request: HttpRequest | None, username: str | None = None,
                ip_address: str | None = None, **kwargs: Any) -> None:
    name = str(username or "")
    record_auth_event(scope=Scope.system(), action="auth.login.locked_out",
                      user=_user_named(name), username=name,
                      address=ip_address or client_address(request))


@receiver(user_logged_out, dispatch_uid="accounts.logged_out")
def _logged_out(sender: Any, request: HttpRequest | None, user: User | None,
                **kwargs: Any) -> None:
    if user is None:
        return
    reason = getattr(request, "accounts_logout_reason", "") if request is not None else ""
    # Stored as a sentence, like every other entry's data: the log is read by people.
    sentence = {"idle": _("长时间未操作"), "absolute": _("超过最长登录时间")}.get(reason)
    record_auth_event(scope=Scope.system(),
                      action="auth.session.expired" if reason else "auth.logout",
                      user=user, address=client_address(request),
                      data={"reason": str(sentence)} if sentence else None)
