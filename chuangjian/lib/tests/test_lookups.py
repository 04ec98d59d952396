"""``ids_in``: the same rows as ``__in``, the ids written as numbers, anything else refused."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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
    assert "IN (1,2,3," in queries[0]["sql"]


def test_nothing_but_ids_reaches_the_sql() -> None:
    with pytest.raises(ValueError):
        Unit.objects.filter(pk__ids_in=[1, "2) OR (1=1"])
    with pytest.raises(TypeError):
        Unit.objects.filter(pk__ids_in=[None])
    # An empty list matches nothing, like ``__in``.
    assert list(Unit.objects.filter(pk__ids_in=[])) == []
