"""Timeliness: the 16:00 list of units that have not reported today, per street and 管区."""

from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command

from chuangjian.engine.periods import Period
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.reporting import actions, selectors

from .conftest import shanghai

DAILY = {"t_patrols": 3, "t_found": 2, "t_fixed": 1, "t_note": "正常"}


def report(world: World, unit, at: dt.datetime) -> None:
    actions.submit_values(actor=world.street_leader, unit=unit, dataset_code=f"{unit.level}-day",
                          period="2026-03-16", values=DAILY, now=at, scope=Scope.for_user(world.street_leader))


def test_the_missing_list_counts_expected_submitted_on_time_late_and_missing(
        world: World, standards: object) -> None:
    report(world, world.community, shanghai(2026, 3, 16, 15, 59, 59))
    report(world, world.community2, shanghai(2026, 3, 16, 16, 0, 0))
    result = selectors.timeliness(scope=Scope.system(), period=Period.parse("2026-03-16"))
    # Expected: three 管区 and four communities/villages (departments report nothing).
    assert result.totals == {"expected": 7, "submitted": 2, "on_time": 1, "late": 1,
                             "missing": 5}
    chengdong = next(g for g in result.groups if g.area == world.area)
    assert chengdong.street == world.street
    assert [r.unit.code for r in chengdong.missing] == ["T-01-A"]


def test_a_street_leader_sees_only_their_own_street(world: World, standards: object) -> None:
    result = selectors.timeliness(scope=Scope.for_user(world.street_leader), period=Period.parse("2026-03-16"))
    assert {g.street for g in result.groups} == {world.street}
    outsider = selectors.timeliness(scope=Scope.for_user(world.outsider), period=Period.parse("2026-03-16"))
    assert [r.unit for g in outsider.groups for r in g.rows] == [world.other_community]


def test_reports_missing_prints_the_list_per_street_and_area(world: World,
                                                             standards: object) -> None:
    report(world, world.community, shanghai(2026, 3, 16, 15))
    out = io.StringIO()
    call_command("reports", "missing", "--date", "2026-03-16", "--unit", world.street.code,
                 stdout=out)
    text = out.getvalue()
    assert "应报 3，已报 1（按时 1，迟报 0），未报 2" in text
    assert "城关街道 · 城东管区：未报 2" in text
    assert "T-01-A-02  南门社区" in text and "T-01-A-01  幸福里社区" not in text
