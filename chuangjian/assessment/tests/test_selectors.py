"""The read API: scoped, and a fixed number of queries whatever the size."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import Http404

from chuangjian.assessment import actions, selectors
from chuangjian.assessment.tests.conftest import Small
from chuangjian.org.scope import Scope

TODAY = dt.date(2026, 6, 30)


@pytest.fixture
def assessed(small: Small) -> Small:
    w = small.world
    small.report(w.community, t_done=45, t_total=50, t_events=1, t_bonus=1)
    small.report(w.community2, t_done=10, t_total=50, t_fires=1)
    small.report(w.village, t_done=41, t_total=50)
    for kind in ("self", "review"):
        actions.start_run(actor=None, standard_code="test_small", year=2026, kind=kind,
                          today=TODAY, scope=Scope.system())
    return small


def test_the_scorecard_lists_every_indicator_with_its_verdict(assessed: Small,
                                                              django_assert_max_num_queries: Any
                                                              ) -> None:
    w = assessed.world
    with django_assert_max_num_queries(5):
        card = selectors.scorecard(scope=Scope.system(), unit=w.community, standard_code="test_small",
                                   year=2026)
    assert card is not None
    assert [r.code for r in card.rows] == ["done_rate", "events", "problems", "rules_review",
                                           "no_fire", "extra"]
    rate = card.rows[0]
    assert rate.display == "90%" and rate.light == "green" and rate.target_text.endswith("≥ 90%")
    assert card.items[0][0] == "基本项目"


def test_summed_elements_are_projected_to_the_year_end(assessed: Small) -> None:
    w = assessed.world
    card = selectors.scorecard(scope=Scope.system(), unit=w.community, standard_code="test_small",
                               year=2026)
    assert card is not None
    # Yearly elements have no elapsed periods to scale by: judged on the year's data so far.
    assert next(r for r in card.rows if r.code == "done_rate").risk is False
    weak = selectors.scorecard(scope=Scope.system(), unit=w.community2, standard_code="test_small",
                               year=2026)
    assert weak is not None
    rate = next(r for r in weak.rows if r.code == "done_rate")
    assert rate.risk and rate.projected == 20 and "无可推算" in rate.projection_method
    # The warning page of the 管区 lists its communities' (as its league ranks them).
    risks = selectors.at_risk(scope=Scope.system(), root=w.area, standard_code="test_small",
                              year=2026)
    assert any(r.unit == w.community2 and r.code == "done_rate" for r in risks)


def test_league_heatmap_and_pass_rate_use_few_queries(assessed: Small,
                                                      django_assert_max_num_queries: Any) -> None:
    w = assessed.world
    scope = Scope.system()
    with django_assert_max_num_queries(4):
        rows = selectors.league(scope=scope, parent=w.area, standard_code="test_small", year=2026)
    assert [r.unit for r in rows] == [w.community, w.community2]
    assert rows[0].rank == 1
    with django_assert_max_num_queries(3):
        heat = selectors.heatmap(scope=scope, parent=w.area, standard_code="test_small", year=2026)
    assert heat.cells[(w.community.pk, "done_rate")].display == "90%"
    with django_assert_max_num_queries(4):
        rate = selectors.child_pass_rate(scope=scope, unit=w.street, standard_code="test_small",
                                         year=2026)
    assert rate.children == 2 and rate.target == 50
    with django_assert_max_num_queries(3):
        selectors.at_risk(scope=scope, root=w.district, standard_code="test_small", year=2026)
    with django_assert_max_num_queries(2):
        points = selectors.trend(scope=scope, unit=w.community, indicator_code="done_rate",
                                 standard_code="test_small", years=[2025, 2026])
    assert [p.value for p in points] == [None, 90]
    with django_assert_max_num_queries(15):
        cmp = selectors.compare_kinds(scope=scope, unit=w.community, standard_code="test_small",
                                      year=2026)
    assert [c[0] for c in cmp.columns] == ["self", "review", "spot"]
    assert cmp.columns[2][3] is None


def test_query_counts_do_not_grow_with_the_number_of_units(assessed: Small,
                                                           django_assert_max_num_queries: Any
                                                           ) -> None:
    w = assessed.world
    with django_assert_max_num_queries(4):
        rows = selectors.league(scope=Scope.system(), parent=w.district, standard_code="test_small",
                                year=2026)
    assert len(rows) == 3  # the streets under the district, each with its own sheet


def test_an_outsider_sees_only_its_own_unit_of_a_district_run(assessed: Small) -> None:
    w = assessed.world
    outsider = Scope.for_user(w.outsider)
    run = selectors.runs(scope=outsider).first()
    assert run is not None  # the district's run covers the outsider's community
    assert [r.unit for r in selectors.run_rows(scope=outsider, run=run)] == [w.other_community]
    with pytest.raises(Http404):
        selectors.scorecard(scope=outsider, unit=w.community, standard_code="test_small", year=2026)
    with pytest.raises(Http404):
        selectors.league(scope=outsider, parent=w.area, standard_code="test_small", year=2026)
    street_run = actions.start_run(actor=None, standard_code="test_small", year=2026,
                                   unit=w.street, today=TODAY, scope=Scope.system())
    with pytest.raises(Http404):
        selectors.run_for(scope=outsider, pk=street_run.pk)


def test_the_street_leader_sees_the_street_league(assessed: Small) -> None:
    w = assessed.world
    scope = Scope.for_user(w.street_leader)
    rows = selectors.league(scope=scope, parent=w.area, standard_code="test_small", year=2026)
    assert {r.unit for r in rows} == {w.community, w.community2}
