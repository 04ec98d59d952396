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


def test_urine_tests_are_counted_from_cases_not_typed_in(builtin: World) -> None:
    # 东湖街道's 尿检率 once read 127.6%: its community reported 45 tests done against 30
    # due. The tests now come from the case register (done is a subset of due), so the
    # quarterly report no longer asks for them.
    ds = catalog().dataset(builtin.other_community, "community-quarter", 2026)
    codes = {e.code for e in ds.elements} if ds else set()
    assert not codes & {"urine_tests_due", "urine_tests_done", "supervision_due",
                        "supervision_implemented", "drug_users_with_leader"}


def test_every_rate_of_the_community_reports_is_guarded_by_a_rule(builtin: World) -> None:
    ds = catalog().dataset(builtin.other_community, "community-year", 2026)
    assert ds is not None
    texts = {rule.text for rule in ds.rules}
    assert "students_reached <= students_total" in texts
    assert "prevention_educated <= prevention_target_population" in texts


def test_demo_reports_keep_every_numerator_within_its_denominator(builtin: World) -> None:
    import random

    from chuangjian.reporting import demo

    ds = catalog().dataset(builtin.other_community, "community-year", 2026)
    assert ds is not None
    values = {e.code: 10 for e in ds.elements} | {"students_total": 30, "students_reached": 45}
    demo._fix_rules(ds, values, random.Random(1))
    assert values["students_reached"] <= values["students_total"] == 30
