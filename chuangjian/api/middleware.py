"""Refuse a NUL character in the address before any view sees it.

PostgreSQL cannot store or compare text containing NUL: a ``%00`` in a path or query
parameter would reach a lookup and fail there as a server error. It is never a
legitimate part of a code, name or search, so the request is refused up front.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or b"\x00" in unquote_to_bytes(query.replace("+", " ")):
            message = _("地址中含有空字符（%00），请求无效")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "errors": {}}, status=400,
                                    json_dumps_params={"ensure_ascii": False})
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
