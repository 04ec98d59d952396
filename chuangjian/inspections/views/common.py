from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from chuangjian.org.models import Unit
from chuangjian.org.scope import Cap, Scope
from chuangjian.web.forms import apply_errors


def scope_of(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


def now() -> dt.datetime:
    return timezone.now()


def require_any(request: HttpRequest, cap: Cap) -> Scope:
    scope = scope_of(request)
    if not scope.allows_any(cap):
        raise PermissionDenied
    return scope


def units_with(scope: Scope, cap: Cap) -> QuerySet[Unit]:
    return scope.units(cap).filter(closed_on__isnull=True).order_by("path")


def show_errors(form: Any, error: ValidationError, default: str | None = None) -> None:
    apply_errors(form, error, default_field=default)


def error_text(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "；".join(m for ms in error.message_dict.values() for m in ms)
    return "；".join(error.messages)
