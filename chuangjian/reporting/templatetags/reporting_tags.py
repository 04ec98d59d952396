"""Template filters of the reporting pages."""

from __future__ import annotations

from typing import Any

from django import template

from chuangjian.engine.periods import Period, PeriodError
from chuangjian.org.scope import Cap
from chuangjian.reporting import actions, datasets, labels
from chuangjian.reporting.models import Submission

register = template.Library()


@register.filter
def period_label(value: Period | str) -> str:
    """A period (or its code, ``2026-03``) named in the reader's language."""
    if isinstance(value, str):
        try:
            return labels.period_label(Period.parse(value))
        except PeriodError:
            return value
    return labels.period_label(value)


@register.filter
def lock_reason(submission: Submission) -> str:
    """Why a locked submission is locked, in the reader's language."""
    return actions.lock_text(submission)


@register.filter
def dataset_name(code: str) -> str:
    """``community-day`` → 社区/村日报, in the reader's language."""
    return datasets.dataset_name(code)


@register.simple_tag(takes_context=True)
def reporting_caps(context: dict[str, Any]) -> dict[str, bool]:
    """Which reporting tabs the signed-in user may open (the others would answer 403)."""
    scope = getattr(context.get("request"), "scope", None)
    if scope is None:
        return {"approve": False, "enter": False}
    return {"approve": scope.allows_any(Cap.APPROVE), "enter": scope.allows_any(Cap.ENTER_DATA)}
