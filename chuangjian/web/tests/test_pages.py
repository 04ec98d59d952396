"""Each page renders for the persona it is meant for, with the content they expect."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chuangjian.org.scope import Scope
from chuangjian.org.testing import World


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, world: World) -> None:
    response = client.get(reverse("web:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_the_login_page_is_in_chinese(client, db) -> None:
    response = client.get(reverse("web:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "社区创建工作管理平台" in html
    assert "用户名" in html and "密码" in html


def test_the_home_page_shows_the_street_leaders_units_and_roles(world: World) -> None:
    response = world.client_for(world.street_leader).get(reverse("web:home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "李卫东" in html
    assert "城关街道 · 领导（第一责任人）" in html
    assert "我的任职" in html and "管辖范围" in html
    # Counts by level in scope: one street, one 管区, two communities.
    assert "社区/村" in html
    # Only the 审计管理员 reads the audit log (三员分立): no recent entries, no link.
    assert "最近操作" not in html
    assert reverse("web:audit") not in html
    assert "东湖街道" not in html


def test_the_navigation_offers_only_what_the_user_may_use(world: World) -> None:
    worker_html = world.client_for(world.community_worker).get(reverse("web:home")).content.decode()
    assert reverse("web:tree") in worker_html
    assert reverse("web:people") not in worker_html
    assert reverse("web:audit") not in worker_html
    admin_html = world.client_for(world.district_admin).get(reverse("web:home")).content.decode()
    assert reverse("web:people") in admin_html
    assert reverse("web:audit") not in admin_html
    auditor_html = world.client_for(world.auditor).get(reverse("web:home")).content.decode()
    assert reverse("web:audit") in auditor_html and reverse("web:people") not in auditor_html


def test_the_tree_shows_the_scope_root_with_its_children_opened(world: World) -> None:
    response = world.client_for(world.street_leader).get(reverse("web:tree"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "城关街道" in html and "城东管区" in html and "城关街道城管办" in html
    assert reverse("web:tree_children", args=[world.area.code]) in html
    assert "东湖街道" not in html


def test_expanding_a_node_returns_its_children_as_a_fragment(world: World) -> None:
    response = world.client_for(world.street_leader).get(
        reverse("web:tree_children", args=[world.area.code]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "幸福里社区" in html and "南门社区" in html
    assert "<html" not in html


@pytest.mark.parametrize("query", ["幸福", "T-01-A-01", "xingfu", "xing fu"])
def test_the_tree_search_finds_a_unit_by_name_code_or_pinyin(world: World, query: str) -> None:
    response = world.client_for(world.street_leader).get(reverse("web:tree"), {"q": query})
    html = response.content.decode()
    assert "幸福里社区" in html
    assert "清源区 / 城关街道 / 城东管区" in html


def test_the_tree_search_never_finds_units_of_another_street(world: World) -> None:
    response = world.client_for(world.street_leader).get(reverse("web:tree"), {"q": "湖滨"})
    assert "湖滨社区" not in response.content.decode()
    assert "没有找到匹配的单位" in response.content.decode()


def test_the_tree_on_a_past_date_shows_the_old_name(world: World) -> None:
    import datetime as dt

    from chuangjian.org import actions

    actions.update_unit(actor=None, scope=Scope.system(), unit=world.community, name="幸福里新社区",
                        effective=dt.date(2024, 1, 1))
    client = world.client_for(world.street_leader)
    past = client.get(reverse("web:tree"), {"on": "2023-06-01"}).content.decode()
    assert "幸福里社区" in past and "现名 幸福里新社区" in past
    assert "正在查看 2023-06-01" in past
    now = client.get(reverse("web:tree"), {"q": "幸福里"}).content.decode()
    assert "幸福里新社区" in now


def test_the_tree_refuses_a_future_date(world: World) -> None:
    response = world.client_for(world.street_leader).get(reverse("web:tree"), {"on": "2999-01-01"})
    assert "不能查看未来的日期" in response.content.decode()


def test_the_unit_page_shows_details_children_history_and_people(world: World) -> None:
    response = world.client_for(world.street_leader).get(reverse("web:unit", args=[world.street.code]))
    html = response.content.decode()
    assert response.status_code == 200
    for text in ["城关街道", "T-01", "街道/镇", "块（属地）", "城镇", "2020-01-01",
                 "下级单位（块）", "城东管区", "职能部门（条）", "城关街道城管办", "沿革",
                 "李卫东", "领导（第一责任人）", "周建国", "清源区"]:
        assert text in html, text
    # The leader may not change units, so no buttons for it.
    assert reverse("web:unit_create", args=[world.street.code]) not in html


def test_the_unit_page_offers_changes_to_an_admin(world: World) -> None:
    html = world.client_for(world.district_admin).get(
        reverse("web:unit", args=[world.street.code])).content.decode()
    for name in ["web:unit_create", "web:unit_edit", "web:unit_move", "web:unit_split",
                 "web:unit_close"]:
        assert reverse(name, args=[world.street.code]) in html, name
    # The unit's recent audit entries are the auditor's, not the administrator's (三员分立).
    assert "最近操作" not in html


def test_a_community_worker_sees_the_community_but_not_the_street(world: World) -> None:
    client = world.client_for(world.community_worker)
    assert client.get(reverse("web:unit", args=[world.community.code])).status_code == 200
    assert client.get(reverse("web:unit", args=[world.street.code])).status_code == 404
    # The breadcrumb names the units above, without links into them.
    html = client.get(reverse("web:unit", args=[world.community.code])).content.decode()
    assert "城东管区" in html
    assert reverse("web:unit", args=[world.area.code]) not in html


@pytest.mark.parametrize("persona", ["inspector", "caseworker", "readonly"])
def test_other_roles_can_read_the_tree_and_unit_pages(world: World, persona: str) -> None:
    client = world.client_for(getattr(world, persona))
    assert client.get(reverse("web:tree")).status_code == 200
    assert client.get(reverse("web:unit", args=[world.community.code])).status_code == 200
    assert client.get(reverse("web:people")).status_code == 403


def test_the_superuser_sees_every_page(world: World) -> None:
    client = world.client_for(world.superuser)
    for url in [reverse("web:home"), reverse("web:tree"), reverse("web:people"),
                reverse("web:unit", args=[world.district.code])]:
        assert client.get(url).status_code == 200, url
    # Except the audit log, which is the 审计管理员's alone (三员分立).
    assert client.get(reverse("web:audit")).status_code == 403
