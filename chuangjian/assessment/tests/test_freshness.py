"""A submission changes the results at once, exactly as a full recomputation would."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from chuangjian.assessment import actions, selectors
from chuangjian.assessment.models import UnitResult
from chuangjian.assessment.tests.conftest import Small
from chuangjian.org.scope import Scope

TODAY = dt.date(2027, 1, 5)


def _items(run_pk: int) -> dict[int, tuple[object, ...]]:
    out: dict[int, tuple[object, ...]] = {}
    for r in UnitResult.objects.filter(run_id=run_pk):
        items = {code: (round(d["v"], 6) if d["v"] is not None else None, d["m"], d["s"],
                        round(d["p"], 6) if d["p"] is not None else None)
                 for code, d in r.items.items()}
        out[r.unit_id] = (r.total if r.total is None else round(r.total, 6), r.passed, r.vetoed,
                          r.tier, r.rank, tuple(sorted(items.items())))
    return out


def test_a_submission_changes_the_scorecard_figure_immediately(small: Small) -> None:
    w = small.world
    small.report(w.community, t_done=30, t_total=50, t_events=2)
    actions.start_run(actor=None, standard_code="test_small", year=2026, today=TODAY, scope=Scope.system())
    card = selectors.scorecard(scope=Scope.system(), unit=w.community, standard_code="test_small",
                               year=2026)
    assert card is not None
    rate = next(r for r in card.rows if r.code == "done_rate")
    assert rate.value == 60
    small.report(w.community, t_done=50, t_total=50, t_events=2)
    card = selectors.scorecard(scope=Scope.system(), unit=w.community, standard_code="test_small",
                               year=2026)
    assert card is not None
    rate = next(r for r in card.rows if r.code == "done_rate")
    assert rate.value == 100 and rate.score == 30
    street = selectors.scorecard(scope=Scope.system(), unit=w.street, standard_code="test_small",
                                 year=2026)
    # The ancestor followed: 幸福里 now meets its target, 南门 (no data) does not.
    assert street is not None and street.rows[0].value == 50


def test_a_reviewer_score_changes_the_total_immediately(small: Small) -> None:
    w = small.world
    small.report(w.community, t_done=50, t_total=50, t_events=2)
    actions.start_run(actor=None, standard_code="test_small", year=2026, today=TODAY, scope=Scope.system())
    before = selectors.scorecard(scope=Scope.system(), unit=w.community, standard_code="test_small",
                                 year=2026)
    actions.set_reviewer_score(actor=None, standard_code="test_small", year=2026, kind="review",
                               unit=w.community, indicator_code="rules_review", score=30, scope=Scope.system())
    after = selectors.scorecard(scope=Scope.system(), unit=w.community, standard_code="test_small",
                                year=2026)
    assert before is not None and after is not None
    assert after.total == pytest.approx((before.total or 0) + 30)


def test_incremental_updates_equal_a_full_recomputation(small: Small) -> None:
    w = small.world
    units = [w.community, w.community2, w.village, w.other_community]
    rng = random.Random(20261129)
    for unit in units[:2]:
        small.report(unit, t_done=10, t_total=20)
    run = actions.start_run(actor=None, standard_code="test_small", year=2026, today=TODAY, scope=Scope.system())
    for _step in range(12):
        unit = rng.choice(units)
        total = rng.randint(0, 120)
        small.report(unit, t_done=rng.randint(0, total), t_total=total,
                     t_events=rng.randint(0, 5), t_problems=rng.randint(0, 4),
                     t_fires=rng.choice([0, 0, 0, 1]), t_bonus=rng.randint(0, 2))
    incremental = _items(run.pk)
    fresh = actions.start_run(actor=None, standard_code="test_small", year=2026, today=TODAY, scope=Scope.system())
    assert _items(fresh.pk) == incremental


def test_a_published_run_no_longer_changes(small: Small) -> None:
    w = small.world
    small.report(w.community, t_done=30, t_total=50)
    run = actions.start_run(actor=None, standard_code="test_small", year=2026, today=TODAY, scope=Scope.system())
    actions.publish_run(actor=None, run=run, scope=Scope.system())
    before = _items(run.pk)
    small.report(w.community, t_done=50, t_total=50)
    assert _items(run.pk) == before
