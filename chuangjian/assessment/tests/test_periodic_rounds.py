"""Per-period targets judged on real inspection rounds (督查记录), not a stand-in source.

篇10 「每天对各部门、各社区的工作情况进行督查指导」 reads ``supervision_visits``: the
points the street's own rounds visited each day. A day without a visit is a day that
failed, however many visits other days had.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from chuangjian.assessment import actions
from chuangjian.assessment.items import items_of
from chuangjian.assessment.models import UnitResult
from chuangjian.assessment.wording import item_note
from chuangjian.engine.targets import TargetStatus
from chuangjian.inspections.actions import points as point_actions
from chuangjian.inspections.actions import rounds as round_actions
from chuangjian.inspections.models import RoundKind
from chuangjian.inspections.taxonomy import default_standard
from chuangjian.inspections.tests.conftest import _builtin, shanghai
from chuangjian.org import actions as org_actions
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader

WEEKLY = """\
code: test_weekly_rounds
name: 测试用每周督查标准
campaign: 创建文明城市
version: 1
years: {from: 2026, to: 2028}
applies_to:
  levels: [street]
  categories: [城镇, 农村]
plans: [篇10]
pass_mark: 60
items:
  - code: main
    name: 督查整改
    contents:
      - code: supervision
        name: 督查
        indicators:
          - code: weekly_supervision
            name: 每周督查（四周中至少三周）
            method: 数据
            expression: supervision_visits
            unit: 次
            target: {at_least: 2, per: week, share: 75}
            score: {rule: all_or_nothing, max: 100}
            source: {plan: 篇10, quote: "每天对各部门、各社区的工作情况进行督查指导"}
