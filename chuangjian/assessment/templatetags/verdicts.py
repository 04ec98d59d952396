"""``{% verdict row %}``: a unit's 考核结论 as the same words and colour on every page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from chuangjian.assessment.models import AssessmentRun, UnitResult
from chuangjian.assessment.verdicts import Verdict, judge

register = template.Library()

_CSS = {Verdict.VETOED: "veto", Verdict.PASSED: "pass", Verdict.UNDETERMINED: "published",
        Verdict.NO_TOTAL: "published", Verdict.FAILED: "fail"}


@register.simple_tag
def verdict(row: Any, run: Any = None) -> str:
    """``row``: a stored result, or anything carrying one as ``.result`` (a scorecard, a
    league row); ``run``: the results' run, when the page has it."""
    result: UnitResult = row if isinstance(row, UnitResult) else row.result
    run = run or getattr(row, "run", None)
    v = judge(result, run=run if isinstance(run, AssessmentRun) else None).verdict
    return format_html('<span class="verdict verdict-{}" data-verdict="{}">{}</span>',
                       _CSS[v], v.value, v.label)
