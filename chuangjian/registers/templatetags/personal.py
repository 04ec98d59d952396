"""Template filters that show personal data masked (decision 0020)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from chuangjian.lib import personal

register = template.Library()


@register.filter
def mask_id(value: str | None) -> str:
    return personal.mask_id_number(value) or "—"


@register.filter
def mask_phone(value: str | None) -> str:
    return personal.mask_phone(value) or "—"


@register.filter
def age(born: dt.date | None) -> str:
    if born is None:
        return ""
    today = timezone.localdate()
    return str(today.year - born.year - ((today.month, today.day) < (born.month, born.day)))
