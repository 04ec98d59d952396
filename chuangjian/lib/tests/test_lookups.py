"""``ids_in``: the same rows as ``__in``, the ids written as numbers, anything else refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models.sql.query import Query
from django.test.utils import CaptureQueriesContext

from chuangjian.lib.lookups import Ids
from chuangjian.org.models import Unit
from chuangjian.org.testing import World

pytestmark = pytest.mark.django_db


def test_ids_in_finds_what_in_finds_on_keys_and_foreign_keys(world: World) -> None:
    ids = [world.community.pk, world.street.pk, world.village.pk, 10**9]
    assert (set(Unit.objects.filter(pk__ids_in=ids)) == set(Unit.objects.filter(pk__in=ids))
            == {world.community, world.street, world.village})
    parents = [world.area.pk, world.district.pk]
    assert (set(Unit.objects.filter(parent_id__ids_in=parents))
            == set(Unit.objects.filter(parent_id__in=parents)))
    assert set(Unit.objects.filter(parent__parent_id__ids_in=[world.street.pk])) == {
        world.community, world.community2}


def test_the_ids_are_numbers_in_the_sql_not_one_placeholder_each(world: World) -> None:
    ids = list(range(1, 40_001))  # more than SQLite's 32,766 variables
    with CaptureQueriesContext(connection) as queries:
        found = Unit.objects.filter(pk__ids_in=ids).count()
    assert found == Unit.objects.count()
    if connection.vendor == "postgresql":  # one array: the server plans 4,000 ids 4-9 ms faster
        assert "= ANY('{1,2,3," in queries[0]["sql"]
    else:
        assert "IN (1,2,3," in queries[0]["sql"]


def test_nothing_but_ids_reaches_the_sql() -> None:
    with pytest.raises(ValueError):
        Unit.objects.filter(pk__ids_in=[1, "2) OR (1=1"])
    with pytest.raises(TypeError):
        Unit.objects.filter(pk__ids_in=[None])
    # An empty list matches nothing, like ``__in``.
    assert list(Unit.objects.filter(pk__ids_in=[])) == []
    # Ids are checked alike, once however many filters use them.
    with pytest.raises(ValueError):
        Unit.objects.filter(pk__ids_in=Ids([1, "2) OR (1=1"]))  # type: ignore[list-item]
    ids = Ids(["3", 1, 1, 2])  # type: ignore[list-item]
    assert ids.checked() == [1, 2, 3] and ids.checked() is ids.checked()
    sql, params = Unit.objects.filter(pk__ids_in=ids).query.sql_with_params()
    assert ("= ANY(%s)" in sql and params[-1] == [1, 2, 3] if connection.vendor == "postgresql"
            else "IN (1,2,3)" in sql)


def test_many_ids_as_ids_are_handed_to_the_lookup_whole_where_a_list_is_walked_id_by_id(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    resolved = 0
    walk = Query.resolve_lookup_value

    def counting(self: Query, value: object, *args: Any, **kwargs: Any) -> object:
        nonlocal resolved
        resolved += 1
        return walk(self, value, *args, **kwargs)

    monkeypatch.setattr(Query, "resolve_lookup_value", counting)
    ids = [world.community.pk, *range(10**6, 10**6 + 5_000)]
    Unit.objects.filter(pk__ids_in=ids)
    walked, resolved = resolved, 0
    assert list(Unit.objects.filter(pk__ids_in=Ids(ids))) == [world.community]
    assert walked > 5_000 and resolved < 5


def test_ids_is_a_read_only_sequence_of_its_ids() -> None:
    ids = Ids(iter([3, 1, 2]))
    assert list(ids) == [3, 1, 2] and len(ids) == 3 and ids[0] == 3 and 2 in ids
    assert list(ids[1:]) == [1, 2] and isinstance(ids[1:], Ids)
    assert not isinstance(ids, list | tuple)
