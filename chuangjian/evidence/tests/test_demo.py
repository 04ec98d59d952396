"""The demo gives communities a year of activities and evidence, with gaps; it is repeatable."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from chuangjian.evidence import demo
from chuangjian.evidence.models import Activity, EvidenceLink
from chuangjian.org.demo import build_demo

pytestmark = pytest.mark.django_db


def test_the_demo_fills_a_year_with_gaps_and_runs_twice_without_duplicates(standards: object
                                                                           ) -> None:
    build_demo()
    today = dt.date(2026, 11, 20)
    out = io.StringIO()
    demo.run(out, today=today, codes=["QY-01-A-01", "QY-03-A-01"])
    activities, links = Activity.objects.count(), EvidenceLink.objects.count()
    assert activities >= 30 and links > 10
    assert Activity.objects.filter(date__gt=today).count() == 0
    assert Activity.objects.filter(unit__code="QY-03-A-01", type__code="countryside_drug_education").exists()
    assert Activity.objects.filter(attachments__file__kind="image").distinct().count() > 10
    assert "仍缺材料" in out.getvalue()
    assert not EvidenceLink.objects.filter(requirement="消防部门出具的火灾情况说明").exists()
    demo.run(io.StringIO(), today=today, codes=["QY-01-A-01", "QY-03-A-01"])
    assert (Activity.objects.count(), EvidenceLink.objects.count()) == (activities, links)
