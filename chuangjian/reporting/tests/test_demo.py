"""The demo reports: realistic, some late and some missing, idempotent, rollups verified."""

from __future__ import annotations

import datetime as dt

from chuangjian.org.demo import build_demo
from chuangjian.reporting import rollups
from chuangjian.reporting.demo import build_reporting_demo
from chuangjian.reporting.models import Submission


def test_the_demo_reports_are_idempotent_and_their_rollups_verify(db: None) -> None:
    build_demo()
    first = build_reporting_demo(today=dt.date(2026, 11, 20), days=5, months=2)
    assert first.submitted > 20 and first.missing > 0
    assert Submission.objects.filter(period="2026-11-20").exists()
    assert rollups.verify() == []
    again = build_reporting_demo(today=dt.date(2026, 11, 20), days=5, months=2)
    assert again.submitted == 0 and again.skipped == first.submitted
