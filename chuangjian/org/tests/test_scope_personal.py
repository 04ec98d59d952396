"""Who sees residents' names and numbers (decision 0020): the community that keeps the
register, and roles whose work needs names; above the community, counts and rates."""

from chuangjian.org import actions
from chuangjian.org.models import Role
from chuangjian.org.scope import Cap, Scope


def scope_of(user):
    return Scope.for_user(user)


def test_a_community_worker_sees_names_and_may_reveal_numbers_in_their_community(world):
    scope = scope_of(world.community_worker)
    assert scope.allows(world.community, Cap.VIEW_PERSONS)
    assert scope.allows(world.community, Cap.REVEAL_PERSONAL)
    assert not scope.allows(world.community2, Cap.VIEW_PERSONS)


def test_a_street_leader_sees_counts_not_names(world):
    scope = scope_of(world.street_leader)
    assert scope.allows(world.community, Cap.VIEW)
    assert not scope.allows(world.community, Cap.VIEW_PERSONS)
    assert not scope.allows(world.community, Cap.REVEAL_PERSONAL)


def test_administrators_and_the_operator_see_no_names_by_default(world):
    for user in (world.district_admin, world.superuser, world.readonly, world.inspector,
                 world.auditor):
        scope = scope_of(user)
        assert not scope.allows(world.community, Cap.VIEW_PERSONS), user.username
        assert not scope.allows_any(Cap.REVEAL_PERSONAL), user.username


def test_the_command_line_system_scope_reaches_everything():
    assert Scope.system().allows_any(Cap.VIEW_PERSONS)


def test_a_community_leader_sees_names_but_does_not_reveal_numbers(world):
    leader = actions.create_user(actor=None, scope=Scope.system(), username="sq_leader",
                                 full_name="社区书记", password="Test@2026pass")
    actions.add_membership(actor=None, scope=Scope.system(), user=leader,
                           unit=world.community, role=Role.LEADER)
    scope = scope_of(leader)
    assert scope.allows(world.community, Cap.VIEW_PERSONS)
    assert not scope.allows(world.community, Cap.REVEAL_PERSONAL)


def test_a_street_caseworker_whose_work_needs_names_sees_them(world):
    scope = scope_of(world.caseworker)
    assert scope.allows(world.community, Cap.VIEW_PERSONS)
    assert not scope.allows(world.other_community, Cap.VIEW_PERSONS)


def test_the_operator_cannot_give_itself_a_community_role_to_read_names(world):
    scope = scope_of(world.superuser)
    assert not scope.may_grant(world.community, Role.WORKER, to_self=True)
    assert scope.may_grant(world.community, Role.WORKER)
    assert scope.may_grant(world.street, Role.LEADER, to_self=True)
