"""The tree as it stood on a past day: places, subtrees and whether anything moved since."""

from __future__ import annotations

import datetime as dt

from chuangjian.org import actions, selectors
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World


def codes(qs: object) -> list[str]:
    return [u.code for u in qs]  # type: ignore[attr-defined]


def test_a_moved_unit_is_under_its_old_parent_before_the_move(world: World) -> None:
    actions.move_unit(actor=None, unit=world.area, new_parent=world.other_street,
                      effective=dt.date(2026, 6, 15), scope=Scope.system())
    before, after = dt.date(2026, 6, 14), dt.date(2026, 6, 15)
    assert codes(selectors.subtree_on(world.street, before)) == [
        "T-01", "T-01-A", "T-01-A-01", "T-01-A-02", "T-01-D1"]
    assert codes(selectors.subtree_on(world.street, after)) == ["T-01", "T-01-D1"]
    # In tree order: the moved 管区 was created before 东湖第一管区, so it sorts first.
    assert codes(selectors.subtree_on(world.other_street, after)) == [
        "T-02", "T-01-A", "T-01-A-01", "T-01-A-02", "T-02-A", "T-02-A-01"]
    # The moved 管区 itself: its old path then, its current one now.
    assert selectors.paths_on([world.area], before)[world.area.pk] == world.area.path
    moved = Unit.objects.get(pk=world.area.pk)
    assert selectors.paths_on([world.area], after)[world.area.pk] == moved.path
    assert codes(selectors.subtree_on(moved, before)) == ["T-01-A", "T-01-A-01", "T-01-A-02"]


def test_a_closed_unit_keeps_its_last_place_but_is_not_in_the_tree_after_closing(
        world: World) -> None:
    actions.close_unit(actor=None, unit=world.community2, on=dt.date(2025, 6, 1), scope=Scope.system())
    assert "T-01-A-02" in codes(selectors.subtree_on(world.area, dt.date(2025, 5, 31)))
    assert "T-01-A-02" not in codes(selectors.subtree_on(world.area, dt.date(2025, 6, 1)))
    # Its data up to closing belongs where it stood last.
    later = dt.date(2026, 12, 31)
    assert selectors.paths_on([world.community2], later) == {
        world.community2.pk: world.community2.path}


def test_a_unit_created_later_takes_its_first_place_for_earlier_days(world: World) -> None:
    new = actions.create_unit(actor=None, code="T-01-A-09", name="新社区", level="community",
                              parent=world.area, opened_on=dt.date(2026, 3, 1), scope=Scope.system())
    actions.move_unit(actor=None, unit=new, new_parent=Unit.objects.get(code="T-02-A"),
                      effective=dt.date(2026, 5, 1), scope=Scope.system())
    assert selectors.paths_on([new], dt.date(2025, 1, 1))[new.pk] == world.area.path + \
        f"{new.pk:07d}/"
    assert "T-01-A-09" not in codes(selectors.subtree_on(world.area, dt.date(2025, 1, 1)))


def test_moved_since_tells_whether_the_current_tree_is_the_tree_of_a_day(world: World) -> None:
    assert not selectors.moved_since([world.street, world.other_street], dt.date(2024, 1, 1))
    actions.move_unit(actor=None, unit=world.community, new_parent=Unit.objects.get(code="T-02-A"),
                      effective=dt.date(2026, 6, 15), scope=Scope.system())
    streets = [world.street, world.other_street]
    assert selectors.moved_since(streets, dt.date(2026, 6, 14))
    assert not selectors.moved_since(streets, dt.date(2026, 6, 15))
    # Asking about the old street alone, or the new one alone, both see the move.
    assert selectors.moved_since([world.street], dt.date(2026, 1, 1))
    assert selectors.moved_since([Unit.objects.get(code="T-02")], dt.date(2026, 1, 1))
    # A street the move never touched does not.
    assert not selectors.moved_since([world.rural_town], dt.date(2026, 1, 1))
    # A rename is not a move.
    actions.update_unit(actor=None, scope=Scope.system(), unit=world.rural_town, name="白石街道",
                        effective=dt.date(2026, 8, 1))
    assert not selectors.moved_since([world.rural_town], dt.date(2026, 1, 1))
    assert not selectors.moved_since([], dt.date(2026, 1, 1))
