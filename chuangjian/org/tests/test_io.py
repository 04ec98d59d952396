from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from chuangjian.audit.models import AuditEntry
from chuangjian.org import actions
from chuangjian.org.io import COLUMNS, MAX_FILE_SIZE, ImportResult, export_tree, import_tree
from chuangjian.org.models import Membership, Role, Unit, UnitSuccession, UnitVersion, User
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World

HEADERS = [h for h, _w in COLUMNS]
FIELDS = ("code", "name", "level", "kind", "department_type", "category", "division_code",
          "opened_on", "closed_on")


def xlsx(rows: list[list[object]], headers: list[str] = HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "组织架构"
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def download(response: object) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def snapshot() -> list[tuple[object, ...]]:
    return [(*(getattr(u, f) for f in FIELDS), u.parent.code if u.parent else None)
            for u in Unit.objects.select_related("parent").order_by("code")]


def run(data: bytes, scope: Scope | None = None, actor: User | None = None,
        filename: str = "组织架构.xlsx") -> ImportResult:
    return import_tree(actor=actor, scope=scope or Scope.system(), data=data, filename=filename)


def street_admin(world: World) -> User:
    """An admin of 城关街道 who may also *view* the whole district."""
    user = actions.create_user(actor=None, username="street_admin", full_name="王强",
                               password=None, scope=Scope.system())
    actions.add_membership(actor=None, user=user, unit=world.street, role=Role.ADMIN, scope=Scope.system())
    actions.add_membership(actor=None, user=user, unit=world.district, role=Role.READONLY, scope=Scope.system())
    return user


def empty_the_tree() -> None:
    # Plain DELETEs, not Model.delete(): the cascade collector would visit the tables of
    # every app that points at units. The world fixture fills only these.
    for model in (AuditEntry, UnitSuccession, UnitVersion, Membership, Unit):
        model.objects.all()._raw_delete(using="default")


# -- export ------------------------------------------------------------------------------

def test_the_export_has_chinese_headers_lists_and_parents_before_children(world: World) -> None:
    wb = load_workbook(io.BytesIO(export_tree(Scope.system())))
    ws = wb["组织架构"]
    assert [c.value for c in ws[1]] == HEADERS
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width == 28
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists["C2"] == '"区/县,街道/镇,管区,社区/村,小区/网格,楼组"'
    assert lists["E2"] == '"块,条"'
    assert lists["G2"] == '"城镇,农村"'
    codes = [r[0].value for r in ws.iter_rows(min_row=2)]
    assert len(codes) == Unit.objects.count()
    seen: set[str] = set()
    for row in ws.iter_rows(min_row=2, values_only=True):
        assert row[3] in seen or row[3] in (None, "")
        seen.add(row[0])
    department = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "T-01-D1")
    assert department[1:7] == ("城关街道城管办", "管区", "T-01", "条", "城管办", "城镇")
    assert department[7] == dt.datetime(2020, 1, 1)  # noqa: DTZ001 - openpyxl's naive cell value


