"""Results for the dashboard and export tests: two years, both kinds, a veto and a review."""

from __future__ import annotations

import datetime as dt

import pytest

from chuangjian.assessment import actions
from chuangjian.assessment.freshness import refresh_stale
from chuangjian.assessment.tests.conftest import Small
from chuangjian.org.scope import Scope


def assess(small: Small, *, years: tuple[int, ...] = (2026,)) -> None:
    for year in years:
        for kind in ("self", "review"):
            actions.start_run(actor=None, standard_code="test_small", year=year, kind=kind,
                              today=dt.date(year, 12, 31), scope=Scope.system())
    # The reports' stale marks are handled, as the queue worker does after their commit.
    refresh_stale(scope=Scope.system())


@pytest.fixture
def assessed(small: Small) -> Small:
    w = small.world
    for year, bump in ((2026, 0), (2027, 3)):
        small.report(w.community, year, t_done=40 + bump, t_total=50, t_events=1, t_bonus=1)
        small.report(w.community2, year, t_done=10, t_total=50, t_fires=1)
        small.report(w.other_community, year, t_done=48, t_total=50, t_events=3)
        small.report(w.village, year, t_done=41, t_total=50)
    actions.set_reviewer_score(actor=None, standard_code="test_small", year=2027, kind="review",
                               unit=w.community, indicator_code="rules_review", score=24,
                               comment="会议纪要缺第三季度", scope=Scope.system())
    assess(small, years=(2026, 2027))
    return small
