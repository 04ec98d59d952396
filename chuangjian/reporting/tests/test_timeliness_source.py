"""篇10: 每天下午4点前各管区……汇总上报 — the on-time rate counted from the daily reports."""

from __future__ import annotations

from chuangjian import sources
from chuangjian.engine.periods import Period
from chuangjian.org import actions as org_actions
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.reporting import actions
from chuangjian.reporting.sources import DUE_ELEMENT, ON_TIME_ELEMENT

from .conftest import shanghai


def _daily(world: World, day: int, hour: int, minute: int = 0) -> None:
    actions.submit_values(actor=None, unit=world.area, dataset_code="area-day",
                          period=f"2026-03-{day:02d}",
                          values={"t_patrols": 1, "t_found": 0, "t_fixed": 0, "t_note": "无"},
                          now=shanghai(2026, 3, day, hour, minute), scope=Scope.system())


def test_reports_before_4pm_count_as_on_time_and_later_or_missing_days_do_not(
        world: World, standards: object) -> None:
    _daily(world, 2, 15)          # on time
    _daily(world, 3, 15, 59)      # on time
    _daily(world, 4, 16, 30)      # late: after 16:00
    # 5 March: nothing at all.
    source = sources.source_for(ON_TIME_ELEMENT)
    assert source is not None and sources.source_for(DUE_ELEMENT) is source
    week = Period.parse("2026W10")  # 2–8 March
    due = source.values(DUE_ELEMENT, week, [world.area.pk])
    on_time = source.values(ON_TIME_ELEMENT, week, [world.area.pk])
    # Due from the first day the platform took daily reports (2 March) to the 8th.
    assert due == {world.area.pk: 7.0}
    assert on_time == {world.area.pk: 2.0}
    # The explanation lists each report with its verdict.
    labels = [r.label for r in source.records(ON_TIME_ELEMENT, week, world.area.pk)]
    assert labels == ["2026-03-04 日报（迟报）", "2026-03-03 日报（按时）", "2026-03-02 日报（按时）"]


def test_days_before_the_platform_took_daily_reports_and_after_closing_are_not_due(
        world: World, standards: object) -> None:
    _daily(world, 10, 9)
    source = sources.source_for(DUE_ELEMENT)
    assert source is not None
    march = Period.month(2026, 3)
    assert source.values(DUE_ELEMENT, march, [world.area.pk]) == {world.area.pk: 22.0}
    # A unit with no daily data set (the district) is not asked at all.
    assert world.district.pk not in source.values(DUE_ELEMENT, march, [world.district.pk])
    # Nothing is due in a year before anyone reported.
    assert source.values(DUE_ELEMENT, Period.year(2025), [world.area.pk]) == {world.area.pk: 0.0}


def test_the_due_and_on_time_counts_are_not_asked_in_report_forms(world: World,
                                                                  standards: object) -> None:
    from chuangjian.reporting.datasets import catalog

    codes = {e.code for ds in catalog().for_unit(world.area, 2026).values() for e in ds.elements}
    assert not codes & {DUE_ELEMENT, ON_TIME_ELEMENT}


def test_units_with_different_windows_count_only_the_reports_inside_their_own(
        world: World, standards: object) -> None:
    import datetime as dt

    from chuangjian.org.models import Unit

    def daily(unit: object, day: int, hour: int) -> None:
        actions.submit_values(actor=None, unit=unit, dataset_code="area-day",  # type: ignore[arg-type]
                              period=f"2026-03-{day:02d}",
                              values={"t_patrols": 1, "t_found": 0, "t_fixed": 0, "t_note": "无"},
                              now=shanghai(2026, 3, day, hour), scope=Scope.system())

    other = Unit.objects.get(code="T-02-A")
    for day in (2, 3, 4, 5, 6):
        daily(world.area, day, 15)
        daily(other, day, 15 if day != 3 else 17)  # late on the 3rd
    # 东湖第一管区 closes on 5 March: its days from the 5th are not its to report.
    for child in Unit.objects.filter(parent=other, closed_on__isnull=True):
        org_actions.close_unit(actor=None, scope=Scope.system(), unit=child, on=dt.date(2026, 3, 5))
    org_actions.close_unit(actor=None, scope=Scope.system(), unit=other, on=dt.date(2026, 3, 5))
    source = sources.source_for(ON_TIME_ELEMENT)
    assert source is not None
    week = Period.parse("2026W10")  # 2–8 March
    ids = [world.area.pk, other.pk]
    assert source.values(DUE_ELEMENT, week, ids) == {world.area.pk: 7.0, other.pk: 3.0}
    assert source.values(ON_TIME_ELEMENT, week, ids) == {world.area.pk: 5.0, other.pk: 2.0}


def test_both_counts_of_several_periods_come_from_one_read_of_the_units(
        world: World, standards: object) -> None:
    """``values_of``: the days due and the reports on time of a window read the units and
    the day daily reporting began once, and equal asking count by count, period by
    period (each period its own window: a unit's days are not carried to the next)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for day, hour in ((2, 15), (3, 17), (10, 9), (11, 15), (16, 15)):
        _daily(world, day, hour)
    source = sources.source_for(ON_TIME_ELEMENT)
    assert source is not None
    ids = [world.area.pk, world.street.pk, world.district.pk]
    periods = [Period.parse("2026W10"), Period.parse("2026W11"), Period.month(2026, 3),
               Period.year(2025), Period.parse("2026-03-03")]
    codes = [DUE_ELEMENT, ON_TIME_ELEMENT]
    one_by_one = {c: [source.values(c, p, ids) for p in periods] for c in codes}
    with CaptureQueriesContext(connection) as asked:
        together = source.values_of(codes, periods, ids)
    assert together == one_by_one
    assert together[ON_TIME_ELEMENT][1] == {world.area.pk: 2.0}  # W11: the 10th and 11th
    assert together[DUE_ELEMENT][0] == {world.area.pk: 7.0}
    units = [q for q in asked.captured_queries if 'FROM "org_unit"' in q["sql"]]
    assert len(units) == 1
