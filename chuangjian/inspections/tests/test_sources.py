"""What inspections feed the assessment: problems, 按期整改率, 六乱, recurrences, deductions."""

from __future__ import annotations

import datetime as dt

import pytest

from chuangjian import sources as registry
from chuangjian.engine.periods import Period
from chuangjian.inspections.actions import rectification as act
from chuangjian.inspections.actions.findings import create_finding
from chuangjian.inspections.tests.conftest import category, photo, shanghai
from chuangjian.org.scope import Scope
from chuangjian.sources.testing import Marks

pytestmark = pytest.mark.django_db

ELEMENTS = ("problems_found", "problems_rectified", "rectifications_due", "rectifications_on_time",
            "supervision_visits", "six_disorder_problems", "sanitation_problems",
            "key_road_stall_clusters", "new_illegal_buildings", "problems_recurred",
            "inspection_deduction_points")


def test_every_element_the_standards_leave_to_inspections_has_this_source(standards):
    from chuangjian.standards.models import DataElement

    ours = {e.code for e in DataElement.objects.filter(description__contains="由督查整改模块统计")}
    assert ours <= set(ELEMENTS)
    for code in ELEMENTS:
        assert registry.source_key_for(code) == "inspections"


def test_values_count_problems_on_time_rectification_and_recurrence(world, standards):
    inspector = Scope.for_user(world.inspector)
    worker = Scope.for_user(world.community_worker)
    march = Period.month(2026, 3)
    made = []
    calls = Marks()
    for i, (code, sev, deduction) in enumerate([("disorderly_parking", "一般", "1"),
                                                 ("graffiti", "简易", "0.5"),
                                                 ("garbage_corners", "突出", "2")]):
        finding, _ = create_finding(actor=world.inspector, scope=inspector, unit=world.community,
                                    description=f"问题{i}", severity=sev, category=category(code),
                                    deduction=deduction, photos=[photo(color=(i * 40, 10, 10))],
                                    now=shanghai(2026, 3, 2 + i, 10), dispatch=True)
        made.append(finding)
    assert any(u == world.community.pk and "problems_found" in c for u, c, _d in calls())
    # First fixed in time; second fixed late; third still open and overdue.
    for finding, when in ((made[0], shanghai(2026, 3, 2, 15)), (made[1], shanghai(2026, 3, 9, 9))):
        order = act.accept_order(actor=world.community_worker, scope=worker, order=finding.order,
                                 now=when)
        order = act.submit_rectification(actor=world.community_worker, scope=worker, order=order,
                                         note="好", photos=[photo(color="white")], now=when)
        act.verify_rectification(actor=world.inspector, scope=inspector, order=order,
                                 passed=True, now=when + dt.timedelta(hours=1))
    source = registry.source_for("problems_found")
    assert source is not None
    ids = [world.community.pk, world.community2.pk]

    def value(code: str) -> dict[int, float]:
        return source.values(code, march, ids)

    assert value("problems_found") == {world.community.pk: 3, world.community2.pk: 0}
    assert value("problems_rectified")[world.community.pk] == 2
    assert value("six_disorder_problems")[world.community.pk] == 2
    assert value("sanitation_problems")[world.community.pk] == 1
    assert value("inspection_deduction_points")[world.community.pk] == 3.5
    assert value("rectifications_due") == {world.community.pk: 3}
    assert value("rectifications_on_time") == {world.community.pk: 1}
    assert world.community2.pk not in value("rectifications_due")
    closed = made[0].order
    closed.refresh_from_db()
    act.reopen_order(actor=world.inspector, scope=inspector, order=closed, note="复发",
                     now=shanghai(2026, 3, 20, 10))
    assert value("problems_recurred")[world.community.pk] == 1
    records = source.records("rectifications_on_time", march, world.community.pk)
    assert len(records) == 0  # the reopened order is no longer closed on time
    assert len(source.records("problems_found", march, world.community.pk)) == 3


