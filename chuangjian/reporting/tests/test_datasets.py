"""Merged data sets: one form per unit and period, computed from the standards."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command

from chuangjian.engine.periods import Period
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.reporting.datasets import catalog

from .conftest import shanghai


def test_a_community_gets_one_daily_and_one_monthly_form_from_two_standards(
        world: World, standards: object) -> None:
    sets = catalog().for_unit(world.community, 2026)
    assert list(sets) == ["community-day", "community-month", "community-quarter"]
    monthly = sets["community-month"]
    codes = [e.code for e in monthly.elements]
    # 居民户数 is asked by both standards and entered once.
    assert codes.count("t_households") == 1
    assert set(codes) == {"t_households", "t_satisfaction", "t_disputes", "t_mediated"}
    assert len(monthly.sources) == 2


def test_the_merged_deadline_is_the_earliest_and_it_locks_if_any_contributor_locks(
        world: World, standards: object) -> None:
    monthly = catalog().for_unit(world.community, 2026)["community-month"]
    assert (monthly.day_offset, monthly.due_time) == (3, dt.time(12, 0))
    assert monthly.lock_after_deadline
    assert monthly.deadline_for(Period.month(2026, 2)) == shanghai(2026, 3, 3, 12, 0)


def test_a_rural_village_does_not_get_the_urban_only_standard(world: World,
                                                               standards: object) -> None:
    monthly = catalog().for_unit(world.village, 2026)["community-month"]
    assert {e.code for e in monthly.elements} == {"t_households", "t_satisfaction"}
    assert not monthly.lock_after_deadline


def test_a_dataset_restricted_to_communities_is_not_asked_of_an_area(
        world: World, standards: object) -> None:
    assert list(catalog().for_unit(world.area, 2026)) == ["area-day", "area-month"]
    assert catalog().for_unit(world.street, 2026) == {}


def test_cross_element_rules_come_from_the_standards(world: World, standards: object) -> None:
    daily = catalog().for_unit(world.community, 2026)["community-day"]
    assert [r.message for r in daily.rules] == ["整改问题数不能多于发现问题数"]
    assert daily.rules[0].fails({"t_fixed": 3, "t_found": 2})
    assert not daily.rules[0].fails({"t_fixed": 2, "t_found": 2})
    assert not daily.rules[0].fails({"t_fixed": 3, "t_found": None})


def test_the_catalog_notices_a_newly_loaded_standard(world: World, standards: object,
                                                     tmp_path: object) -> None:
    first = catalog()
    assert catalog() is first


def test_reports_datasets_lists_code_period_and_deadline(world: World, standards: object,
                                                         capsys: object) -> None:
    call_command("reports", "datasets", "--year", "2026")
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "community-day" in out and "当日 16:00 前" in out
    assert "community-month" in out and "次月 3 日 12:00 前" in out
    assert "area-day" in out


def test_a_dataset_may_name_levels_the_standard_itself_does_not_apply_to(
        world: World, db: None) -> None:
    # The built-in 创城 standard applies to communities, but its daily report is the 管区's.
    from chuangjian.standards import actions as standards_actions
    from chuangjian.standards import loader

    standards_actions.load_standards(actor=None, result=loader.load_builtin(), scope=Scope.system())
    daily = catalog().for_unit(world.area, 2026)["area-day"]
    assert (daily.due_time, daily.day_offset, daily.lock_after_deadline) == (dt.time(16), 0, True)
    assert "community-day" not in catalog().for_unit(world.community, 2026)
