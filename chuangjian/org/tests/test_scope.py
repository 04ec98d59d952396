from __future__ import annotations

from chuangjian.org.models import Unit
from chuangjian.org.scope import Cap, Scope
from chuangjian.org.testing import World


def test_a_street_leader_sees_the_whole_street_and_nothing_else(world: World) -> None:
    scope = Scope.for_user(world.street_leader)
    codes = set(scope.units().values_list("code", flat=True))
    assert codes == {"T-01", "T-01-A", "T-01-A-01", "T-01-A-02", "T-01-D1"}


def test_a_community_worker_sees_only_the_community(world: World) -> None:
    scope = Scope.for_user(world.community_worker)
    assert list(scope.units().values_list("code", flat=True)) == ["T-01-A-01"]
    assert scope.allows(world.community, Cap.ENTER_DATA)
    assert not scope.allows(world.community, Cap.APPROVE)
    assert not scope.allows(world.street)


def test_the_outsider_reaches_nothing_of_the_other_street(world: World) -> None:
    scope = Scope.for_user(world.outsider)
    street_units = Unit.objects.filter(path__startswith=world.street.path)
    assert not any(scope.allows(u) for u in street_units)
    assert not scope.units().filter(path__startswith=world.street.path).exists()


def test_only_caseworkers_may_see_the_case_register(world: World) -> None:
    assert Scope.for_user(world.caseworker).allows(world.community, Cap.VIEW_CASES)
    assert not Scope.for_user(world.street_leader).allows(world.community, Cap.VIEW_CASES)
    assert not Scope.for_user(world.district_admin).allows(world.community, Cap.VIEW_CASES)


def test_an_anonymous_or_inactive_user_has_an_empty_scope(world: World) -> None:
    world.community_worker.is_active = False
    assert Scope.for_user(world.community_worker).is_empty
    assert not Scope.for_user(None).units().exists()


def test_nested_grants_fold_into_the_outermost_prefix(world: World) -> None:
    from chuangjian.org import actions

    actions.add_membership(actor=None, user=world.street_leader, unit=world.community,
                           role="worker", scope=Scope.system())
    scope = Scope.for_user(world.street_leader)
    assert scope.prefixes() == [world.street.path]
    assert scope.roles_at(world.community) == {"leader", "worker"}


def test_the_superuser_and_the_system_scope_see_everything(world: World) -> None:
    assert Scope.for_user(world.superuser).units().count() == Unit.objects.count()
    assert Scope.system().allows(world.other_community, Cap.MANAGE_UNITS)


def test_not_even_the_superuser_may_open_the_case_register(world: World) -> None:
    assert not Scope.for_user(world.superuser).allows(world.community, Cap.VIEW_CASES)
    assert not Scope.for_user(world.superuser).units(Cap.VIEW_CASES).exists()
