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
    """Django's login session; ninja checks the CSRF token for unsafe methods.

    A request that carries an ``Authorization`` header is judged by its token alone:
    a bad token is a 401, not a fall-back to the session (whose CSRF check would
    answer a misleading 403). Without a logged-in session it is a 401 as well.
    """

    def __call__(self, request: HttpRequest) -> Any | None:
        if "Authorization" in request.headers or not request.user.is_authenticated:
            return None
        return super().__call__(request)

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
