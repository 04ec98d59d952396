"""Random submissions, then ``reports rollups --verify``: the rollups never drift."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.reporting import actions, rollups
from chuangjian.reporting.models import Rollup

from .conftest import shanghai

submission = st.tuples(
    st.sampled_from(["community", "community2"]),
    st.integers(min_value=1, max_value=40),             # day of 2026 (Jan–Feb)
    st.integers(min_value=0, max_value=50),             # patrols
    st.integers(min_value=0, max_value=9),              # found
    st.sampled_from(["day", "month"]),
    st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False),
)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(submission, min_size=1, max_size=12))
def test_random_submissions_leave_rollups_equal_to_a_recomputation(
        world: World, standards: object, steps: list[tuple]) -> None:
    try:
        for unit_name, day_no, patrols, found, kind, percent in steps:
            unit = getattr(world, unit_name)
            day = dt.date(2026, 1, 1) + dt.timedelta(days=day_no - 1)
            at = shanghai(2026, 3, 1, 9)  # after every period began, before any monthly lock
            if kind == "day":
                values = {"t_patrols": patrols, "t_found": found, "t_fixed": min(found, patrols),
                          "t_note": "随机"}
                period = day.isoformat()
            else:
                values = {"t_households": 1000 + patrols, "t_satisfaction": str(percent),
                          "t_disputes": found, "t_mediated": min(found, patrols)}
                period = day.strftime("%Y-%m")
                at = shanghai(day.year, day.month, 28, 9)
            actions.submit_values(actor=world.street_leader, unit=unit,
                                  dataset_code=f"community-{kind}", period=period, values=values,
                                  now=at, scope=Scope.for_user(world.street_leader))
        assert rollups.verify() == []
        call_command("reports", "rollups", "--verify", stdout=io.StringIO())
    finally:
        from chuangjian.reporting.models import DataValue, Submission, ValueChange

        Rollup.objects.all().delete()
        ValueChange.objects.all().delete()
        DataValue.objects.all().delete()
        Submission.objects.all().delete()


def test_verify_reports_a_tampered_rollup_and_exits_1(world: World, standards: object) -> None:
    actions.submit_values(actor=world.street_leader, unit=world.community,
                          dataset_code="community-day", period="2026-03-16",
                          values={"t_patrols": 3, "t_found": 2, "t_fixed": 1, "t_note": "正常"},
                          now=shanghai(2026, 3, 16, 10), scope=Scope.for_user(world.street_leader))
    Rollup.objects.filter(element__code="t_patrols", period="2026Q1").update(total=99)
    err = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("reports", "rollups", "--verify", stderr=err)
    assert info.value.returncode == 1
    assert "T-01-A-01 t_patrols 2026Q1 合计：汇总表 99" in err.getvalue()
    call_command("reports", "rollups", "--rebuild", stdout=io.StringIO())
    assert rollups.verify() == []
