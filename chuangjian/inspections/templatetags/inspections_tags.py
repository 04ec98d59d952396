from __future__ import annotations

from typing import Any

from django import template

from chuangjian.org.scope import Cap

register = template.Library()


@register.filter
def can(scope: Any, cap: str) -> bool:
    """``{% if request.scope|can:"inspect" %}``: the capability holds somewhere in scope."""
    try:
        return bool(scope.allows_any(Cap(cap)))
    except (AttributeError, ValueError):
        return False
