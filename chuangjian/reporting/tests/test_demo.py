"""The demo reports: realistic, some late and some missing, idempotent, rollups verified."""

from __future__ import annotations

import datetime as dt

from chuangjian.org.demo import build_demo
from chuangjian.org.scope import Scope
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


def test_five_years_of_history_are_imported_once_with_rollups_that_verify(db: None) -> None:
    from chuangjian.engine.periods import Period
    from chuangjian.org.models import Unit, UnitVersion
    from chuangjian.reporting.demo import HISTORY_YEARS, build_history
    from chuangjian.reporting.models import DataValue, Status
    from chuangjian.standards import actions as standards_actions
    from chuangjian.standards import loader

    build_demo()
    standards_actions.load_standards(actor=None, result=loader.load_builtin(), scope=Scope.system())
    build_reporting_demo(today=dt.date(2026, 11, 20), days=1, months=1)
    first = build_history()
    assert first.submissions > 100 and first.values > first.submissions
    # Every community has an accepted annual report for each of 2022–2025.
    communities = Unit.objects.filter(level="community")
    for year in HISTORY_YEARS:
        reported = set(Submission.objects.filter(period=str(Period.year(year)),
                                                 status__in=[Status.ACCEPTED, Status.SUBMITTED])
                       .values_list("unit_id", flat=True))
        assert set(communities.values_list("pk", flat=True)) <= reported, year
    # The stories: 锦绣社区's major fire of 2024, nobody else's.
    fires = DataValue.objects.filter(element__code="major_fires", number__gt=0)
    assert list(fires.values_list("unit__code", "period")) == [("QY-01-B-02", "2024")]
    assert rollups.verify() == []
    again = build_history()
    assert again.submissions == 0 and again.values == 0
    # 长安社区 moved from 东湖街道 to 城关街道 on 2025-07-01; the history keeps both places.
    changan = Unit.objects.get(code="QY-02-B-02")
    assert changan.parent is not None and changan.parent.code == "QY-01-B"
    before = UnitVersion.objects.get(unit=changan, valid_from__lte=dt.date(2025, 1, 1),
                                     valid_to__gt=dt.date(2025, 1, 1))
    assert before.parent is not None and before.parent.code == "QY-02-B"


def test_the_demos_ordinary_figures_raise_no_warning_and_an_absurd_one_does(db: None) -> None:
    """The outlier check does not cry wolf: two weeks of daily and four months of
    monthly, quarterly and yearly demo reports are all ordinary — while a figure of
    99,999,999,999 is flagged against both the unit's history and its peers'."""
    from decimal import Decimal

    from chuangjian.engine.periods import Period
    from chuangjian.org.models import Unit
    from chuangjian.reporting.actions import outliers
    from chuangjian.reporting.datasets import catalog
    from chuangjian.reporting.models import Status

    build_demo()
    result = build_reporting_demo(today=dt.date(2026, 11, 20), days=14, months=4)
    filed = Submission.objects.exclude(status=Status.DRAFT)
    assert result.submitted > 100 and filed.count() == result.submitted
    assert list(filed.exclude(warnings={}).values_list("unit__name", "period", "warnings")) == []
    area = Unit.objects.get(code="QY-01-A")
    ds = catalog().for_unit(area, 2026)["area-day"]
    flagged = outliers(area, ds, Period.parse("2026-11-21"),
                       {"daily_problems_found": Decimal("99999999999"),
                        "daily_work_items": Decimal("5")})
    assert list(flagged) == ["daily_problems_found"]
    assert flagged["daily_problems_found"]["n"] == "12"
