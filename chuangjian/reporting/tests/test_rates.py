"""Rates stay within 100%: a report whose numerator exceeds its denominator is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.reporting import actions, datasets
from chuangjian.reporting.datasets import catalog
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader

pytestmark = pytest.mark.django_db


@pytest.fixture
def builtin(world: World) -> World:
    standards_actions.load_standards(actor=None, result=loader.load_builtin().raise_for_errors(), scope=Scope.system())
    datasets._catalog = None
    return world


def _quarterly(world: World, **values: int) -> None:
    ds = catalog().dataset(world.other_community, "community-quarter", 2026)
    assert ds is not None
    full: dict[str, int] = {e.code: 0 for e in ds.elements}
    full.update(values)
    actions.submit_values(actor=None, unit=world.other_community, dataset_code="community-quarter",
                          period="2026Q1", values=full,
                          now=dt.datetime(2026, 4, 2, 2, tzinfo=dt.UTC), scope=Scope.system())


def test_urine_tests_done_cannot_exceed_the_tests_due(builtin: World) -> None:
    # 东湖街道's 尿检率 once read 127.6%: its community reported 45 tests done against 30 due.
    with pytest.raises(actions.ReportInvalid) as refused:
        _quarterly(builtin, urine_tests_due=30, urine_tests_done=45)
    assert "已尿检人次不能多于应检人次" in refused.value.fields.values()
    _quarterly(builtin, urine_tests_due=30, urine_tests_done=30)


def test_every_rate_of_the_community_reports_is_guarded_by_a_rule(builtin: World) -> None:
    ds = catalog().dataset(builtin.other_community, "community-year", 2026)
    assert ds is not None
    texts = {rule.text for rule in ds.rules}
    assert "students_reached <= students_total" in texts
    assert "prevention_educated <= prevention_target_population" in texts


def test_demo_reports_keep_every_numerator_within_its_denominator(builtin: World) -> None:
    import random

    from chuangjian.reporting import demo

    ds = catalog().dataset(builtin.other_community, "community-quarter", 2026)
    assert ds is not None
    values = {e.code: 10 for e in ds.elements} | {"urine_tests_due": 30, "urine_tests_done": 45}
    demo._fix_rules(ds, values, random.Random(1))
    assert values["urine_tests_done"] <= values["urine_tests_due"] == 30
