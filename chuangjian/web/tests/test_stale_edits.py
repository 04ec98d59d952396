"""An edit form submitted after someone else saved the same unit or person is refused
(409) with both versions on the page; saving again keeps one's own (decision 0025)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chuangjian.lib.versions import StaleEdit
from chuangjian.org import actions
from chuangjian.org.models import Membership, Role, Unit, User
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World

pytestmark = pytest.mark.django_db


def _unit_form(world: World, name: str, version: int) -> dict[str, object]:
    return {"name": name, "effective": "2025-01-01", "category": "城镇", "division_code": "",
            "opened_on": "2020-01-01", "version": version}


def test_a_stale_unit_form_is_refused_with_both_names_and_kept_on_a_second_save(
        world: World) -> None:
    client = world.client_for(world.district_admin)
    url = reverse("web:unit_edit", args=[world.community.code])
    opened = Unit.objects.get(pk=world.community.pk).version
    assert f'name="version" value="{opened}"' in client.get(url).content.decode()
    # Someone else renames the unit while the form is open.
    actions.update_unit(actor=world.superuser, scope=Scope.system(), unit=world.community,
                        name="幸福里东社区")

    response = client.post(url, _unit_form(world, "幸福里新社区", opened))
    html = response.content.decode()
    assert response.status_code == 409
    assert "该记录已被他人修改" in html
    assert 'value="幸福里新社区"' in html and "对方保存的是：幸福里东社区" in html
    assert Unit.objects.get(pk=world.community.pk).name == "幸福里东社区"
    assert f'name="version" value="{opened + 1}"' in html

    response = client.post(url, _unit_form(world, "幸福里新社区", opened + 1))
    assert response.status_code == 302
    assert Unit.objects.get(pk=world.community.pk).name == "幸福里新社区"


def test_every_change_of_a_unit_moves_its_version(world: World) -> None:
    system = Scope.system()
    start = Unit.objects.get(pk=world.community2.pk).version
    actions.update_unit(actor=None, scope=system, unit=world.community2, name="南门新社区")
    actions.move_unit(actor=None, scope=system, unit=world.community2,
                      new_parent=world.street)
    actions.close_unit(actor=None, scope=system, unit=Unit.objects.get(pk=world.community2.pk),
                       on=world.community2.opened_on.replace(year=2025))  # type: ignore[union-attr]
    assert Unit.objects.get(pk=world.community2.pk).version == start + 3
    with pytest.raises(StaleEdit):
        actions.update_unit(actor=None, scope=system, unit=world.community2, name="再改",
                            expected_version=start)


def test_a_stale_person_form_is_refused_with_both_phones(world: World) -> None:
    client = world.client_for(world.district_admin)
    person = world.community_worker
    url = reverse("web:person_edit", args=[person.pk])
    opened = User.objects.get(pk=person.pk).version
    actions.update_user(actor=world.superuser, scope=Scope.system(), user=person,
                        phone="13800001111")

    response = client.post(url, {"full_name": "张小燕", "phone": "13900002222", "title": "",
                                 "version": opened})
    html = response.content.decode()
    assert response.status_code == 409
    assert "该记录已被他人修改" in html and "对方保存的是：13800001111" in html
    assert User.objects.get(pk=person.pk).phone == "13800001111"
    response = client.post(url, {"full_name": "张小燕", "phone": "13900002222", "title": "",
                                 "version": opened + 1})
    assert response.status_code == 302
    assert User.objects.get(pk=person.pk).phone == "13900002222"


def test_a_role_added_from_a_stale_person_page_is_refused(world: World) -> None:
    client = world.client_for(world.district_admin)
    person = world.community_worker
    opened = User.objects.get(pk=person.pk).version
    assert f'name="version" value="{opened}"' in client.get(
        reverse("web:person", args=[person.pk])).content.decode()
    actions.add_membership(actor=None, scope=Scope.system(), user=person,
                           unit=world.community2, role=Role.WORKER)
    client.post(reverse("web:membership_add", args=[person.pk]), {
        "unit": world.community.pk, "role": Role.READONLY, "version": opened})
    assert not Membership.objects.filter(user=person, role=Role.READONLY).exists()
    assert User.objects.get(pk=person.pk).version == opened + 1
