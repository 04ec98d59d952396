"""People are changed only from above (issue 12, item 2): every membership of the person
must lie strictly below a unit where the actor manages people, and nobody grants a role
carrying a capability they lack."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from chuangjian.org import actions
from chuangjian.org.models import Membership, Role, User
from chuangjian.org.scope import Scope
from chuangjian.org.testing import PASSWORD, World


def _street_admin(world: World) -> User:
    return actions.create_user_with_membership(
        actor=None, scope=Scope.system(), username="street_admin", full_name="吴志刚",
        password=PASSWORD, unit=world.street, role=Role.ADMIN)


def test_a_street_admin_cannot_reset_the_password_of_a_district_admin_holding_a_community_role(
        world: World) -> None:
    admin = _street_admin(world)
    actions.add_membership(actor=None, scope=Scope.system(), user=world.district_admin,
                           unit=world.community, role=Role.WORKER)
    client = world.client_for(admin)
    response = client.post(reverse("web:person_password", args=[world.district_admin.pk]),
                           {"password": "Takeover#2026x"})
    assert response.status_code == 403
    world.district_admin.refresh_from_db()
    assert world.district_admin.check_password(PASSWORD)
    with pytest.raises(PermissionDenied):
        actions.set_user_password(actor=admin, scope=Scope.for_user(admin),
                                  user=world.district_admin, password="Takeover#2026x")
    for name in ("person_active", "membership_add"):
        assert client.post(reverse(f"web:{name}", args=[world.district_admin.pk]),
                           {"active": "0", "unit": world.community.code,
                            "role": Role.ADMIN}).status_code == 403
    world.district_admin.refresh_from_db()
    assert world.district_admin.is_active
    assert not Membership.objects.filter(user=world.district_admin, role=Role.ADMIN,
                                         unit=world.community).exists()


def test_a_street_admin_cannot_grant_themselves_the_caseworker_role(world: World) -> None:
    admin = _street_admin(world)
    client = world.client_for(admin)
    response = client.post(reverse("web:membership_add", args=[admin.pk]),
                           {"unit": world.community.code, "role": Role.CASEWORKER})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        actions.add_membership(actor=admin, scope=Scope.for_user(admin), user=admin,
                               unit=world.community, role=Role.CASEWORKER)
    assert not Membership.objects.filter(user=admin, role=Role.CASEWORKER).exists()


def test_an_admin_cannot_make_anyone_a_caseworker_since_admins_lack_the_case_register(
        world: World) -> None:
    admin = _street_admin(world)
    client = world.client_for(admin)
    client.post(reverse("web:membership_add", args=[world.community_worker.pk]),
                {"unit": world.community.code, "role": Role.CASEWORKER})
    assert not Membership.objects.filter(user=world.community_worker,
                                         role=Role.CASEWORKER).exists()
    html = client.post(reverse("web:person_create"), {
        "username": "new_case", "full_name": "新社工", "password": "Str0ng-Pass#2026",
        "unit": world.community.code, "role": Role.CASEWORKER}).content.decode()
    assert "无权在「幸福里社区」授予「社工」角色" in html
    assert not User.objects.filter(username="new_case").exists()


def test_a_street_admin_cannot_change_a_fellow_admin_of_the_same_street(world: World) -> None:
    admin = _street_admin(world)
    fellow = actions.create_user_with_membership(
        actor=None, scope=Scope.system(), username="fellow", full_name="钱进",
        password=PASSWORD, unit=world.street, role=Role.ADMIN)
    client = world.client_for(admin)
    assert client.post(reverse("web:person_password", args=[fellow.pk]),
                       {"password": "Takeover#2026x"}).status_code == 403
    fellow.refresh_from_db()
    assert fellow.check_password(PASSWORD)


def test_a_street_admin_still_manages_the_people_below_the_street(world: World) -> None:
    admin = _street_admin(world)
    client = world.client_for(admin)
    response = client.post(reverse("web:person_password", args=[world.community_worker.pk]),
                           {"password": "N3w-Pass#2026x"})
    assert response.status_code == 302
    world.community_worker.refresh_from_db()
    assert world.community_worker.check_password("N3w-Pass#2026x")
    client.post(reverse("web:membership_add", args=[world.community_worker.pk]),
                {"unit": world.community2.code, "role": Role.RESPONSIBLE})
    assert Membership.objects.filter(user=world.community_worker, unit=world.community2,
                                     role=Role.RESPONSIBLE).exists()


def test_a_role_at_the_admins_own_unit_is_not_offered_nor_granted(world: World) -> None:
    admin = _street_admin(world)
    with pytest.raises(PermissionDenied):
        actions.create_user_with_membership(
            actor=admin, scope=Scope.for_user(admin), username="peer", full_name="平级",
            password=PASSWORD, unit=world.street, role=Role.ADMIN)
    assert not User.objects.filter(username="peer").exists()
    html = world.client_for(admin).get(reverse("web:person_create")).content.decode()
    assert world.community.code in html and f'value="{world.street.code}"' not in html


def test_org_actions_check_the_scope_they_are_given(world: World) -> None:
    outsider = Scope.for_user(world.outsider)
    with pytest.raises(PermissionDenied):
        actions.create_unit(actor=world.outsider, scope=outsider, code="X-1", name="外来社区",
                            level="community", parent=world.area)
    with pytest.raises(PermissionDenied):
        actions.update_unit(actor=world.outsider, scope=outsider, unit=world.community,
                            name="改名")
    with pytest.raises(PermissionDenied):
        actions.create_user(actor=world.outsider, scope=outsider, username="x", full_name="x",
                            password=None)
    district = Scope.for_user(world.district_admin)
    with pytest.raises(PermissionDenied):
        actions.create_unit(actor=world.district_admin, scope=district, code="ROOT2",
                            name="另一个区", level="district", parent=None)
    world.community.refresh_from_db()
    assert world.community.name == "幸福里社区"
