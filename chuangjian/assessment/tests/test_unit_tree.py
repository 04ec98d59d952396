"""The tree a run reads: a forest is the union of its roots' subtrees, and inside
``trees_shared`` (a full assessment's standards, a refresh's batches) the same roots'
forest is read from the database once."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chuangjian.assessment.compute import UnitTree, trees_shared
from chuangjian.org.models import Unit
from chuangjian.org.testing import World

pytestmark = pytest.mark.django_db


def _paths(tree: UnitTree) -> list[str]:
    return [u.path for u in tree.units]


def _shape(tree: UnitTree) -> tuple[object, ...]:
    """Each unit's id, its parent's id within the tree and its depth, and the roots."""
    ids = tree.ids.tolist()
    return (sorted((ids[i], ids[p] if p >= 0 else None, int(d))
                   for i, (p, d) in enumerate(zip(tree.parent.tolist(), tree.depth, strict=True))),
            sorted(t.pk for t in tree.tops))


def test_a_forest_holds_every_unit_under_its_roots_and_a_root_under_another_adds_nothing(
        world: World) -> None:
    tree = UnitTree.forest([world.other_street, world.street, world.community])
    expected = list(Unit.objects.filter(path__startswith=world.street.path)) + list(
        Unit.objects.filter(path__startswith=world.other_street.path))
    assert sorted(_paths(tree)) == sorted(u.path for u in expected)
    assert {t.pk for t in tree.tops} == {world.street.pk, world.other_street.pk}
    assert list(tree.id_list) == tree.ids.tolist()


def test_inside_trees_shared_the_same_roots_are_read_once_and_roots_outside_are_read(
        world: World) -> None:
    with trees_shared():
        first = UnitTree.forest([world.street, world.other_street])
        with CaptureQueriesContext(connection) as again:
            second = UnitTree.forest([world.other_street, world.street, world.community])
        assert second is first and len(again) == 0
        with CaptureQueriesContext(connection) as other:
            above = UnitTree.forest([world.district])  # not inside the tree read
        assert len(other) == 1 and above is not first
        with trees_shared(), CaptureQueriesContext(connection) as nested:
            UnitTree.forest([world.street])  # a block inside another shares the outer one
        assert len(nested) == 0


def test_outside_trees_shared_every_forest_is_read_afresh(world: World) -> None:
    with trees_shared():
        kept = UnitTree.forest([world.street])
    Unit.objects.filter(pk=world.community2.pk).update(name="南门新社区")
    with CaptureQueriesContext(connection) as queries:
        fresh = UnitTree.forest([world.street])
    assert len(queries) == 1 and fresh is not kept
    assert "南门新社区" in [u.name for u in fresh.units]


def test_inside_trees_shared_roots_within_a_tree_read_are_cut_from_it_without_a_query(
        world: World) -> None:
    fresh = _shape(UnitTree.forest([world.street, world.rural_town]))
    with trees_shared():
        UnitTree.forest([world.district])
        with CaptureQueriesContext(connection) as queries:
            cut = UnitTree.forest([world.rural_town, world.street])
        assert len(queries) == 0
    assert _shape(cut) == fresh
    assert sorted(cut.id_list) == sorted(cut.ids.tolist())


def test_a_forest_cut_from_a_tree_in_any_order_holds_its_roots_subtrees(world: World) -> None:
    # A database's collation may order "/1/2/" and "/12/" either way (it skips slashes).
    units = list(Unit.objects.filter(path__startswith=world.district.path))
    random.Random(5).shuffle(units)
    whole = UnitTree._of(units, [world.district])
    for tops in ([world.street], [world.area, world.other_street], [world.village]):
        assert _shape(whole.sub_forest(tops)) == _shape(UnitTree.forest(tops))


def test_inside_trees_shared_roots_read_one_by_one_make_their_forest_without_a_query(
        world: World) -> None:
    # The full assessment asks whether a standard applies under each district alone,
    # then reads the districts together.
    fresh = _shape(UnitTree.forest([world.street, world.rural_town]))
    with trees_shared():
        UnitTree.forest([world.street])
        UnitTree.forest([world.rural_town])
        with CaptureQueriesContext(connection) as queries:
            together = UnitTree.forest([world.rural_town, world.street])
        assert len(queries) == 0
        with CaptureQueriesContext(connection) as queries:
            UnitTree.forest([world.street, world.other_street])  # one of them not read
        assert len(queries) == 1
    assert _shape(together) == fresh
