from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from chuangjian.audit.models import AuditEntry
from chuangjian.org import actions, selectors
from chuangjian.org.levels import Level
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World


def test_a_subtree_is_the_units_under_a_path_prefix(world: World) -> None:
    names = [u.name for u in selectors.subtree(scope=Scope.system(), unit=world.area)]
    assert names == ["城东管区", "幸福里社区", "南门社区"]


def test_moving_a_unit_moves_its_subtree_and_keeps_the_old_tree_viewable(world: World) -> None:
    other_area = Unit.objects.get(code="T-02-A")
    actions.move_unit(actor=world.superuser, unit=world.area, new_parent=world.other_street,
                      effective=dt.date(2026, 7, 1), scope=Scope.for_user(world.superuser))
    community = Unit.objects.get(pk=world.community.pk)
    assert community.path.startswith(world.other_street.path)
    assert community.depth == 4
    before = {v.unit.code for v in selectors.tree_as_of(scope=Scope.system(), day=dt.date(2026, 6, 30))
              if v.path.startswith(world.street.path)}
    after = {v.unit.code for v in selectors.tree_as_of(scope=Scope.system(), day=dt.date(2026, 7, 1))
             if v.path.startswith(world.street.path)}
    assert "T-01-A-01" in before
    assert "T-01-A-01" not in after
    assert other_area.path.startswith(world.other_street.path)
    entry = AuditEntry.objects.get(action="org.unit.moved")
    assert entry.data["subtree_size"] == 3
    assert entry.actor == world.superuser


def test_a_unit_cannot_move_under_its_own_descendant(world: World) -> None:
    with pytest.raises(ValidationError, match="自己或它的下级"):
        actions.move_unit(actor=None, unit=world.street, new_parent=world.community, scope=Scope.system())


def test_a_community_cannot_sit_above_a_street(world: World) -> None:
    with pytest.raises(ValidationError) as err:
        actions.create_unit(actor=None, code="X1", name="错误街道", level=Level.STREET,
                            parent=world.community, scope=Scope.system())
    assert "不能位于" in str(err.value)


def test_a_rename_is_kept_in_the_history(world: World) -> None:
    actions.update_unit(actor=None, scope=Scope.system(), unit=world.community, name="幸福社区",
                        effective=dt.date(2026, 3, 1))
    versions = list(world.community.versions.order_by("valid_from"))
    assert [v.name for v in versions] == ["幸福里社区", "幸福社区"]
    assert versions[0].valid_to == dt.date(2026, 3, 1)


def test_closing_requires_the_children_to_be_gone_first(world: World) -> None:
    with pytest.raises(ValidationError, match="下级单位"):
        actions.close_unit(actor=None, unit=world.area, on=dt.date(2026, 1, 1), scope=Scope.system())
    actions.close_unit(actor=None, unit=world.community2, on=dt.date(2026, 1, 1), scope=Scope.system())
    assert not Unit.objects.open_on(dt.date(2026, 1, 2)).filter(pk=world.community2.pk).exists()
    assert Unit.objects.open_on(dt.date(2025, 12, 31)).filter(pk=world.community2.pk).exists()


def test_a_split_closes_the_old_unit_and_records_its_successors(world: World) -> None:
    new = actions.split_unit(actor=None, unit=world.community2, on=dt.date(2026, 5, 1),
                             parts=[{"code": "T-01-A-05", "name": "南门东社区"},
                                    {"code": "T-01-A-06", "name": "南门西社区"}], scope=Scope.system())
    world.community2.refresh_from_db()
    assert world.community2.closed_on == dt.date(2026, 5, 1)
    assert {s.successor for s in world.community2.successions.all()} == set(new)


def test_a_duplicate_code_is_refused_in_chinese(world: World) -> None:
    with pytest.raises(ValidationError, match="已被使用"):
        actions.create_unit(actor=None, code="T-01", name="重复", level=Level.STREET,
                            parent=world.district, scope=Scope.system())
