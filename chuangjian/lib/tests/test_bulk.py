"""``update_each``: what ``bulk_update`` stores, in one prepared statement for all rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chuangjian.lib.bulk import update_each
from chuangjian.org.models import Unit
from chuangjian.org.testing import World

pytestmark = pytest.mark.django_db


def test_each_row_gets_its_own_values_in_one_statement(world: World) -> None:
    first, second, untouched = world.community, world.community2, world.village
    first.name, first.closed_on = "新名称一", dt.date(2026, 6, 30)
    second.name, second.closed_on = "新名称二", None
    untouched.name = "不应写入"
    with CaptureQueriesContext(connection) as asked:
        update_each(Unit, [first, second], ["name", "closed_on"])
    assert len(asked.captured_queries) == 1
    stored = dict(Unit.objects.filter(pk__in=[first.pk, second.pk, untouched.pk])
                  .values_list("pk", "name"))
    assert stored == {first.pk: "新名称一", second.pk: "新名称二",
                      untouched.pk: Unit.objects.get(pk=untouched.pk).name}
    assert stored[untouched.pk] != "不应写入"
    assert Unit.objects.get(pk=first.pk).closed_on == dt.date(2026, 6, 30)
    assert Unit.objects.get(pk=second.pk).closed_on is None


def test_nothing_to_update_sends_nothing_and_an_unknown_column_is_refused(world: World) -> None:
    with CaptureQueriesContext(connection) as asked:
        update_each(Unit, [], ["name"])
    assert asked.captured_queries == []
    with pytest.raises(ValueError, match="no column nickname"):
        update_each(Unit, [world.community], ["name", "nickname"])
