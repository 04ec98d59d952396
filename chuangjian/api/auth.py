"""How an API request proves who it is: a session cookie or a bearer token."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from chuangjian.org.scope import Scope
from chuangjian.org.tokens import user_for_key


class TokenAuth(HttpBearer):
    """``Authorization: Bearer cj_...``, checked against the stored SHA-256 of the key."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        return user_for_key(token.strip())


class ActiveSessionAuth(SessionAuth):
    """Django's login session; ninja checks the CSRF token for unsafe methods."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        user = request.user
        return user if user.is_authenticated and user.is_active else None


def scope_of(request: HttpRequest) -> Scope:
    """The scope of whoever authenticated the request, resolved once per request."""
    scope = getattr(request, "_api_scope", None)
    if scope is None:
        scope = Scope.for_user(request.auth)  # type: ignore[attr-defined]
        request._api_scope = scope  # type: ignore[attr-defined]
    return scope
