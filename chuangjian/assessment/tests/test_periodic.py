"""Per-period targets: 每天…不少于 1 次 is judged day by day, not on the year's total."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from chuangjian import sources
from chuangjian.assessment import actions
from chuangjian.assessment.items import items_of
from chuangjian.assessment.models import UnitResult
from chuangjian.assessment.periodic import summarize_failures, window
from chuangjian.assessment.wording import item_note
from chuangjian.engine.periods import Period, PeriodType
from chuangjian.engine.targets import AtLeastPerPeriod, TargetStatus
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.reporting import actions as reporting_actions
from chuangjian.reporting import datasets
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader

DAILY = """\
code: test_daily
name: 测试用每日督查标准
campaign: 创建文明城市
version: 1
years: {from: 2026, to: 2028}
applies_to:
  levels: [street]
  categories: [城镇, 农村]
plans: [篇10]
pass_mark: 60
elements:
  - {code: p_visits, name: 测试督查次数, type: integer, unit: 次, period: day, time_agg: sum, tree_agg: sum, min: 0}
  - {code: p_reported, name: 测试上报督查次数, type: integer, unit: 次, period: day, time_agg: sum, tree_agg: sum, min: 0}
datasets:
  - code: test_daily_report
    name: 测试督查日报
    period: day
    levels: [street]
    elements: [p_reported]
items:
  - code: main
    name: 督查整改
    contents:
      - code: supervision
        name: 督查
        indicators:
          - code: daily_supervision
            name: 每天对各部门、各社区的工作情况进行督查指导
            method: 数据
            expression: p_visits
            unit: 次
            target: {at_least: 1, per: day}
            score: {rule: all_or_nothing, max: 50}
            source: {plan: 篇10, quote: "每天对各部门、各社区的工作情况进行督查指导"}
          - code: daily_reported
            name: 每天上报督查
            method: 数据
            expression: p_reported
            unit: 次
            target: {at_least: 1, per: day}
            score: {rule: all_or_nothing, max: 50}
            source: {plan: 篇10, quote: "每天对各部门、各社区的工作情况进行督查指导"}
"""

VISIT_DAYS: set[dt.date] = set()


class _VisitSource(sources.Source):
    """Stands in for the inspection rounds: one visit on each day of VISIT_DAYS."""

    key = "test_visits"
    label = "测试督查"
    elements = {"p_visits": "测试督查次数"}

    def values(self, element_code: str, period: Period, unit_ids: list[int]  # type: ignore[override]
               ) -> dict[int, float]:
        days = sum(1 for d in VISIT_DAYS if period.start <= d <= period.end)
        return {int(u): float(days) for u in unit_ids[:1]}  # the street itself (first by path)


@pytest.fixture
def daily(world: World, tmp_path: Path) -> Iterator[World]:
    sources.register(_VisitSource)
    path = tmp_path / "daily.yaml"
    path.write_text(DAILY, encoding="utf-8")
    result = loader.load_paths([path])
    assert result.ok, [str(e) for e in result.errors]
    standards_actions.load_standards(actor=None, result=result, scope=Scope.system())
    datasets._catalog = None
    VISIT_DAYS.clear()
    yield world
    VISIT_DAYS.clear()
    datasets._catalog = None
    sources._SOURCES.pop("test_visits", None)
    sources._BY_ELEMENT.pop("p_visits", None)


def _item(world: World, today: dt.date, code: str) -> dict[str, object]:
    run = actions.start_run(actor=None, standard_code="test_daily", year=2026, today=today,
                            unit=world.street, scope=Scope.system())
    return items_of(UnitResult.objects.get(run=run, unit=world.street))[code]


def test_daily_supervision_is_not_met_by_nine_inspections_a_year(daily: World) -> None:
    # 城关街道's case: nine inspections spread over the year, once 达标 5/5.
    VISIT_DAYS.update(dt.date(2026, month, 10) for month in range(1, 10))
    item = _item(daily, dt.date(2027, 1, 5), "daily_supervision")
    assert item["v"] == 9
    assert item["s"] == TargetStatus.NOT_MET
    assert item["p"] == 0
    assert "365 天中 9 天做到每天不少于 1 次" in item_note(item)
    assert "未做到：1月1日至1月9日、1月11日至2月9日" in item_note(item)


def test_daily_supervision_is_met_when_every_day_of_the_window_has_one(daily: World) -> None:
    VISIT_DAYS.update(dt.date(2026, 1, 1) + dt.timedelta(days=k) for k in range(10))
    # On 6 January only 1–5 January are over; the year's remaining days cannot have failed yet.
    item = _item(daily, dt.date(2026, 1, 6), "daily_supervision")
    assert item["s"] == TargetStatus.MET and item["p"] == 50
    assert "5 天中 5 天做到" in item_note(item)


def test_reported_daily_counts_are_judged_day_by_day(daily: World) -> None:
    for day in (1, 2, 3, 5):
        reporting_actions.submit_values(
            actor=None, unit=daily.street, dataset_code="street-day",
            period=f"2026-01-0{day}", values={"p_reported": 2},
            now=dt.datetime(2026, 1, day, 1, tzinfo=dt.UTC), scope=Scope.system())
    item = _item(daily, dt.date(2026, 1, 6), "daily_reported")
    assert item["v"] == 8
    assert item["s"] == TargetStatus.NOT_MET
    assert "5 天中 4 天做到" in item_note(item) and "未做到：1月4日（共 1 天）" in item_note(item)


def test_the_window_holds_only_periods_over_by_the_as_of_date() -> None:
    assert [str(p) for p in window(2026, dt.date(2026, 1, 3), PeriodType.DAY)] == [
        "2026-01-01", "2026-01-02"]
    assert len(window(2026, dt.date(2026, 12, 31), PeriodType.DAY)) == 365
    assert [str(p) for p in window(2026, dt.date(2026, 7, 15), PeriodType.QUARTER)] == [
        "2026Q1", "2026Q2"]


def test_a_share_below_every_period_can_be_what_the_standard_asks() -> None:
    target = AtLeastPerPeriod(1, PeriodType.MONTH, share=75)
    counts = np.array([[1, 1, 0, 2], [0, 0, 1, 1]], dtype=float)
    assert target.share_of_periods(counts).tolist() == [75.0, 50.0]
    assert target.describe_zh() == "每月不少于 1 次（75% 以上的月做到）"
    periods = Period.year(2026).subperiods(PeriodType.MONTH)[:4]
    assert summarize_failures(target, periods, counts[1]) == (
        "4 个月中 2 个月做到每月不少于 1 次；未做到：1月至2月（共 2 个月）")
