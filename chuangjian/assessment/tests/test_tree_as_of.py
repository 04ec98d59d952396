"""The tree as it was: a past period's data is added up over the tree valid in that period."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chuangjian.assessment import actions
from chuangjian.assessment.compute import moved_paths, trees_shared, unit_inputs
from chuangjian.assessment.items import items_of
from chuangjian.assessment.models import UnitResult
from chuangjian.assessment.spec import spec_for
from chuangjian.assessment.tests.conftest import report_quarter
from chuangjian.org import actions as org_actions
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader
from chuangjian.standards.models import StandardVersion

TODAY = dt.date(2027, 1, 10)


def _rates(world: World) -> dict[str, float | None]:
    run = actions.start_run(actor=None, standard_code="test_tree_as_of", year=2026,
                            today=TODAY, unit=world.district, scope=Scope.system())
    rows = UnitResult.objects.filter(run=run).select_related("unit")
    return {r.unit.code: items_of(r)["tq_rate"]["v"] for r in rows}


def test_a_past_year_is_added_up_over_the_tree_valid_in_each_period(
        world: World, quarterly: StandardVersion) -> None:
    # 幸福里社区 completes everything in Q1–Q3 and nothing in Q4; 南门社区 half throughout.
    for q in (1, 2, 3, 4):
        report_quarter(world.community, q, 10 if q < 4 else 0, 10)
        report_quarter(world.community2, q, 5, 10)
    before = _rates(world)
    assert before["T-01"] == pytest.approx(100 * 50 / 80)
    # 幸福里社区 moves to 东湖街道 on 1 December 2026.
    org_actions.move_unit(actor=None, unit=world.community,
                          new_parent=Unit.objects.get(code="T-02-A"),
                          effective=dt.date(2026, 12, 1), scope=Scope.system())
    after = _rates(world)
    # Q1–Q3 stay with 城关街道 (30 + 15 of 60), Q4 goes with the tree at its end (5 of 10).
    assert after["T-01"] == pytest.approx(100 * 50 / 70)
    # 东湖街道 gets only 幸福里社区's Q4 (0 of 10), not its whole year.
    assert after["T-02"] == pytest.approx(0)
    # The community itself keeps its whole year wherever it stands.
    assert after["T-01-A-01"] == pytest.approx(75)
    assert after["T-01-A-02"] == pytest.approx(50)


def test_the_refresh_of_one_unit_agrees_with_the_full_run_after_a_move(
        world: World, quarterly: StandardVersion) -> None:
    for q in (1, 2, 3, 4):
        report_quarter(world.community, q, 10 if q < 4 else 0, 10)
        report_quarter(world.community2, q, 5, 10)
    org_actions.move_unit(actor=None, unit=world.community,
                          new_parent=Unit.objects.get(code="T-02-A"),
                          effective=dt.date(2026, 12, 1), scope=Scope.system())
    spec = spec_for(quarterly)
    street = unit_inputs(spec, Unit.objects.get(code="T-01"), 2026, ["tq_done", "tq_due"], 0)
    other = unit_inputs(spec, Unit.objects.get(code="T-02"), 2026, ["tq_done", "tq_due"], 0)
    assert street.value("tq_done", 0).value[0] == 50
    assert street.value("tq_due", 0).value[0] == 70
    assert other.value("tq_done", 0).value[0] == 0
    assert other.value("tq_due", 0).value[0] == 10


def test_the_moves_read_once_for_a_batch_of_work_are_those_read_each_time(
        world: World) -> None:
    w = world
    org_actions.move_unit(actor=None, unit=w.community, new_parent=Unit.objects.get(code="T-02-A"),
                          effective=dt.date(2026, 12, 1), scope=Scope.system())
    cases = [(roots, since) for roots in ([w.street], [w.other_street], [w.rural_town],
                                          [w.street, w.rural_town], w.district)
             for since in (dt.date(2025, 1, 1), dt.date(2026, 11, 30), dt.date(2026, 12, 1))]
    alone = [moved_paths(roots, since) for roots, since in cases]
    with CaptureQueriesContext(connection) as queries, trees_shared():
        shared = [moved_paths(roots, since) for roots, since in cases]
    assert shared == alone and len(queries) == 1
    # 幸福里 moved out of 城关街道 on 1 December: seen from before it, not from that day
    # on, and never under 白石镇.
    assert alone[0] and not alone[2] and not alone[6]


def test_a_move_after_the_year_leaves_the_whole_year_with_the_old_street(
        world: World, quarterly: StandardVersion) -> None:
    for q in (1, 2, 3, 4):
        report_quarter(world.community, q, 10, 10)
    org_actions.move_unit(actor=None, unit=world.community,
                          new_parent=Unit.objects.get(code="T-02-A"),
                          effective=dt.date(2027, 1, 5), scope=Scope.system())
    rates = _rates(world)
    assert rates["T-01"] == pytest.approx(100)
    assert rates["T-02"] is None


SOURCED_YAML = Path(__file__).with_name("tree_as_of_sourced_standard.yaml")


@pytest.fixture
def sourced(world: World) -> StandardVersion:
    from chuangjian.inspections.tests.conftest import _builtin

    standards_actions.load_standards(actor=None, result=_builtin(), scope=Scope.system())
    result = loader.load_paths([SOURCED_YAML])
    assert result.ok, result.errors
    standards_actions.load_standards(actor=None, result=result, scope=Scope.system())
    return StandardVersion.objects.get(code="test_tree_as_of_sourced")


def _find(world: World, day: dt.date, n: int) -> None:
    from chuangjian.inspections.actions.findings import create_finding
    from chuangjian.inspections.tests.conftest import category, photo, shanghai

    unit = Unit.objects.get(pk=world.community.pk)
    for i in range(n):
        create_finding(actor=world.inspector, scope=Scope.system(), unit=unit,
                       description=f"占道经营{day:%m%d}-{i}", severity="一般",
                       category=category("disorderly_parking"), deduction="1",
                       photos=[photo(color=(day.month * 20, i * 30, 10))],
                       now=shanghai(day.year, day.month, day.day, 10 + i), dispatch=True)


def test_problems_found_by_inspections_stay_with_the_street_the_community_stood_under(
        world: World, sourced: StandardVersion) -> None:
    # 幸福里社区: two problems found in March under 城关街道, one in September after it
    # moved to 东湖街道 on 1 July.
    _find(world, dt.date(2026, 3, 10), 2)
    org_actions.move_unit(actor=None, unit=world.community,
                          new_parent=Unit.objects.get(code="T-02-A"),
                          effective=dt.date(2026, 7, 1), scope=Scope.system())
    _find(world, dt.date(2026, 9, 15), 1)
    run = actions.start_run(actor=None, standard_code="test_tree_as_of_sourced", year=2026,
                            today=TODAY, unit=world.district, scope=Scope.system())
    found = {r.unit.code: items_of(r)["tp_found"]["v"]
             for r in UnitResult.objects.filter(run=run).select_related("unit")}
    assert found["T-01"] == 2
    assert found["T-02"] == 1
    assert found["T-01-A-01"] == 3
    # The refresh of one unit reads the same.
    spec = spec_for(sourced)
    for code, want in (("T-01", 2), ("T-02", 1), ("T-02-A", 1), ("T-01-A", 2)):
        got = unit_inputs(spec, Unit.objects.get(code=code), 2026, ["problems_found"], 0)
        assert got.value("problems_found", 0).get() == want, code