def test_a_scoped_export_holds_only_the_users_street(world: World) -> None:
    data = export_tree(Scope.for_user(world.street_leader))
    ws = load_workbook(io.BytesIO(data)).active
    codes = {r[0] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert codes == {"T-01", "T-01-A", "T-01-A-01", "T-01-A-02", "T-01-D1"}


def test_an_export_under_a_unit_holds_its_subtree(world: World) -> None:
    ws = load_workbook(io.BytesIO(export_tree(Scope.system(), world.area))).active
    assert [r[0] for r in ws.iter_rows(min_row=2, values_only=True)] == [
        "T-01-A", "T-01-A-01", "T-01-A-02"]


# -- round trip and updates --------------------------------------------------------------

def test_export_then_import_into_an_empty_database_reproduces_the_tree(world: World) -> None:
    closing = actions.create_unit(actor=None, code="T-01-A-03", name="旧街社区", level="community",
                                  parent=world.area, opened_on=dt.date(2020, 1, 1),
                                  division_code="330381001001", scope=Scope.system())
    actions.close_unit(actor=None, unit=closing, on=dt.date(2024, 6, 30), scope=Scope.system())
    before = snapshot()
    data = export_tree(Scope.system())
    empty_the_tree()
    assert not Unit.objects.exists()

    result = run(data)

    assert result.ok, result.errors
    assert result.created == len(before)
    assert result.closed == 1
    assert snapshot() == before
    assert AuditEntry.objects.filter(action="org.unit.imported").count() == 1


def test_importing_an_unchanged_export_changes_nothing(world: World) -> None:
    data = export_tree(Scope.system())
    audit_before = AuditEntry.objects.count()
    result = run(data)
    assert result.ok
    assert (result.created, result.updated, result.unchanged) == (0, 0, Unit.objects.count())
    assert AuditEntry.objects.count() == audit_before + 1  # only the import itself


def test_an_existing_code_renames_recategorises_and_moves_its_unit(world: World) -> None:
    result = run(xlsx([
        ["T-01-A-02", "南门新村社区", "社区", "T-03-A", "块", "", "农村", None, None, ""],
    ]))
    assert result.ok, result.errors
    assert (result.updated, result.moved) == (1, 1)
    unit = Unit.objects.get(code="T-01-A-02")
    assert unit.name == "南门新村社区"
    assert unit.category == "农村"
    assert unit.parent is not None and unit.parent.code == "T-03-A"
    assert unit.path.startswith(world.rural_town.path)
    # The rename and the move are kept in the unit's history.
    assert unit.versions.count() >= 2


def test_new_rows_are_created_parents_first_whatever_their_order(world: World) -> None:
    result = run(xlsx([
        ["T-01-A-01-G2", "二号网格", "网格", "T-01-A-01-X", "", "", "", "2024/3/1", None, ""],
        ["T-01-A-01-X", "幸福里小区", "小区/网格", "T-01-A-01", "", "", "", None, None, ""],
    ]))
    assert not result.ok  # 网格 under 小区/网格 is the same level
    assert result.errors[0].row == 2 and result.errors[0].column == "层级"

    result = run(xlsx([
        ["T-01-A-01-G2-B1", "1号楼", "楼组", "T-01-A-01-G2", "", "", "", None, None, ""],
        ["T-01-A-01-G2", "二号网格", "网格", "T-01-A-01", "", "", "", "2024年3月1日", None, ""],
    ]))
    assert result.ok, result.errors
    assert result.created == 2
    building = Unit.objects.get(code="T-01-A-01-G2-B1")
    assert building.parent is not None and building.parent.code == "T-01-A-01-G2"
    assert building.parent.opened_on == dt.date(2024, 3, 1)
    assert building.category == "城镇"  # inherited from the parent when left empty


def test_an_admin_of_a_street_may_import_under_the_street(world: World) -> None:
    admin = street_admin(world)
    result = run(xlsx([["T-01-A-09", "新城社区", "社区", "T-01-A", "块", "", "城镇", None, None,
                        ""]]), scope=Scope.for_user(admin), actor=admin)
    assert result.ok, result.errors
    entry = AuditEntry.objects.get(action="org.unit.created", object_repr="新城社区")
    assert entry.actor == admin


# -- bad input: every error names its row and column and nothing is saved ------------------

ROW: list[object] = ["T-01-A-09", "新城社区", "社区", "T-01-A", "块", "", "城镇", None, None, ""]


def with_(**changes: object) -> list[object]:
    row: list[object] = list(ROW)
    for header, value in changes.items():
        row[HEADERS.index(header.replace("类型", "类型(块/条)"))] = value
    return row


BAD_FILES = {
    "not_xlsx": (b"this is not a spreadsheet", None, None, "不是有效的 xlsx 文件"),
    "empty": (b"", None, None, "文件为空"),
    "header_only": (xlsx([]), None, None, "文件中没有数据行"),
    "no_header": (xlsx([], headers=[]), None, None, "文件为空"),
    "missing_headers": (xlsx([ROW[:3]], headers=["编码", "名称", "层级"]), 1, None,
                        "缺少表头：上级编码"),
    "duplicate_in_file": (xlsx([ROW, with_(名称="另一个")]), 3, "编码", "编码「T-01-A-09」与第2行重复"),
    "unknown_parent": (xlsx([with_(上级编码="T-99")]), 2, "上级编码", "上级编码「T-99」不存在"),
    "cycle": (xlsx([with_(编码="X1", 层级="网格", 上级编码="X2"),
                    with_(编码="X2", 层级="网格", 上级编码="X1")]), 2, "上级编码",
              "上级关系形成循环：X1 → X2 → X1"),
    "level_out_of_order": (xlsx([ROW, with_(编码="S9", 名称="新街道", 层级="街道", 上级编码="T-01-A-09")]),
                           3, "层级", "层级「街道/镇」不能位于「社区/村」之下"),
    "empty_name": (xlsx([with_(名称="  ")]), 2, "名称", "名称不能为空"),
    "bad_category": (xlsx([with_(城乡分类="郊区")]), 2, "城乡分类", "城乡分类只能是「城镇」或「农村」"),
    "bad_level": (xlsx([with_(层级="大队")]), 2, "层级", "未知的层级「大队」"),
    "bad_kind": (xlsx([with_(类型="横")]), 2, "类型(块/条)", "类型只能是「块」或「条」"),
    "department_without_type": (xlsx([with_(类型="条")]), 2, "部门类别", "职能部门（条）须填写部门类别"),
    "bad_date": (xlsx([with_(设立日期="2024-13-45")]), 2, "设立日期", "日期格式不正确：「2024-13-45」"),
    "closed_before_opened": (xlsx([with_(设立日期="2024-01-01", 撤销日期="2023-01-01")]), 2,
                             "撤销日期", "撤销日期必须晚于设立日期"),
    "formula": (xlsx([with_(名称="=CONCAT(\"新城\",\"社区\")")]), 2, "名称", "单元格不能是公式"),
    "bad_division_code": (xlsx([with_(区划代码="3303X")]), 2, "区划代码", "区划代码应为"),
    "level_change": (xlsx([with_(编码="T-01-A-01", 层级="网格")]), 2, "层级", "不能通过导入更改已有单位的层级"),
    "too_big": (b"PK" + b"\0" * MAX_FILE_SIZE, None, None, "文件超过 10 MB"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_file_is_refused_with_the_row_column_and_reason(world: World, case: str) -> None:
    data, row, column, message = BAD_FILES[case]
    before, audit_before = snapshot(), AuditEntry.objects.count()

    result = run(data)

    assert not result.ok
    assert any(e.row == row and e.column == column and message in e.message
               for e in result.errors), result.errors
    assert snapshot() == before
    assert AuditEntry.objects.count() == audit_before


def test_a_file_that_is_not_named_xlsx_is_refused(world: World) -> None:
    result = run(xlsx([ROW]), filename="组织架构.csv")
    assert "只能导入 .xlsx" in result.errors[0].message
    assert not Unit.objects.filter(code="T-01-A-09").exists()


def test_a_truncated_file_is_refused(world: World) -> None:
    data = export_tree(Scope.system())
    result = run(data[: len(data) // 2])
    assert [(e.row, e.column) for e in result.errors] == [(None, None)]
    assert "不完整" in result.errors[0].message


def test_one_bad_row_keeps_the_good_rows_from_being_saved(world: World) -> None:
    result = run(xlsx([ROW, with_(编码="T-01-A-10", 名称="")]))
    assert [(e.row, e.column) for e in result.errors] == [(3, "名称")]
    assert not Unit.objects.filter(code="T-01-A-09").exists()


def test_a_failure_while_saving_rolls_back_every_row(world: World) -> None:
    # Closing 城东管区 fails only when it is tried (its communities stay open), after
    # the new community of the first row has been created: that must be undone too.
    before = snapshot()
    result = run(xlsx([ROW, ["T-01-A", "城东管区", "管区", "T-01", "块", "", "城镇", "2020-01-01",
                             "2025-01-01", ""]]))
    assert [(e.row, e.column) for e in result.errors] == [(3, "撤销日期")]
    assert "未撤销" in result.errors[0].message
    assert snapshot() == before


def test_a_parent_the_importer_may_see_but_not_manage_is_refused(world: World) -> None:
    admin = street_admin(world)
    result = run(xlsx([with_(上级编码="T-02-A")]), scope=Scope.for_user(admin), actor=admin)
    assert [(e.row, e.column) for e in result.errors] == [(2, "上级编码")]
    assert "不在您的管理范围内" in result.errors[0].message
    assert not Unit.objects.filter(code="T-01-A-09").exists()


def test_the_importer_cannot_move_a_unit_out_of_the_managed_street(world: World) -> None:
    admin = street_admin(world)
    result = run(xlsx([["T-01-A-01", "幸福里社区", "社区", "T-02-A", "块", "", "城镇", None, None, ""]]),
                 scope=Scope.for_user(admin), actor=admin)
    assert "不在您的管理范围内" in result.errors[0].message
    assert Unit.objects.get(code="T-01-A-01").parent == world.area


def test_units_of_another_street_are_neither_changed_nor_revealed(world: World) -> None:
    user = actions.create_user(actor=None, username="admin2", full_name="钱", password=None, scope=Scope.system())
    actions.add_membership(actor=None, user=user, unit=world.street, role=Role.ADMIN, scope=Scope.system())
    scope = Scope.for_user(user)
    # The code of a community of 东湖街道: from here the row would create, and the code is taken.
    taken = run(xlsx([with_(编码="T-02-A-01", 名称="改名")]), scope=scope, actor=user)
    assert [(e.row, e.column, e.message) for e in taken.errors] == [
        (2, "编码", "编码「T-02-A-01」已被使用")]
    # A parent in 东湖街道 reads exactly like one that does not exist.
    hidden = run(xlsx([with_(上级编码="T-02-A")]), scope=scope, actor=user)
    missing = run(xlsx([with_(上级编码="T-99")]), scope=scope, actor=user)
    assert hidden.errors[0].message.replace("T-02-A", "?") == missing.errors[0].message.replace(
        "T-99", "?")
    assert Unit.objects.get(code="T-02-A-01").name == "湖滨社区"


def test_only_the_global_scope_may_create_a_top_level_unit(world: World) -> None:
    admin = street_admin(world)
    row: list[object] = ["Q", "新区", "区", "", "块", "", "城镇", None, None, ""]
    result = run(xlsx([row]), scope=Scope.for_user(admin), actor=admin)
    assert (result.errors[0].row, result.errors[0].column) == (2, "上级编码")
    assert run(xlsx([row])).ok


# -- the pages (web:units_export, web:units_import) ---------------------------------------

def test_the_export_page_downloads_the_managed_units(world: World) -> None:
    response = world.client_for(world.district_admin).get("/io/units/export/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert "%E7%BB%84%E7%BB%87%E6%9E%B6%E6%9E%84.xlsx" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(download(response))).active
    assert ws.max_row - 1 == Unit.objects.count()


def test_the_export_page_takes_a_unit_and_hides_other_streets(world: World) -> None:
    client = world.client_for(street_admin(world))
    response = client.get("/io/units/export/", {"under": "T-01-A"})
    ws = load_workbook(io.BytesIO(download(response))).active
    assert [r[0] for r in ws.iter_rows(min_row=2, values_only=True)] == [
        "T-01-A", "T-01-A-01", "T-01-A-02"]
    assert client.get("/io/units/export/", {"under": "T-02"}).status_code == 404
    whole = load_workbook(io.BytesIO(download(client.get("/io/units/export/"))))
    assert {r[0] for r in whole.active.iter_rows(min_row=2, values_only=True)} == {
        "T-01", "T-01-A", "T-01-A-01", "T-01-A-02", "T-01-D1"}


@pytest.mark.parametrize("persona", ["street_leader", "community_worker", "outsider", "readonly"])
def test_the_pages_need_the_right_to_manage_units(world: World, persona: str) -> None:
    client = world.client_for(getattr(world, persona))
    assert client.get("/io/units/export/").status_code == 403
    assert client.get("/io/units/import/").status_code == 403
    upload = io.BytesIO(xlsx([ROW]))
    upload.name = "组织架构.xlsx"
    assert client.post("/io/units/import/", {"file": upload}).status_code == 403
    assert not Unit.objects.filter(code="T-01-A-09").exists()


def test_the_pages_send_an_anonymous_visitor_to_the_login(db: None) -> None:
    from django.test import Client

    for url in ("/io/units/export/", "/io/units/import/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_import_page_shows_each_error_with_row_and_column(world: World) -> None:
    client = world.client_for(street_admin(world))
    assert client.get("/io/units/import/").status_code == 200
    upload = io.BytesIO(xlsx([ROW, with_(编码="T-01-A-10", 城乡分类="郊区")]))
    upload.name = "组织架构.xlsx"
    response = client.post("/io/units/import/", {"file": upload})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="import-errors"' in html
    assert "<td>3</td><td>城乡分类</td><td>城乡分类只能是「城镇」或「农村」，不能是「郊区」</td>" in html
    assert "没有保存任何数据" in html
    assert not Unit.objects.filter(code__in=["T-01-A-09", "T-01-A-10"]).exists()


def test_the_import_page_saves_a_good_file_and_sums_it_up(world: World) -> None:
    admin = street_admin(world)
    client = world.client_for(admin)
    upload = io.BytesIO(xlsx([ROW]))
    upload.name = "组织架构.xlsx"
    response = client.post("/io/units/import/", {"file": upload})
    assert response.status_code == 200
    assert "新建 1 个单位" in response.content.decode()
    unit = Unit.objects.get(code="T-01-A-09")
    assert AuditEntry.objects.get(action="org.unit.created", unit=unit).actor == admin


def test_the_import_page_refuses_a_file_over_ten_megabytes(world: World) -> None:
    client = world.client_for(world.district_admin)
    upload = io.BytesIO(b"PK" + b"\0" * MAX_FILE_SIZE)
    upload.name = "大文件.xlsx"
    response = client.post("/io/units/import/", {"file": upload})
    assert response.status_code == 422
    assert "文件超过 10 MB" in response.content.decode()


def test_a_unit_that_names_itself_as_parent_gets_one_error(world: World) -> None:
    result = run(xlsx([with_(上级编码="T-01-A-09")]))
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (2, "上级编码", "上级编码不能是单位自己")]
