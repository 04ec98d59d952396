from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def ratelimited(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Too many requests from one client (django-ratelimit): say so, in Chinese, with 429."""
    return render(request, "web/ratelimited.html", status=429)
