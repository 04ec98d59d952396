"""One aggregation rule, three paths: the numpy run, the SQL refresh and the rollups agree
with ``engine.aggregation`` on random data, with and without a unit moved mid-year.

The reference below reads the raw monthly values and the tree month by month and applies
the engine's rules directly; nothing in it goes through the code under test.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from chuangjian.assessment.compute import UnitTree, full_inputs, unit_inputs
from chuangjian.assessment.spec import spec_for
from chuangjian.engine.aggregation import Summary, TimeAgg, over_time, over_tree
from chuangjian.org import actions as org_actions
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.reporting import rollups
from chuangjian.reporting.models import DataValue
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader
from chuangjian.standards.models import DataElement, StandardVersion

YAML = Path(__file__).with_name("aggregation_standard.yaml")
CODES = ["ag_sum_sum", "ag_mean_mean", "ag_max_max", "ag_last_sum", "ag_mean_sum",
         "ag_sum_none", "ag_last_mean"]
YEAR = 2026


@pytest.fixture
def standard(world: World) -> StandardVersion:
    result = loader.load_paths([YAML])
    assert result.ok, result.errors
    standards_actions.load_standards(actor=None, result=result, scope=Scope.system())
    return StandardVersion.objects.get(code="test_aggregation")


# (unit number, element number, month, value in quarters) — quarters keep decimals exact;
# unit -1 is 幸福里社区, the one that moves, drawn often so its data straddles the move.
report = st.tuples(st.one_of(st.just(-1), st.integers(min_value=0, max_value=11)),
                   st.integers(min_value=0, max_value=6),
                   st.integers(min_value=1, max_value=12), st.integers(min_value=0, max_value=400))


def _parents_by_month(units: list[Unit], move: int | None, community: Unit, new_parent: Unit
                      ) -> list[dict[int, int | None]]:
    """Each month's parent of every unit: the community sits under its new 管区 from the
    month of the move on (the tree at each month's end)."""
    before = {u.pk: u.parent_id for u in units}
    months = []
    for month in range(1, 13):
        parents = dict(before)
        if move is not None and month >= move:
            parents[community.pk] = new_parent.pk
        months.append(parents)
    return months


def _under(unit_id: int, member: int, parents: dict[int, int | None]) -> bool:
    p: int | None = member
    while p is not None:
        if p == unit_id:
            return True
        p = parents[p]
    return False


def _reference(units: list[Unit], elements: list[DataElement],
               values: dict[tuple[int, int, int], Decimal],
               months: list[dict[int, int | None]]) -> dict[tuple[int, str], Decimal | None]:
    out: dict[tuple[int, str], Decimal | None] = {}
    for element in elements:
        for unit in units:
            by_member: dict[int, Summary[Decimal]] = {}
            for month in range(1, 13):
                # A stock (last) is placed by the tree at the year's end, the rest month by month.
                tree = months[11] if element.time_agg == TimeAgg.LAST else months[month - 1]
                for member in units:
                    if not _under(unit.pk, member.pk, tree):
                        continue
                    v = values.get((member.pk, element.pk, month))
                    s = by_member.get(member.pk, Summary(Decimal(0), 0, None, None))
                    by_member[member.pk] = s.then(Summary.of([v], Decimal(0)))
            figures = {m: over_time(s, element.time_agg) for m, s in by_member.items()}
            own = over_time(Summary.of([values.get((unit.pk, element.pk, m))
                                        for m in range(1, 13)], Decimal(0)), element.time_agg)
            out[(unit.pk, element.code)] = over_tree(
                own, [f for m, f in figures.items() if m != unit.pk], element.tree_agg)
    return out


def _same(got: float | Decimal | None, want: Decimal | None) -> bool:
    if want is None:
        return got is None or (isinstance(got, float) and math.isnan(got))
    return got is not None and not math.isnan(float(got)) and float(got) == pytest.approx(
        float(want), rel=1e-9, abs=1e-9)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(report, max_size=40), st.one_of(st.none(), st.integers(min_value=2, max_value=12)))
@example([(-1, 0, 1, 4), (-1, 3, 3, 8), (-1, 1, 9, 2)], 6)
def test_the_run_the_refresh_and_the_rollups_add_up_as_the_engine_says(
        world: World, standard: StandardVersion, reports: list[tuple[int, int, int, int]],
        move: int | None) -> None:
    with transaction.atomic():
        units = list(Unit.objects.filter(path__startswith=world.district.path).order_by("path"))
        assert len(units) == 12
        elements = [DataElement.objects.get(code=c) for c in CODES]
        values: dict[tuple[int, int, int], Decimal] = {}
        for u, e, month, quarters in reports:
            unit = world.community if u < 0 else units[u]
            values[(unit.pk, elements[e].pk, month)] = Decimal(quarters) / 4
        DataValue.objects.bulk_create([
            DataValue(unit_id=u, element_id=e, period=f"{YEAR}-{m:02d}", period_type="month",
                      period_start=dt.date(YEAR, m, 1), number=v, updated_at=timezone.now())
            for (u, e, m), v in values.items()])
        rollups.rebuild([e.pk for e in elements])
        new_parent = Unit.objects.get(code="T-02-A")
        months = _parents_by_month(units, move, world.community, new_parent)
        if move is not None:
            org_actions.move_unit(actor=None, unit=world.community, new_parent=new_parent,
                                  effective=dt.date(YEAR, move, 1), scope=Scope.system())
            units = list(Unit.objects.filter(pk__in=[u.pk for u in units]).order_by("path"))
        want = _reference(units, elements, values, months)

        spec = spec_for(standard)
        tree = UnitTree.load(Unit.objects.get(pk=world.district.pk))
        # The rollups read by element for much of the city, or unit by unit (SQLite).
        for scans in (True, False):
            with mock.patch("chuangjian.assessment.compute._much_of_the_city",
                            return_value=scans):
                run = full_inputs(spec, tree, np.arange(len(tree.ids)), YEAR, CODES, 0)
            for i, unit in enumerate(tree.units):
                for code in CODES:
                    assert _same(float(run.values[(code, 0)][i]), want[(unit.pk, code)]), (
                        "numpy", scans, unit.code, code)
        for unit in units:
            one = unit_inputs(spec, unit, YEAR, CODES, 0)
            for code in CODES:
                assert _same(one.value(code, 0).get(), want[(unit.pk, code)]), (
                    "sql", unit.code, code)
        for element in elements:
            figures = rollups.subtree_values(units, element, str(YEAR))
            for unit in units:
                assert _same(figures[unit.pk], want[(unit.pk, element.code)]), (
                    "rollups", unit.code, element.code)
        transaction.set_rollback(True)

