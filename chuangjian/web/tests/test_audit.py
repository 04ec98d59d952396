"""The audit browser: scoped, filtered, paginated, readable."""

from __future__ import annotations

from django.urls import reverse

from chuangjian.audit.models import AuditEntry
from chuangjian.org import actions
from chuangjian.org.models import Role
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World


def _street_auditor(world: World):
    user = actions.create_user(actor=None, username="street_auditor", full_name="钱审计",
                               password=None, scope=Scope.system())
    actions.add_membership(actor=None, user=user, unit=world.street, role=Role.AUDITOR, scope=Scope.system())
    return user


def test_a_street_auditor_sees_entries_of_the_street_only(world: World) -> None:
    actions.update_unit(actor=world.district_admin, unit=world.other_community, name="湖滨新社区", scope=Scope.for_user(world.district_admin))
    actions.update_unit(actor=world.district_admin, unit=world.community, name="幸福里新社区", scope=Scope.for_user(world.district_admin))
    html = world.client_for(_street_auditor(world)).get(reverse("web:audit")).content.decode()
    assert "幸福里新社区" in html
    assert "湖滨" not in html
    # Entries without a unit (new users) are for auditors of a top unit only.
    assert '<div class="audit-action">新建用户</div>' not in html


def test_the_district_auditor_sees_entries_without_a_unit(world: World) -> None:
    html = world.client_for(world.auditor).get(reverse("web:audit")).content.decode()
    assert '<div class="audit-action">新建用户</div>' in html


def test_the_data_of_an_entry_is_shown_readably(world: World) -> None:
    actions.update_unit(actor=world.district_admin, unit=world.community, name="幸福里新社区", scope=Scope.for_user(world.district_admin))
    html = world.client_for(world.auditor).get(reverse("web:audit")).content.decode()
    assert '<div class="audit-action">修改单位</div>' in html and "周建国" in html
    assert '<span class="k">名称</span> 幸福里社区' in html


def test_the_audit_filters_by_unit_subtree_action_user_and_date(world: World) -> None:
    actions.update_unit(actor=world.district_admin, unit=world.community, name="幸福里新社区", scope=Scope.for_user(world.district_admin))
    client = world.client_for(world.auditor)
    url = reverse("web:audit")
    html = client.get(url, {"unit": world.area.code}).content.decode()
    assert "幸福里新社区" in html and "城关街道城管办" not in html
    html = client.get(url, {"action": "org.unit.updated"}).content.decode()
    assert '<div class="audit-action">修改单位</div>' in html and '<div class="audit-action">新建单位</div>' not in html
    html = client.get(url, {"user": "周建国"}).content.decode()
    assert '<div class="audit-action">修改单位</div>' in html and '<div class="audit-action">新建单位</div>' not in html
    html = client.get(url, {"start": "2000-01-01", "end": "2000-01-02"}).content.decode()
    assert "暂无操作记录" in html
    html = client.get(url, {"unit": "NOPE"}).content.decode()
    assert "未找到该单位" in html


def test_the_audit_log_is_forbidden_without_view_audit(world: World) -> None:
    assert world.client_for(world.community_worker).get(reverse("web:audit")).status_code == 403
    assert world.client_for(world.inspector).get(reverse("web:audit")).status_code == 403
    # 三员分立: neither the system administrator nor the operator account reads the log.
    assert world.client_for(world.district_admin).get(reverse("web:audit")).status_code == 403
    assert world.client_for(world.superuser).get(reverse("web:audit")).status_code == 403
    assert world.client_for(world.street_leader).get(reverse("web:audit")).status_code == 403


def test_the_audit_log_is_paginated(world: World) -> None:
    for i in range(35):
        actions.update_unit(actor=world.district_admin, unit=world.community, name=f"名称{i}", scope=Scope.for_user(world.district_admin))
    client = world.client_for(world.auditor)
    html = client.get(reverse("web:audit")).content.decode()
    pages = -(-AuditEntry.objects.count() // 30)
    assert pages >= 2 and f"第 1 / {pages} 页" in html
    assert client.get(reverse("web:audit"), {"page": 2}).status_code == 200


def test_an_entry_without_data_shows_a_dash() -> None:
    from chuangjian.web.templatetags.web import audit_data

    empties: list[object] = [{}, None, "text"]
    for empty in empties:
        assert str(audit_data(empty)) == '<span class="text-body-tertiary">—</span>'
