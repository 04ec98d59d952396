"""The refresh reads and scores many runs at once (``runner.compute_many``): the rows it
makes are the rows ``compute_units`` makes run by run and unit by unit — with children's
shares, classes, a unit moved in the year, and targets judged day by day."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chuangjian.assessment import actions
from chuangjian.assessment.items import Items, items_of
from chuangjian.assessment.models import AssessmentRun
from chuangjian.assessment.runner import compute_many, compute_units
from chuangjian.assessment.spec import spec_for
from chuangjian.assessment.tests.conftest import Small, report_quarter
from chuangjian.assessment.wording import item_note
from chuangjian.org import actions as org_actions
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.reporting import actions as reporting_actions
from chuangjian.reporting import datasets
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader

TODAY = dt.date(2027, 1, 5)
FIELDS = ("sheet", "total", "base_total", "base_max", "bonus", "passed", "vetoed", "veto_items",
          "tier", "explanation", "reasons", "at_risk", "items")


def _one_by_one(runs: list[AssessmentRun], changed: list[Unit]) -> dict[int, dict[int, Any]]:
    out = {}
    for run in runs:
        rows = compute_units(run, spec_for(run.standard), changed)
        out[run.pk] = {r.unit_id: {f: getattr(r, f) for f in FIELDS} for r in rows}
    return out


def _together(runs: list[AssessmentRun], changed: list[Unit]) -> dict[int, dict[int, Any]]:
    got = compute_many(spec_for(runs[0].standard), runs, changed)
    return {run_pk: {r.unit_id: {f: getattr(r, f) for f in FIELDS} for r in rows}
            for run_pk, rows in got.items()}


def _runs(code: str, roots: list[Unit], today: dt.date = TODAY) -> list[AssessmentRun]:
    return [actions.start_run(actor=None, standard_code=code, year=2026, today=today, unit=root,
                              scope=Scope.system()) for root in roots]


def _random_reports(small: Small, units: list[Unit], rng: random.Random) -> None:
    for unit in units:
        total = rng.randint(0, 120)
        small.report(unit, t_done=rng.randint(0, total), t_total=total,
                     t_events=rng.randint(0, 5), t_problems=rng.randint(0, 4),
                     t_fires=rng.choice([0, 0, 0, 1]), t_bonus=rng.randint(0, 2))


def test_runs_of_two_roots_are_recomputed_as_each_alone(small: Small) -> None:
    w = small.world
    everyone = [w.community, w.community2, w.village, w.other_community]
    rng = random.Random(20261203)
    _random_reports(small, everyone, rng)
    small.report(w.community, t_done=0, t_total=100)
    runs = _runs("test_small", [w.district, w.street])
    before = _together(runs, [w.community])
    # 幸福里 now meets its completion target: its ancestors' shares of children move.
    small.report(w.community, t_done=100, t_total=100)
    _random_reports(small, [w.other_community], rng)
    changed = [Unit.objects.get(pk=w.community.pk), Unit.objects.get(pk=w.other_community.pk)]
    expected = _one_by_one(runs, changed)
    got = _together(runs, changed)
    assert got == expected
    # The district's run recomputes both communities and every ancestor it assesses; the
    # street's run only what lies under 城关街道.
    assert set(got[runs[0].pk]) >= {w.community.pk, w.other_community.pk, w.street.pk}
    assert w.other_community.pk not in got[runs[1].pk]
    # The street's share of children reads the communities' new verdicts.
    spec = spec_for(runs[0].standard)
    share = Items(got[runs[0].pk][w.street.pk]["items"], spec)["pass_share"]["v"]
    was = Items(before[runs[0].pk][w.street.pk]["items"], spec)["pass_share"]["v"]
    assert share is not None and share > was


def test_a_unit_moved_during_the_year_is_recomputed_as_each_alone(
        world: World, quarterly: object) -> None:
    for q in (1, 2, 3, 4):
        report_quarter(world.community, q, 10 if q < 4 else 0, 10)
        report_quarter(world.community2, q, 5, 10)
    # 幸福里社区 moves to 东湖街道 on 1 December: its Q1–Q3 stay with 城关街道.
    org_actions.move_unit(actor=None, unit=world.community,
                          new_parent=Unit.objects.get(code="T-02-A"),
                          effective=dt.date(2026, 12, 1), scope=Scope.system())
    runs = _runs("test_tree_as_of", [world.district], today=dt.date(2027, 1, 10))
    report_quarter(world.community2, 4, 10, 10)
    changed = list(Unit.objects.filter(pk__in=[world.community.pk, world.community2.pk]))
    got = _together(runs, changed)
    assert got == _one_by_one(runs, changed)
    street = Items(got[runs[0].pk][world.street.pk]["items"],
                          spec_for(runs[0].standard))["tq_rate"]["v"]
    assert street == pytest.approx(100 * 55 / 70)  # Q1–Q3 of both, Q4 of 南门 alone


def test_nothing_to_recompute_is_nothing(small: Small) -> None:
    runs = _runs("test_small", [small.world.district])
    assert compute_many(spec_for(runs[0].standard), runs, []) == {}


def test_runs_that_read_different_figures_are_refused(small: Small) -> None:
    w = small.world
    late = _runs("test_small", [w.street], today=dt.date(2026, 12, 1))
    runs = [*_runs("test_small", [w.district]), *late]
    with pytest.raises(ValueError, match="differ"):
        compute_many(spec_for(runs[0].standard), runs, [w.community])


DAILY = Path(__file__).with_name("daily_reported_standard.yaml")


@pytest.fixture
def daily(world: World) -> Iterator[World]:
    result = loader.load_paths([DAILY])
    assert result.ok, [str(e) for e in result.errors]
    standards_actions.load_standards(actor=None, result=result, scope=Scope.system())
    datasets._catalog = None
    yield world
    datasets._catalog = None


def test_targets_judged_day_by_day_are_recomputed_as_each_alone(daily: World) -> None:
    w = daily
    for street, days in ((w.street, (1, 2, 3, 5)), (w.other_street, (2, 4))):
        for day in days:
            reporting_actions.submit_values(
                actor=None, unit=street, dataset_code="street-day", period=f"2026-01-0{day}",
                values={"d_reported": 2}, now=dt.datetime(2026, 1, day, 1, tzinfo=dt.UTC),
                scope=Scope.system())
    runs = _runs("test_daily_reported", [w.district, w.other_street], today=dt.date(2026, 1, 7))
    changed = list(Unit.objects.filter(pk__in=[w.street.pk, w.other_street.pk]))
    got = _together(runs, changed)
    assert got == _one_by_one(runs, changed)
    item = Items(got[runs[0].pk][w.street.pk]["items"],
                        spec_for(runs[0].standard))["daily_reported"]
    assert "6 天中 4 天做到" in item_note(item)


def test_the_rows_written_read_back_as_computed(small: Small) -> None:
    from chuangjian.assessment.models import UnitResult
    from chuangjian.assessment.runner import write_units

    w = small.world
    small.report(w.community, t_done=10, t_total=100, t_fires=1)
    runs = _runs("test_small", [w.district])
    stamped = dict(UnitResult.objects.filter(run=runs[0]).values_list("unit_id", "updated_at"))
    small.report(w.community, t_done=100, t_total=100, t_bonus=2)
    rows = compute_many(spec_for(runs[0].standard), runs, [w.community])[runs[0].pk]
    assert write_units(runs[0], rows) == len(rows) == 2  # 幸福里 and 城关街道
    for row in rows:
        stored = UnitResult.objects.get(pk=row.pk)
        assert {f: getattr(stored, f) for f in FIELDS} == {f: getattr(row, f) for f in FIELDS}
        assert stored.updated_at > stamped[row.unit_id]
    community = UnitResult.objects.get(run=runs[0], unit=w.community)
    assert items_of(community)["done_rate"]["v"] == 100 and not community.vetoed
