"""Subtree figures over the tree as it stood at the end of the period: moved, closed and
split units count where they stood then, and the unmoved case stays a single query."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pytest_django import DjangoAssertNumQueries

from chuangjian.org import actions as org_actions
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.reporting import actions, rollups
from chuangjian.standards.models import DataElement

from .conftest import shanghai


def report_patrols(unit: Unit, day: dt.date, patrols: int) -> None:
    actions.submit_values(actor=None, unit=unit, dataset_code="community-day",
                          period=day.isoformat(),
                          values={"t_patrols": patrols, "t_found": 0, "t_fixed": 0,
                                  "t_note": "正常"},
                          now=shanghai(day.year, day.month, day.day, 10), scope=Scope.system())


def patrols(units: list[Unit], period: str) -> dict[str, Decimal | None]:
    element = DataElement.objects.get(code="t_patrols")
    by_pk = rollups.subtree_values(units, element, period)
    return {u.code: by_pk[u.pk] for u in units}


def test_figures_add_up_the_subtree_with_each_elements_aggregations(
        world: World, standards: object, django_assert_num_queries: DjangoAssertNumQueries) -> None:
    def monthly(unit: Unit, month: int, households: int, satisfaction: str) -> None:
        actions.submit_values(actor=None, unit=unit, dataset_code="community-month",
                              period=f"2026-{month:02d}",
                              values={"t_households": households, "t_satisfaction": satisfaction,
                                      "t_disputes": 0, "t_mediated": 0},
                              now=shanghai(2026, month, 20, 9), scope=Scope.system())

    monthly(world.community, 1, 100, "80")
    monthly(world.community, 2, 120, "90")
    monthly(world.community2, 1, 50, "70")
    households = DataElement.objects.get(code="t_households")      # last, then sum
    satisfaction = DataElement.objects.get(code="t_satisfaction")  # mean, then mean
    units = [world.street, world.area, world.community, world.other_street]
    with django_assert_num_queries(2):  # "moved since?" and the rollups: nothing moved
        figures = rollups.subtree_values(units, households, "2026Q1")
    assert figures == {world.street.pk: 170, world.area.pk: 170, world.community.pk: 120,
                       world.other_street.pk: None}
    means = rollups.subtree_values(units, satisfaction, "2026Q1")
    assert means[world.street.pk] == Decimal("77.5")
    assert means[world.community.pk] == 85


def test_a_moved_unit_counts_under_its_old_street_before_the_move_and_the_new_one_after(
        world: World, standards: object, django_assert_num_queries: DjangoAssertNumQueries) -> None:
    report_patrols(world.community, dt.date(2025, 12, 10), 5)
    report_patrols(world.community, dt.date(2026, 5, 10), 3)
    report_patrols(world.other_community, dt.date(2026, 5, 10), 2)
    report_patrols(world.community, dt.date(2026, 6, 10), 9)
    other_area = Unit.objects.get(code="T-02-A")
    org_actions.move_unit(actor=None, unit=world.community, new_parent=other_area,
                          effective=dt.date(2026, 6, 15), scope=Scope.system())
    community = Unit.objects.get(pk=world.community.pk)
    report_patrols(community, dt.date(2026, 7, 10), 7)
    streets = [world.street, world.other_street]

    assert patrols(streets, "2025") == {"T-01": 5, "T-02": None}
    assert patrols(streets, "2025-12") == {"T-01": 5, "T-02": None}
    assert patrols(streets, "2026-05") == {"T-01": 3, "T-02": 2}
    # The move took effect on 15 June, so at the end of June it stood under 东湖街道,
    # with the days it reported before the move (a month is placed as a whole).
    assert patrols(streets, "2026-06") == {"T-01": None, "T-02": 9}
    # A quarter or a year is its months, each over the tree of its own end: May stays
    # with 城关街道, as the assessment counts it (engine.aggregation, decision 0024).
    assert patrols(streets, "2026Q2") == {"T-01": 3, "T-02": 2 + 9}
    assert patrols(streets, "2026-07") == {"T-01": None, "T-02": 7}
    assert patrols(streets, "2026") == {"T-01": 3, "T-02": 2 + 9 + 7}
    # Its old 管区 keeps it for the past too.
    assert patrols([world.area], "2026-05") == {"T-01-A": 3}
    # July ended after the move: the current tree is July's, and one query reads it.
    element = DataElement.objects.get(code="t_patrols")
    with django_assert_num_queries(2):
        rollups.subtree_values(streets, element, "2026-07")


def test_a_closed_unit_still_counts_for_the_years_it_was_open(
        world: World, standards: object) -> None:
    report_patrols(world.community2, dt.date(2024, 6, 10), 6)
    report_patrols(world.community2, dt.date(2025, 3, 10), 2)
    report_patrols(world.other_community, dt.date(2024, 6, 10), 1)
    org_actions.close_unit(actor=None, unit=world.community2, on=dt.date(2025, 6, 1), scope=Scope.system())
    # Later its whole 管区 (closed community included) moves to the other street.
    org_actions.move_unit(actor=None, unit=world.area, new_parent=world.other_street,
                          effective=dt.date(2026, 2, 1), scope=Scope.system())
    streets = [world.street, world.other_street]

    assert patrols(streets, "2024") == {"T-01": 6, "T-02": 1}
    # Closed on 1 June 2025: its data of 2025 stays where it last stood.
    assert patrols(streets, "2025") == {"T-01": 2, "T-02": None}
    assert patrols([world.area], "2024") == {"T-01-A": 6}
    assert patrols(streets, "2026") == {"T-01": None, "T-02": None}


def test_a_split_unit_and_its_successors_each_count_where_they_stood(
        world: World, standards: object) -> None:
    report_patrols(world.community2, dt.date(2026, 4, 10), 4)
    east, west = org_actions.split_unit(
        actor=None, unit=world.community2, on=dt.date(2026, 5, 1),
        parts=[{"code": "T-01-A-05", "name": "南门东社区"},
               {"code": "T-01-A-06", "name": "南门西社区"}], scope=Scope.system())
    report_patrols(east, dt.date(2026, 5, 10), 10)
    report_patrols(west, dt.date(2026, 5, 11), 20)
    org_actions.move_unit(actor=None, unit=west, new_parent=Unit.objects.get(code="T-02-A"),
                          effective=dt.date(2026, 7, 1), scope=Scope.system())
    west = Unit.objects.get(pk=west.pk)
    report_patrols(west, dt.date(2026, 7, 10), 1)
    streets = [world.street, world.other_street]

    assert patrols(streets, "2026-04") == {"T-01": 4, "T-02": None}
    # The predecessor's April and both successors' May all fall under 城关街道 in Q2.
    assert patrols(streets, "2026Q2") == {"T-01": 34, "T-02": None}
    assert patrols([world.area], "2026Q2") == {"T-01-A": 34}
    assert patrols(streets, "2026Q3") == {"T-01": None, "T-02": 1}
    # The year is the sum of its months where each stood: 南门西社区's May stays with
    # 城关街道, its July goes with it to 东湖街道.
    assert patrols(streets, "2026") == {"T-01": 4 + 10 + 20, "T-02": 1}


def test_no_units_asked_means_no_query(world: World, standards: object,
                                       django_assert_num_queries: DjangoAssertNumQueries) -> None:
    element = DataElement.objects.get(code="t_patrols")
    with django_assert_num_queries(0):
        assert rollups.subtree_values([], element, "2026") == {}
