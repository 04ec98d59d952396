"""The synthetic city is what the product itself would have stored, and DuckDB agrees with it."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from benchmarks import generate, reference
from benchmarks.run import _submission_case
from chuangjian.engine.periods import Period
from chuangjian.org.models import Unit, UnitVersion
from chuangjian.org.models.units import path_segment, pinyin_key
from chuangjian.org.scope import Scope
from chuangjian.reporting import actions as reporting_actions
from chuangjian.reporting import rollups
from chuangjian.reporting.actions import check_values
from chuangjian.reporting.datasets import catalog
from chuangjian.reporting.models import DataValue, Rollup, Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def city() -> generate.Generated:
    return generate.generate("T", seed=7, progress=lambda _m: None)


def test_the_tree_has_the_paths_create_unit_would_give(city: generate.Generated) -> None:
    units = {u.pk: u for u in Unit.objects.filter(code__startswith=generate.UNIT_CODE_PREFIX)}
    assert len(units) == city.units
    for unit in units.values():
        parent = units.get(unit.parent_id) if unit.parent_id else None
        assert unit.path == (parent.path if parent else "") + path_segment(unit.pk)
        assert unit.depth == (parent.depth + 1 if parent else 1)
        assert unit.sort_key == pinyin_key(unit.name)
        unit.full_clean()
    versions = UnitVersion.objects.filter(unit__in=list(units), valid_to__isnull=True)
    assert {(v.unit_id, v.path) for v in versions} == {(u.pk, u.path) for u in units.values()}
    assert {u.category for u in units.values() if u.level == "community"} == {"城镇", "农村"}


def test_every_report_kind_of_the_standards_is_generated(city: generate.Generated) -> None:
    # Every monthly figure (activities, 信息报送, problems found and rectified) is computed
    # from its own records now, so no monthly form is typed.
    assert set(city.by_period_type) == {"day", "quarter", "year"}
    assert DataValue.objects.count() == city.values == sum(city.by_period_type.values())
    assert Submission.objects.count() == city.submissions
    assert not DataValue.objects.filter(submission__isnull=True).exists()


def test_rollups_equal_a_recomputation_from_raw_values(city: generate.Generated) -> None:
    assert Rollup.objects.count() == city.rollups > 0
    assert rollups.verify() == []


def test_generated_reports_pass_the_reporting_apps_own_checks(city: generate.Generated) -> None:
    subs = list(Submission.objects.select_related("unit").exclude(period_type="day"))
    subs += list(Submission.objects.select_related("unit").filter(period_type="day")[:20])
    for sub in subs:
        ds = catalog().dataset(sub.unit, sub.dataset_code, 2026)
        assert ds is not None
        checked = check_values(sub.unit, ds, Period.parse(sub.period), {}, complete=True)
        assert checked.errors == {}, (sub, checked.errors)


def test_a_real_submission_afterwards_keeps_the_rollups_exact(city: generate.Generated) -> None:
    case = None
    rng = random.Random(3)
    while case is None:
        case = _submission_case(rng, 2026)
    unit, sub, values = case
    now = Period.parse(sub.period).start_instant() + dt.timedelta(hours=1)
    result = reporting_actions.submit_values(
        actor=None, unit=unit, dataset_code=sub.dataset_code, period=sub.period, values=values,
        now=now, scope=Scope.system())
    assert len(result.changed) == 1
    assert rollups.verify() == []


def test_duckdb_computes_the_same_figures_as_our_rollups(city: generate.Generated) -> None:
    raw = reference.load_raw()
    assert len(raw.number) == city.values
    ref = reference.compute(raw)
    mine = reference.ours(raw)
    comparison = reference.compare(mine, ref, raw)
    assert comparison.equal, comparison.examples
    # Every unit (communities, 管区, streets, the district) and both years are compared.
    assert {k[0] for k in mine.figures} >= set(
        Unit.objects.exclude(kind="department").exclude(level="district")
        .values_list("pk", flat=True))
    assert {k[2] for k in mine.figures} == {2025, 2026}
    assert comparison.compared == len(mine.figures)


def test_the_comparison_notices_a_wrong_figure(city: generate.Generated) -> None:
    raw = reference.load_raw()
    ref = reference.compute(raw)
    mine = reference.ours(raw)
    key = next(iter(mine.figures))
    value, count = mine.figures[key]
    mine.figures[key] = (value + 1, count)
    comparison = reference.compare(mine, ref, raw)
    assert not comparison.equal
    assert comparison.different == 1


def test_postgresql_plans_over_the_generated_tables_with_statistics(
        city: generate.Generated) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # -1 until ANALYZE (or autovacuum) has looked at the table.
            cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relname IN (%s, %s)",
                           [DataValue._meta.db_table, Rollup._meta.db_table])
            assert {name: tuples > 0 for name, tuples in cursor.fetchall()} == {
                DataValue._meta.db_table: True, Rollup._meta.db_table: True}
        else:  # SQLite as a deployment has it: nobody runs its ANALYZE
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cursor.fetchone()[0] == 0
