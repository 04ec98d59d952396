"""Chinese by default; the English switch really changes the main pages."""

from __future__ import annotations

from django.urls import reverse

from chuangjian.org.testing import World


def _english(world: World, user):
    client = world.client_for(user)
    response = client.post("/i18n/setlang/", {"language": "en", "next": reverse("web:home")})
    assert response.status_code == 302
    return client


def test_pages_are_in_chinese_by_default(world: World) -> None:
    html = world.client_for(world.district_admin).get(reverse("web:home")).content.decode()
    assert 'lang="zh-CN"' in html
    assert "社区创建工作管理平台" in html and "组织架构" in html


def test_the_language_switch_turns_the_main_pages_into_english(world: World) -> None:
    client = _english(world, world.district_admin)
    home = client.get(reverse("web:home")).content.decode()
    assert 'lang="en"' in home
    for text in ["Community Campaign Management Platform", "Organisation", "Users and roles",
                 "Audit log", "My roles", "Sign out", "Administrator"]:
        assert text in home, text
    unit = client.get(reverse("web:unit", args=[world.street.code])).content.decode()
    for text in ["Details", "Sub-units (块)", "Departments (条)", "History", "Street/Town",
                 "People responsible", "New sub-unit"]:
        assert text in unit, text
    tree = client.get(reverse("web:tree")).content.decode()
    assert "Unit tree" in tree and "View history" in tree
    people = client.get(reverse("web:people")).content.decode()
    assert "New user" in people
    audit = client.get(reverse("web:audit")).content.decode()
    assert "Unit created" in audit


def test_an_action_error_is_translated_too(world: World) -> None:
    client = _english(world, world.district_admin)
    html = client.post(reverse("web:unit_create", args=[world.area.code]), {
        "code": world.community.code, "name": "x", "kind": "area", "level": "community",
        "category": "城镇"}).content.decode()
    assert f"The code “{world.community.code}” is already in use" in html


def test_the_login_page_can_be_english(client, db) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    html = client.get(reverse("web:login")).content.decode()
    assert "Sign in" in html and "Username" in html
