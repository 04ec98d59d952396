from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from chuangjian.org.scope import Scope


class ScopeMiddleware:
    """Resolve the user's scope once per request, lazily, as ``request.scope``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.scope = SimpleLazyObject(lambda: Scope.for_user(request.user))  # type: ignore[attr-defined]
        return self.get_response(request)