def test_findings_of_an_unpublished_covert_round_are_not_counted_until_it_is_published(
        world, standards):
    """Decision 0009: 明察暗访 results stay hidden from the inspected until published —
    in the assessment's values and explanation records as on the pages."""
    from chuangjian.inspections.actions import rounds as round_actions
    from chuangjian.inspections.models import RoundKind
    from chuangjian.inspections.taxonomy import default_standard

    inspector = Scope.for_user(world.inspector)
    march = Period.month(2026, 3)
    noon = shanghai(2026, 3, 16, 12)
    round_ = round_actions.create_round(
        actor=world.inspector, scope=inspector, unit=world.street, scope_unit=world.street,
        kind=RoundKind.COVERT, title="第1轮明察暗访", starts_on=noon.date(), ends_on=noon.date(),
        standard=default_standard())
    create_finding(actor=world.inspector, scope=inspector, round=round_, unit=world.community,
                   description="暗访发现占道", severity="一般", deduction="1",
                   category=category("disorderly_parking"), photos=[photo()], now=noon,
                   dispatch=True)
    source = registry.source_for("problems_found")
    assert source is not None
    for code in ("problems_found", "six_disorder_problems", "inspection_deduction_points"):
        assert source.values(code, march, [world.community.pk]) == {world.community.pk: 0}
        assert source.records(code, march, world.community.pk) == []
    calls = Marks()
    round_actions.publish_round(actor=world.inspector, scope=inspector, round_=round_,
                                now=noon + dt.timedelta(days=1))
    assert (world.community.pk, noon.date()) in {(u, d) for u, c, d in calls()
                                                  if "problems_found" in c}
    assert source.values("problems_found", march, [world.community.pk]) == {
        world.community.pk: 1}
    assert source.values("inspection_deduction_points", march, [world.community.pk]) == {
        world.community.pk: 1}
    assert [r.label for r in source.records("problems_found", march, world.community.pk)
            ] and "暗访发现占道" in source.records("problems_found", march,
                                                  world.community.pk)[0].label


def _march_findings(world):
    """Four findings in March 2026, two on a day's first and last minute, the first of
    them rectified and closed the same day."""
    inspector = Scope.for_user(world.inspector)
    worker = Scope.for_user(world.community_worker)
    made = []
    for i, (code, sev, deduction, unit, when) in enumerate([
            ("disorderly_parking", "一般", "1", world.community, shanghai(2026, 3, 2, 0, 0)),
            ("graffiti", "简易", "0.5", world.community, shanghai(2026, 3, 8, 23, 59)),
            ("garbage_corners", "突出", "2", world.community2, shanghai(2026, 3, 9, 0, 0)),
            ("disorderly_parking", "一般", "1", world.community, shanghai(2026, 3, 31, 23, 59))]):
        finding, _ = create_finding(actor=world.inspector, scope=inspector, unit=unit,
                                    description=f"问题{i}", severity=sev, category=category(code),
                                    deduction=deduction, photos=[photo(color=(i * 40, 10, 10))],
                                    now=when, dispatch=True)
        made.append(finding)
    order = act.accept_order(actor=world.community_worker, scope=worker, order=made[0].order,
                             now=shanghai(2026, 3, 2, 15))
    order = act.submit_rectification(actor=world.community_worker, scope=worker, order=order,
                                     note="好", photos=[photo(color="white")],
                                     now=shanghai(2026, 3, 2, 15))
    act.verify_rectification(actor=world.inspector, scope=inspector, order=order, passed=True,
                             now=shanghai(2026, 3, 2, 16))
    return made