"""


@pytest.fixture
def builtin(world: World) -> World:
    standards_actions.load_standards(actor=None, result=_builtin(), scope=Scope.system())
    for i in range(3):
        point_actions.save_point(actor=None, scope=Scope.system(), unit=world.community,
                                 name=f"幸福里市场{i}", type="market", address=f"幸福路{i}号",
                                 responsible_unit=world.department, contact_name="王强",
                                 contact_phone="13800001111")
    return world


def _visit(world: World, day: dt.date, points: int = 1, by: Unit | None = None) -> None:
    """A one-day round of 城关街道 (or ``by``) over 城东管区 (or its own area) that visits
    ``points`` points that day."""
    scope = Scope.for_user(world.inspector) if by is None else Scope.system()
    organiser = by or world.street
    round_ = round_actions.create_round(
        actor=world.inspector, scope=scope, unit=organiser,
        scope_unit=world.area if by is None else by,
        kind=RoundKind.DAILY, title=f"日常督查{day:%m%d}", starts_on=day, ends_on=day,
        standard=default_standard(), quotas={"market": points}, seed=1)
    for k, rp in enumerate(round_.points.all()):
        items = list(round_.checklist.values_list("pk", flat=True)[:3])
        round_actions.record_visit(actor=world.inspector, scope=scope, round_point=rp,
                                   results=dict.fromkeys(items, "pass"),
                                   now=shanghai(day.year, day.month, day.day, 9 + k))


def _item(world: World, standard: str, code: str, today: dt.date) -> dict[str, object]:
    run = actions.start_run(actor=None, standard_code=standard, year=2026, today=today,
                            unit=world.street, scope=Scope.system())
    return items_of(UnitResult.objects.get(run=run, unit=world.street))[code]


def test_daily_supervision_with_a_day_without_a_round_is_not_met(builtin: World) -> None:
    for day in (1, 2, 3, 5):
        _visit(builtin, dt.date(2026, 1, day), points=1 if day != 2 else 3)
    item = _item(builtin, "chuangcheng", "daily_supervision", dt.date(2026, 1, 6))
    # Six visits in five days, but 4 January had none.
    assert item["v"] == 6
    assert item["s"] == TargetStatus.NOT_MET
    assert "5 天中 4 天做到每天不少于 1 次" in item_note(item)
    assert "未做到：1月4日（共 1 天）" in item_note(item)


def test_daily_supervision_is_met_when_every_day_had_a_round(builtin: World) -> None:
    for day in range(1, 6):
        _visit(builtin, dt.date(2026, 1, day))
    item = _item(builtin, "chuangcheng", "daily_supervision", dt.date(2026, 1, 6))
    assert item["s"] == TargetStatus.MET
    assert "5 天中 5 天做到" in item_note(item)


def test_a_share_of_weeks_is_met_by_rounds_in_three_weeks_of_four(
        builtin: World, tmp_path: Path) -> None:
    path = tmp_path / "weekly.yaml"
    path.write_text(WEEKLY, encoding="utf-8")
    result = loader.load_paths([path])
    assert result.ok, [str(e) for e in result.errors]
    standards_actions.load_standards(actor=None, result=result, scope=Scope.system())
    # ISO weeks 2–5 of 2026 start on 5, 12, 19 and 26 January; as of 2 February they
    # and week 1 (29 December – 4 January, whose Thursday is in 2026) are over.
    _visit(builtin, dt.date(2026, 1, 6), points=2)   # week 2: 2 visits
    _visit(builtin, dt.date(2026, 1, 13), points=3)  # week 3: 3 visits
    _visit(builtin, dt.date(2026, 1, 20), points=1)  # week 4: 1 visit, short of 2
    _visit(builtin, dt.date(2026, 1, 27), points=2)  # week 5: 2 visits
    item = _item(builtin, "test_weekly_rounds", "weekly_supervision", dt.date(2026, 2, 2))
    # Weeks 2, 3 and 5 made it; week 1 had no round and week 4 one visit: 3 of 5 (60%)
    # is below the 75% the standard asks.
    assert item["v"] == 8
    assert item["s"] == TargetStatus.NOT_MET
    assert "5 周中 3 周做到每周不少于 2 次" in item_note(item)
    _visit(builtin, dt.date(2026, 1, 21), points=1)  # week 4 now has 2
    item = _item(builtin, "test_weekly_rounds", "weekly_supervision", dt.date(2026, 2, 2))
    # 4 of 5 weeks (80%): met, though week 1 is still listed as failed.
    assert item["s"] == TargetStatus.MET
    assert "5 周中 4 周做到" in item_note(item) and "未做到：2026年第1周" in item_note(item)


def test_days_before_a_move_count_for_the_street_the_organiser_stood_under(
        builtin: World) -> None:
    # 幸福里社区 runs its own rounds on 1–3 January, under 城关街道; it moves to 东湖街道
    # on 1 February. Its January days stay with 城关街道.
    for day in (1, 2, 3):
        _visit(builtin, dt.date(2026, 1, day), by=builtin.community)
    org_actions.move_unit(actor=None, unit=builtin.community,
                          new_parent=Unit.objects.get(code="T-02-A"),
                          effective=dt.date(2026, 2, 1), scope=Scope.system())
    run = actions.start_run(actor=None, standard_code="chuangcheng", year=2026,
                            today=dt.date(2026, 3, 1), unit=builtin.district,
                            scope=Scope.system())
    notes = {r.unit.code: item_note(items_of(r)["daily_supervision"])
             for r in UnitResult.objects.filter(run=run, unit__code__in=["T-01", "T-02"])
             .select_related("unit")}
    assert "59 天中 3 天做到" in notes["T-01"]
    assert "59 天中 0 天做到" in notes["T-02"]


def test_a_window_of_visits_in_one_query_equals_asking_day_by_day(builtin: World) -> None:
    """The daily target asks the inspections source for the year's days at once, as
    columns (``figures_by_period``): the same figures as one ``values`` call per day,
    recurrences likewise, and as the dictionaries of ``values_by_period``."""
    from chuangjian import sources as registry
    from chuangjian.engine.periods import Period, PeriodType

    for day, points in ((1, 1), (2, 3), (5, 2)):
        _visit(builtin, dt.date(2026, 1, day), points=points)
    _visit(builtin, dt.date(2026, 1, 3), by=builtin.community)
    source = registry.source_for("supervision_visits")
    assert source is not None
    ids = [builtin.street.pk, builtin.community.pk, builtin.area.pk]
    days = [Period.containing(PeriodType.DAY, dt.date(2025, 12, 31) + dt.timedelta(days=d))
            for d in range(8)]
    weeks = [Period.containing(PeriodType.WEEK, dt.date(2026, 1, 1) + dt.timedelta(days=7 * w))
             for w in range(-1, 3)]
    for code in ("supervision_visits", "problems_recurred"):
        for periods in (days, weeks):
            one_by_one = [source.values(code, p, ids) for p in periods]
            assert source.values_by_period(code, periods, ids) == one_by_one, (code, periods)
            columns = source.figures_by_period(code, periods, ids)
            assert columns.zero_elsewhere
            assert columns.as_dicts(len(periods), ids) == one_by_one, (code, periods)
    visits = source.figures_by_period("supervision_visits", days, ids)
    assert sorted(zip(visits.unit.tolist(), visits.period.tolist(), visits.value.tolist(),
                      strict=True)) == [(builtin.street.pk, 1, 1.0), (builtin.street.pk, 2, 3.0),
                                        (builtin.street.pk, 5, 2.0),
                                        (builtin.community.pk, 3, 1.0)]
    found = source.values_by_period("supervision_visits", days, ids)
    assert [d[builtin.street.pk] for d in found] == [0, 1, 3, 0, 0, 2, 0, 0]
    assert [d[builtin.community.pk] for d in found] == [0, 0, 0, 1, 0, 0, 0, 0]
