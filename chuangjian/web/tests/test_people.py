"""Users and memberships, managed by those with MANAGE_PEOPLE, through the actions."""

from __future__ import annotations

from django.urls import reverse

from chuangjian.org.models import Membership, User
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World


def test_the_people_list_shows_people_in_scope_with_search(world: World) -> None:
    client = world.client_for(world.district_admin)
    html = client.get(reverse("web:people")).content.decode()
    assert "张小燕" in html and "曹丽娟" in html and "幸福里社区" in html
    html = client.get(reverse("web:people"), {"q": "张小"}).content.decode()
    assert "张小燕" in html and "曹丽娟" not in html


def test_an_admin_creates_a_user_with_a_first_role(world: World) -> None:
    client = world.client_for(world.district_admin)
    response = client.post(reverse("web:person_create"), {
        "username": "wang_wu", "full_name": "王五", "phone": "13800000000", "title": "网格员",
        "password": "Str0ng-Pass#2026", "unit": world.community.code, "role": "worker"})
    assert response.status_code == 302
    user = User.objects.get(username="wang_wu")
    assert user.full_name == "王五" and user.check_password("Str0ng-Pass#2026")
    assert Membership.objects.filter(user=user, unit=world.community, role="worker").exists()


def test_a_weak_password_is_refused_beside_the_password_field(world: World) -> None:
    client = world.client_for(world.district_admin)
    html = client.post(reverse("web:person_create"), {
        "username": "wang_wu", "full_name": "王五", "password": "123",
        "unit": world.community.code, "role": "worker"}).content.decode()
    assert "密码" in html and "太短" in html
    assert not User.objects.filter(username="wang_wu").exists()


def test_a_duplicate_username_is_refused_in_chinese(world: World) -> None:
    client = world.client_for(world.district_admin)
    html = client.post(reverse("web:person_create"), {
        "username": "outsider", "full_name": "重名", "password": "Str0ng-Pass#2026",
        "unit": world.community.code, "role": "worker"}).content.decode()
    assert "用户名「outsider」已存在" in html


def test_an_admin_edits_and_deactivates_a_user(world: World) -> None:
    client = world.client_for(world.district_admin)
    pk = world.community_worker.pk
    assert client.post(reverse("web:person_edit", args=[pk]), {
        "full_name": "张小燕", "phone": "13900000000", "title": "社区干事"}).status_code == 302
    assert client.post(reverse("web:person_active", args=[pk]), {"active": "0"}).status_code == 302
    world.community_worker.refresh_from_db()
    assert world.community_worker.title == "社区干事" and not world.community_worker.is_active


def test_memberships_are_added_and_removed(world: World) -> None:
    client = world.client_for(world.district_admin)
    pk = world.community_worker.pk
    client.post(reverse("web:membership_add", args=[pk]),
                {"unit": world.community2.code, "role": "responsible"})
    membership = Membership.objects.get(user=world.community_worker, unit=world.community2)
    assert membership.role == "responsible"
    response = client.post(reverse("web:membership_remove", args=[pk, membership.pk]))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_an_admin_may_not_change_the_superuser(world: World) -> None:
    from chuangjian.org import actions

    actions.add_membership(actor=None, user=world.superuser, unit=world.community, role="worker", scope=Scope.system())
    client = world.client_for(world.district_admin)
    assert client.get(reverse("web:person", args=[world.superuser.pk])).status_code == 200
    assert client.post(reverse("web:person_active", args=[world.superuser.pk]),
                       {"active": "0"}).status_code == 403


def test_people_pages_are_forbidden_without_manage_people(world: World) -> None:
    client = world.client_for(world.street_leader)
    assert client.get(reverse("web:people")).status_code == 403
    assert client.get(reverse("web:person", args=[world.community_worker.pk])).status_code == 403


def test_a_phone_is_shown_masked_and_revealing_it_is_audited(world: World) -> None:
    from chuangjian.audit.models import AuditEntry
    from chuangjian.org import actions
    from chuangjian.org.scope import Scope

    actions.update_user(actor=None, scope=Scope.system(), user=world.community_worker,
                        phone="13812345678")
    client = world.client_for(world.district_admin)
    for url in (reverse("web:people"), reverse("web:person", args=[world.community_worker.pk])):
        html = client.get(url).content.decode()
        assert "138****5678" in html and "13812345678" not in html
    assert not AuditEntry.objects.filter(action="org.user.phone_revealed").exists()

    url = reverse("web:person_phone", args=[world.community_worker.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert "13812345678" in response.content.decode()
    entry = AuditEntry.objects.get(action="org.user.phone_revealed")
    assert entry.actor == world.district_admin and entry.object_id == str(world.community_worker.pk)
    assert "13812345678" not in str(entry.data)
    # Someone who may not manage the person learns nothing and leaves no reveal behind.
    assert world.client_for(world.outsider).post(url).status_code in (403, 404)
    assert AuditEntry.objects.filter(action="org.user.phone_revealed").count() == 1
