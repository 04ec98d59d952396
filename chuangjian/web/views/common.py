"""Helpers shared by the page modules."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from chuangjian.org import selectors
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Cap, Scope


class AuthedRequest(HttpRequest):
    """A request behind ``login_required``: a real user, and the scope the middleware set."""

    user: User
    scope: Scope


def scope_of(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


def require_any(request: HttpRequest, cap: Cap) -> Scope:
    """403 unless the user holds ``cap`` somewhere."""
    scope = scope_of(request)
    if not scope.allows_any(cap):
        raise PermissionDenied
    return scope


def crumbs(scope: Scope, unit: Unit) -> list[tuple[Unit, bool]]:
    """The units above ``unit`` for the breadcrumb, each with whether it may be opened."""
    return [(a, scope.allows(a)) for a in selectors.ancestors(unit)]
