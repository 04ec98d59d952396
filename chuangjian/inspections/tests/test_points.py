"""The points register in xlsx: every error named by row and column, nothing saved on any."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from chuangjian.inspections import io as points_io
from chuangjian.inspections.models import Point
from chuangjian.org.scope import Scope

pytestmark = pytest.mark.django_db

HEAD = ["点位编码", "点位名称", "点位类型", "所在单位编码", "地址", "纬度", "经度", "责任单位编码",
        "联络员", "联络电话"]


def _xlsx(rows: list[list[object]], head: list[str] = HEAD) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "点位台账"
    ws.append(head)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_good_file_creates_points_and_an_export_reads_back(world):
    data = _xlsx([
        ["", "幸福里农贸市场", "农贸集贸市场", "T-01-A-01", "幸福路18号", 30.1, 120.2, "T-01-D1", "王强",
         "13800001111"],
        ["", "星光KTV", "KTV", "T-01-A-01", "幸福路66号", None, None, "", "", ""],
    ])
    scope = Scope.for_user(world.inspector)
    result = points_io.import_points(actor=world.inspector, scope=scope, data=data,
                                     filename="点位.xlsx")
    assert result.ok, result.errors
    assert result.created == 2
    market = Point.objects.get(name="幸福里农贸市场")
    assert market.responsible_unit == world.department and market.type == "market"
    assert Point.objects.get(name="星光KTV").responsible_unit == world.community
    exported = load_workbook(io.BytesIO(points_io.export_points(scope))).active
    assert exported.max_row == 3
    assert {exported.cell(row=r, column=2).value for r in (2, 3)} == {"幸福里农贸市场", "星光KTV"}
    again = points_io.import_points(actor=world.inspector, scope=scope,
                                    data=points_io.export_points(scope), filename="x.xlsx")
    assert again.ok and again.updated == 2 and again.created == 0


def test_every_bad_cell_is_named_and_nothing_is_saved(world):
    data = _xlsx([
        ["", "好点位", "学校", "T-01-A-01", "学府路1号", None, None, "", "", ""],
        ["", "", "游乐场", "T-01-A-01", "", 95, 120, "", "", "12345"],
        ["", "别人的", "学校", "T-02-A-01", "湖滨路", None, None, "", "", ""],
    ])
    result = points_io.import_points(actor=world.inspector, scope=Scope.for_user(world.inspector),
                                     data=data, filename="点位.xlsx")
    assert not result.ok
    text = [str(e) for e in result.errors]
    assert any(t.startswith("第3行「点位名称」列") for t in text)
    assert any("第3行「点位类型」列：未知的点位类型「游乐场」" in t for t in text)
    assert any(t.startswith("第3行「地址」列") for t in text)
    assert any(t.startswith("第3行「纬度」列") for t in text)
    assert any(t.startswith("第3行「联络电话」列") for t in text)
    assert any(t.startswith("第4行「所在单位编码」列") for t in text)
    assert not Point.objects.exists()


def test_a_file_that_is_not_xlsx_is_refused(world):
    result = points_io.import_points(actor=world.inspector, scope=Scope.for_user(world.inspector),
                                     data=b"not a spreadsheet", filename="点位.xlsx")
    assert [str(e) for e in result.errors] == [
        "不是有效的 xlsx 文件：请用 Excel 或 WPS 另存为“Excel 工作簿（*.xlsx）”后上传"]
    result = points_io.import_points(actor=world.inspector, scope=Scope.for_user(world.inspector),
                                     data=_xlsx([], head=["名称"]), filename="点位.xlsx")
    assert "缺少表头" in str(result.errors[0])


def test_the_import_page_lists_errors_and_outsiders_see_no_points(client, world):
    client.force_login(world.inspector)
    upload = io.BytesIO(_xlsx([["", "", "学校", "T-01-A-01", "x", None, None, "", "", ""]]))
    upload.name = "点位.xlsx"
    response = client.post(reverse("inspections:points_import"), {"file": upload})
    assert response.status_code == 400
    assert "第2行「点位名称」列" in response.content.decode()
    client.post(reverse("inspections:point_new"), {
        "name": "南门小学", "type": "school", "unit": "T-01-A-02", "address": "南门路30号"})
    assert Point.objects.filter(name="南门小学").exists()
    client = world.client_for(world.outsider)
    page = client.get(reverse("inspections:points"))
    assert "南门小学" not in page.content.decode()
    point = Point.objects.get(name="南门小学")
    assert client.get(reverse("inspections:point_edit", args=[point.pk])).status_code == 404


@pytest.mark.django_db
def test_a_stale_point_form_is_refused_with_both_addresses(client, world):
    from chuangjian.inspections.actions.points import save_point

    point = save_point(actor=None, scope=Scope.system(), unit=world.community, name="幸福里菜场",
                       type="market", address="幸福路1号")
    opened = point.version
    save_point(actor=None, scope=Scope.system(), point=point, unit=world.community,
               name="幸福里菜场", type="market", address="幸福路9号")
    client.force_login(world.inspector)
    url = reverse("inspections:point_edit", args=[point.pk])
    form = {"name": "幸福里菜场", "type": "market", "unit": world.community.code,
            "responsible_unit": world.community.code, "address": "幸福路2号",
            "latitude": "", "longitude": "", "contact_name": "", "contact_phone": "",
            "note": "", "version": opened}
    response = client.post(url, form)
    html = response.content.decode()
    assert response.status_code == 409
    assert "该记录已被他人修改" in html and "对方保存的是：幸福路9号" in html
    assert Point.objects.get(pk=point.pk).address == "幸福路9号"
    assert client.post(url, {**form, "version": opened + 1}).status_code == 302
    assert Point.objects.get(pk=point.pk).address == "幸福路2号"
