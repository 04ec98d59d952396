"""The demo district gets 自查 and 考核 results for every built-in standard, repeatably."""

from __future__ import annotations

import datetime as dt
import io

from chuangjian.assessment import demo
from chuangjian.assessment.models import AssessmentRun, ReviewerScore, UnitResult
from chuangjian.org.demo import build_demo
from chuangjian.reporting.demo import build_reporting_demo
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader


def test_the_demo_assesses_every_standard_and_is_repeatable(db: None) -> None:
    build_demo()
    standards_actions.load_standards(actor=None, result=loader.load_builtin())
    today = dt.date(2026, 11, 20)
    build_reporting_demo(today=today, days=1, months=1)
    out = io.StringIO()
    demo.run(out, today=today)
    runs = AssessmentRun.objects.filter(year=2026, current=True)
    codes = {(r.standard_code, r.kind) for r in runs}
    for code in ("wenming_shequ", "wudu_xian", "chuangcheng", "gongmin_daode"):
        assert (code, "self") in codes and (code, "review") in codes
    assert UnitResult.objects.filter(vetoed=True).exists()
    assert UnitResult.objects.exclude(tier="").exists()
    assert ReviewerScore.objects.exclude(comment="").exists()
    count = AssessmentRun.objects.count()
    demo.run(io.StringIO(), today=today)
    assert AssessmentRun.objects.count() == count
