"""Creating, editing, moving, closing and splitting units through the pages."""

from __future__ import annotations

from django.urls import reverse

from chuangjian.audit.models import AuditEntry
from chuangjian.org.models import Unit
from chuangjian.org.testing import World


def _new(world: World, **data: str):
    payload = {"code": "T-01-A-03", "name": "文昌社区", "kind": "area", "level": "community",
               "category": "城镇", "department_type": "", "division_code": "",
               "opened_on": "2025-03-01", **data}
    return world.client_for(world.district_admin).post(
        reverse("web:unit_create", args=[world.area.code]), payload)


def test_an_admin_creates_a_child_unit(world: World) -> None:
    response = _new(world)
    assert response.status_code == 302
    unit = Unit.objects.get(code="T-01-A-03")
    assert unit.parent == world.area and unit.name == "文昌社区"
    assert AuditEntry.objects.filter(action="org.unit.created", unit=unit,
                                     actor=world.district_admin).exists()


def test_a_duplicate_code_shows_the_chinese_error_beside_the_code(world: World) -> None:
    response = _new(world, code=world.community.code)
    html = response.content.decode()
    assert response.status_code == 200
    assert f"编码「{world.community.code}」已被使用" in html
    assert "请检查下面标出的内容" in html
    assert 'class="form-control is-invalid"' in html or "is-invalid" in html


def test_a_department_without_its_type_is_refused_in_chinese(world: World) -> None:
    html = _new(world, kind="department").content.decode()
    assert "职能部门须填写部门类别" in html


def test_an_empty_name_is_refused_in_chinese(world: World) -> None:
    html = _new(world, name="").content.decode()
    assert "这个字段是必填项" in html


def test_a_leader_may_not_create_units(world: World) -> None:
    response = world.client_for(world.street_leader).get(
        reverse("web:unit_create", args=[world.area.code]))
    assert response.status_code == 403


def test_renaming_keeps_the_old_name_in_the_history(world: World) -> None:
    client = world.client_for(world.district_admin)
    response = client.post(reverse("web:unit_edit", args=[world.community.code]), {
        "name": "幸福里新社区", "effective": "2025-01-01", "category": "城镇",
        "division_code": "", "opened_on": "2020-01-01"})
    assert response.status_code == 302
    html = client.get(reverse("web:unit", args=[world.community.code])).content.decode()
    assert "幸福里新社区" in html and "幸福里社区" in html and "2025-01-01" in html


def test_moving_a_unit_asks_for_confirmation_first(world: World) -> None:
    client = world.client_for(world.district_admin)
    url = reverse("web:unit_move", args=[world.area.code])
    response = client.post(url, {"new_parent": world.other_street.code, "effective": "2025-06-01"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "请确认移动" in html and "东湖街道" in html
    assert "共涉及 <strong>3</strong> 个单位" in html
    world.area.refresh_from_db()
    assert world.area.parent_id == world.street.pk  # nothing moved yet
    response = client.post(url, {"new_parent": world.other_street.code, "effective": "2025-06-01",
                                 "confirmed": "1"})
    assert response.status_code == 302
    world.area.refresh_from_db()
    assert world.area.parent_id == world.other_street.pk


def test_moving_a_unit_under_its_own_child_is_not_offered(world: World) -> None:
    client = world.client_for(world.district_admin)
    response = client.post(reverse("web:unit_move", args=[world.area.code]),
                           {"new_parent": world.community.code, "confirmed": "1"})
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    world.area.refresh_from_db()
    assert world.area.parent_id == world.street.pk


def test_closing_a_unit_with_open_children_explains_why_not(world: World) -> None:
    client = world.client_for(world.district_admin)
    html = client.post(reverse("web:unit_close", args=[world.area.code]),
                       {"on": "2025-01-01", "reason": ""}).content.decode()
    assert "还有 2 个下级单位未撤销或迁出" in html


def test_closing_a_leaf_unit_greys_it_in_the_tree(world: World) -> None:
    client = world.client_for(world.district_admin)
    response = client.post(reverse("web:unit_close", args=[world.community2.code]),
                           {"on": "2025-01-01", "reason": "合并"})
    assert response.status_code == 302
    html = client.get(reverse("web:tree_children", args=[world.area.code])).content.decode()
    assert '<li class="closed">' in html and "已撤销" in html


def test_splitting_a_unit_into_two_parts(world: World) -> None:
    client = world.client_for(world.district_admin)
    data = {"on": "2025-01-01", "parts-TOTAL_FORMS": "3", "parts-INITIAL_FORMS": "0",
            "parts-MIN_NUM_FORMS": "0", "parts-MAX_NUM_FORMS": "10",
            "parts-0-code": "T-01-A-02a", "parts-0-name": "南门东社区", "parts-0-category": "城镇",
            "parts-1-code": "T-01-A-02b", "parts-1-name": "南门西社区", "parts-1-category": "城镇",
            "parts-2-code": "", "parts-2-name": "", "parts-2-category": "城镇"}
    response = client.post(reverse("web:unit_split", args=[world.community2.code]), data)
    assert response.status_code == 302
    world.community2.refresh_from_db()
    assert world.community2.is_closed
    html = client.get(reverse("web:unit", args=[world.community2.code])).content.decode()
    assert "南门东社区" in html and "南门西社区" in html


def test_splitting_into_one_part_is_refused_in_chinese(world: World) -> None:
    client = world.client_for(world.district_admin)
    data = {"on": "2025-01-01", "parts-TOTAL_FORMS": "1", "parts-INITIAL_FORMS": "0",
            "parts-MIN_NUM_FORMS": "0", "parts-MAX_NUM_FORMS": "10",
            "parts-0-code": "T-01-A-02a", "parts-0-name": "南门东社区", "parts-0-category": "城镇"}
    html = client.post(reverse("web:unit_split", args=[world.community2.code]), data).content.decode()
    assert "拆分至少需要两个新单位" in html
