"""A run's result rows, written in bulk, are what the ORM would have stored."""

from __future__ import annotations

import datetime as dt
import json

from django.db import connection

from chuangjian.assessment import actions
from chuangjian.assessment.models import UnitResult
from chuangjian.assessment.runner import compute_full, result_rows
from chuangjian.assessment.tests.conftest import Small
from chuangjian.org.scope import Scope


def _stored(run_id: int) -> dict[int, tuple[object, ...]]:
    """Every column of every row as the database holds it (JSON as its text), but the
    primary key and the time of writing."""
    names = [f.column for f in UnitResult._meta.concrete_fields
             if f.column not in ("id", "updated_at")]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(names)} FROM assessment_unitresult "  # noqa: S608
                       "WHERE run_id = %s", [run_id])
        return {row[names.index("unit_id")]: row for row in cursor.fetchall()}


def test_rows_written_in_bulk_equal_the_orms_to_the_json_text(small: Small) -> None:
    w = small.world
    small.report(w.community, t_done=8, t_total=10, t_events=5, t_problems=2)
    small.report(w.community2, t_done=1, t_total=10)
    run = actions.start_run(actor=None, standard_code="test_small", year=2026,
                            today=dt.date(2026, 12, 31), scope=Scope.system())
    bulk = _stored(run.pk)
    assert len(bulk) == run.units_assessed >= 3
    UnitResult.objects.filter(run=run).delete()
    UnitResult.objects.bulk_create(result_rows(run, compute_full(run)))
    assert _stored(run.pk) == bulk
    # Read back through the model, the JSON is the same objects and the time is set.
    row = UnitResult.objects.get(run=run, unit=w.community)
    assert row.items and row.updated_at is not None
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(bulk[w.community.pk]))



def test_the_veto_items_text_is_the_json_fields_own_each_list_made_once() -> None:
    from chuangjian.assessment.runner import _json_dumps

    field = UnitResult._meta.get_field("veto_items")
    dump = _json_dumps([field])["veto_items"]
    lists: list[object] = [[], ["禁毒宣传"], [], ["a", "b"], ["禁毒宣传"], {"x": 1}, [1, "a"]]
    assert [dump(v) for v in lists] == [json.dumps(v, cls=field.encoder) for v in lists]
