"""Query counts pinned on the busy pages: they must not grow with the tree."""

from __future__ import annotations

from django.urls import reverse

from chuangjian.org import actions
from chuangjian.org.levels import Kind, Level
from chuangjian.org.models import Role
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World


def _grow(world: World, n: int = 12) -> None:
    for i in range(n):
        unit = actions.create_unit(actor=None, code=f"T-01-X{i:02d}", name=f"新增管区{i}",
                                   level=Level.AREA, parent=world.street, scope=Scope.system())
        actions.create_unit(actor=None, code=f"T-01-X{i:02d}-D", name=f"新增部门{i}",
                            level=Level.COMMUNITY, parent=unit, kind=Kind.DEPARTMENT,
                            department_type="城管办", scope=Scope.system())
        user = actions.create_user(actor=None, username=f"u{i}", full_name=f"人员{i}",
                                   password=None, scope=Scope.system())
        actions.add_membership(actor=None, user=user, unit=world.street, role=Role.WORKER, scope=Scope.system())


def test_the_tree_page_runs_a_fixed_number_of_queries(world: World,
                                                      django_assert_max_num_queries) -> None:
    _grow(world)
    client = world.client_for(world.district_admin)
    with django_assert_max_num_queries(7):
        assert client.get(reverse("web:tree")).status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get(reverse("web:tree_children", args=[world.street.code])).status_code == 200


def test_the_unit_page_runs_a_fixed_number_of_queries(world: World,
                                                      django_assert_max_num_queries) -> None:
    _grow(world)
    client = world.client_for(world.district_admin)
    with django_assert_max_num_queries(11):
        assert client.get(reverse("web:unit", args=[world.street.code])).status_code == 200


def test_the_people_and_audit_lists_run_a_fixed_number_of_queries(
        world: World, django_assert_max_num_queries) -> None:
    _grow(world)
    client = world.client_for(world.district_admin)
    with django_assert_max_num_queries(7):
        assert client.get(reverse("web:people")).status_code == 200
    auditor = world.client_for(world.auditor)
    with django_assert_max_num_queries(6):
        assert auditor.get(reverse("web:audit")).status_code == 200
    # The home page asks each app's inbox provider (reports, orders, tasks, awards) a fixed
    # number of questions, whatever the size of the tree.
    with django_assert_max_num_queries(27):
        assert client.get(reverse("web:home")).status_code == 200