def test_a_window_of_periods_in_one_query_equals_asking_period_by_period(world, standards):
    """The per-day and per-week targets ask a year of periods at once
    (``values_by_period``): the same figures as one ``values`` call per period."""
    from chuangjian.engine.periods import PeriodType

    _march_findings(world)
    source = registry.source_for("problems_found")
    assert source is not None
    ids = [world.community.pk, world.community2.pk, world.street.pk]
    march = Period.month(2026, 3)
    windows = {
        "days": [Period.containing(PeriodType.DAY, march.start + dt.timedelta(days=d))
                 for d in range(-1, 32)],
        "weeks": [Period.containing(PeriodType.WEEK, march.start + dt.timedelta(days=7 * w))
                  for w in range(-1, 6)],
        "months": [Period.month(2026, m) for m in (2, 3, 4)],
    }
    codes = ["problems_found", "problems_rectified", "six_disorder_problems",
             "sanitation_problems", "inspection_deduction_points"]
    for name, periods in windows.items():
        for code in codes:
            one_by_one = [source.values(code, p, ids) for p in periods]
            assert source.values_by_period(code, periods, ids) == one_by_one, (name, code)
    found = source.values_by_period("problems_found", windows["weeks"], ids)
    assert sum(week[world.community.pk] for week in found) == 3  # the figures are not all 0
    assert sum(week[world.community2.pk] for week in found) == 1
    deducted = source.values_by_period("inspection_deduction_points", windows["months"], ids)
    assert deducted[1] == {world.community.pk: 2.5, world.community2.pk: 2.0, world.street.pk: 0.0}
    # Periods that are not consecutive are asked one by one.
    apart = [Period.month(2026, 1), Period.month(2026, 3)]
    assert source.values_by_period("problems_found", apart, ids) == [
        source.values("problems_found", p, ids) for p in apart]


def test_the_finding_elements_asked_together_come_from_one_query_as_each_alone(
        world, standards):
    """``values_of``: the finding counts and deductions the assessment asks for a window
    are read from the findings once, and equal asking element by element — a cancelled
    order, a finding of an unpublished covert round, a closed one, each category and a
    finding on a period's last instant included."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chuangjian.engine.periods import PeriodType
    from chuangjian.inspections.actions import rounds as round_actions
    from chuangjian.inspections.models import RoundKind
    from chuangjian.inspections.sources import FINDING_COUNTS
    from chuangjian.inspections.taxonomy import default_standard

    inspector = Scope.for_user(world.inspector)
    made = _march_findings(world)
    create_finding(actor=world.inspector, scope=inspector, unit=world.community2,
                   description="四月的问题", severity="一般", category=category("garbage_corners"),
                   deduction="1", photos=[photo(color=(200, 10, 10))],
                   now=shanghai(2026, 4, 1, 0, 0), dispatch=True)
    act.cancel_order(actor=world.inspector, scope=inspector, order=made[2].order,
                     reason="重复立案")
    covert = round_actions.create_round(
        actor=world.inspector, scope=inspector, unit=world.street, scope_unit=world.street,
        kind=RoundKind.COVERT, title="第1轮明察暗访", starts_on=dt.date(2026, 3, 16),
        ends_on=dt.date(2026, 3, 16), standard=default_standard())
    create_finding(actor=world.inspector, scope=inspector, round=covert, unit=world.community,
                   description="暗访发现占道", severity="一般", deduction="1",
                   category=category("disorderly_parking"), photos=[photo()],
                   now=shanghai(2026, 3, 16, 12), dispatch=True)
    source = registry.source_for("problems_found")
    assert source is not None
    ids = [world.community.pk, world.community2.pk, world.street.pk]
    march = Period.month(2026, 3)
    codes = [*FINDING_COUNTS, "inspection_deduction_points", "problems_recurred"]
    windows = [
        [Period.month(2026, m) for m in (2, 3, 4)],
        [Period.containing(PeriodType.WEEK, march.start + dt.timedelta(days=7 * w))
         for w in range(-1, 6)],
        [Period.parse("2026"), Period.month(2026, 3), Period.month(2026, 1)],  # overlapping
        [],
    ]
    for periods in windows:
        one_by_one = {c: [source.values(c, p, ids) for p in periods] for c in codes}
        with CaptureQueriesContext(connection) as asked:
            together = source.values_of(codes, periods, ids)
        assert together == one_by_one, periods
        findings = [q for q in asked.captured_queries
                    if '"inspections_finding"' in q["sql"] and "recurrence" not in q["sql"]]
        assert len(findings) == (1 if periods else 0), [q["sql"][:80] for q in findings]
    found = source.values_of(codes, [march], ids)
    assert found["problems_found"][0] == {world.community.pk: 3, world.community2.pk: 0,
                                          world.street.pk: 0}
    assert found["problems_rectified"][0][world.community.pk] == 1
    assert found["inspection_deduction_points"][0][world.community.pk] == 2.5
