"""Registers in and out of spreadsheets: each row validated by the page's own form, the
whole file checked before anything is written, a Chinese error naming row and column."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from chuangjian.audit.models import AuditEntry
from chuangjian.lib import personal
from chuangjian.org.scope import Scope
from chuangjian.registers import io as rio
from chuangjian.registers.actions import people
from chuangjian.registers.models import BPReading, Household, Person

RESIDENTS = rio.KINDS["residents"]


def ident(n, year=1970):
    return personal.compose_id_number("310101", dt.date(year, 1, 1) + dt.timedelta(days=n), 11)


def xlsx(headers, rows, *, before=None):
    wb = Workbook()
    ws = wb.active
    for row in before or []:
        ws.append(row)
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def resident_row(n, name="王建华", unit="", address="幸福里1幢101", **kw):
    values = {"姓名": name, "公民身份号码": ident(n), "联系电话": "13800001234",
              "人口类型": "户籍人口", "住址": address, "与户主关系": "", "迁入日期": "",
              "备注": "", **kw}
    return [unit, *(values[h] for h in RESIDENTS.headers[1:])]


def run(world, data, kind=RESIDENTS, user=None, unit=None, **kw):
    user = user or world.community_worker
    return rio.import_rows(kind, data, scope=Scope.for_user(user), actor=user,
                           unit=unit if unit is not None else world.community, **kw)


def test_the_template_has_chinese_headers_and_an_example_row_that_is_not_imported(world):
    for kind in rio.kinds():
        ws = load_workbook(io.BytesIO(rio.template(kind))).active
        assert [c.value for c in ws[1]] == kind.headers
        assert ws.max_row == 2
    result = run(world, rio.template(RESIDENTS))
    assert [str(e) for e in result.errors] == ["文件中没有数据行。"]


def test_good_residents_are_imported_with_households_and_derived_facts(world):
    data = xlsx(RESIDENTS.headers, [resident_row(1, relation="户主"),
                                    resident_row(2, name="陈芳", 与户主关系="配偶"),
                                    resident_row(3, name="李强", address="幸福里1幢102",
                                                 人口类型="流动人口", 迁入日期="2024/3/5")])
    result = run(world, data)
    assert result.ok and result.created == 3
    assert Household.objects.filter(unit=world.community).count() == 2
    li = Person.objects.get(name="李强")
    assert (li.residence, li.moved_in_on, li.birth_date) == (
        "migrant", dt.date(2024, 3, 5), dt.date(1970, 1, 4))
    assert Household.objects.get(address="幸福里1幢101").head == Person.objects.get(name="王建华")
    entry = AuditEntry.objects.get(action="registers.imported")
    assert entry.data == {"kind": "residents", "rows": 3, "skipped": 0}


def test_one_wrong_check_digit_writes_nothing_and_names_row_and_column(world):
    bad = resident_row(2)
    bad[2] = bad[2][:-1] + ("0" if bad[2][-1] != "0" else "1")
    result = run(world, xlsx(RESIDENTS.headers, [resident_row(1), bad, resident_row(3)]))
    assert [str(e) for e in result.errors] == [
        "第 3 行「公民身份号码」列：公民身份号码的校验位不对（最后一位），请核对是否抄错。"]
    assert not Person.objects.exists() and not Household.objects.exists()


def test_an_impossible_birth_date_is_named(world):
    from stdnum.cn import ric
    body = "31010119810229001"  # 1981 was no leap year
    row = resident_row(1)
    row[2] = body + ric.calc_check_digit(body + "0")
    result = run(world, xlsx(RESIDENTS.headers, [row]))
    assert "19810229 不存在" in str(result.errors[0]) and result.errors[0].row == 2


def test_the_same_person_twice_in_one_file_is_refused(world):
    result = run(world, xlsx(RESIDENTS.headers, [resident_row(1), resident_row(1, name="王建")]))
    assert [str(e) for e in result.errors] == [
        "第 3 行「公民身份号码」列：与第 2 行是同一个人（公民身份号码相同）"]


def test_a_person_registered_elsewhere_is_refused_without_saying_where(world):
    people.create_person(scope=Scope.system(), actor=None, unit=world.other_community,
                         name="李四", id_number=ident(1))
    result = run(world, xlsx(RESIDENTS.headers, [resident_row(1)]))
    message = str(result.errors[0])
    assert "已在其他单位登记" in message and "湖滨" not in message
    assert Person.objects.count() == 1


def test_a_unit_outside_scope_is_refused_like_one_that_does_not_exist(world):
    rows = [resident_row(1, unit=world.other_community.code), resident_row(2, unit="NOPE")]
    result = run(world, xlsx(RESIDENTS.headers, rows))
    assert [e.column for e in result.errors] == ["单位编码", "单位编码"]
    assert result.errors[0].message.replace(world.other_community.code, "X") == \
        result.errors[1].message.replace("NOPE", "X")


def test_a_household_of_a_unit_outside_scope_is_refused(world):
    kind = rio.KINDS["households"]
    data = xlsx(kind.headers, [[world.community2.code, "南门1号", "", "", ""]])
    result = run(world, data, kind=kind)
    assert result.errors[0].column == "单位编码" and not Household.objects.exists()


def test_a_template_of_another_kind_is_named(world):
    result = run(world, rio.template(rio.KINDS["volunteers"]))
    assert "这是「志愿者」的模板，不是「居民（实有人口）」的" in str(result.errors[0])


def test_formulas_and_numbers_stored_as_numbers_are_refused(world):
    row = resident_row(1)
    row[1] = "=A1&B1"
    row2 = resident_row(2)
    row2[2] = float(row2[2][:-1] + "0") if row2[2][-1] == "X" else float(row2[2])
    result = run(world, xlsx(RESIDENTS.headers, [row, row2]))
    messages = [str(e) for e in result.errors]
    assert "第 2 行「姓名」列：单元格 B2 是公式，请复制后“粘贴为数值”再导入。" in messages
    assert any(m.startswith("第 3 行「公民身份号码」列：号码被表格当作数字保存") for m in messages)
    assert not Person.objects.exists()


def test_merged_cells_are_refused(world):
    wb = Workbook()
    ws = wb.active
    ws.append(RESIDENTS.headers)
    ws.append(resident_row(1))
    ws.append(resident_row(2))
    ws.merge_cells("G2:G3")
    out = io.BytesIO()
    wb.save(out)
    result = run(world, out.getvalue())
    assert "合并的单元格（G2:G3）" in str(result.errors[0])


def test_a_hundred_thousand_rows_are_refused_before_they_are_read(world):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(RESIDENTS.headers)
    for i in range(100_000):
        ws.append([i])
    out = io.BytesIO()
    wb.save(out)
    result = run(world, out.getvalue())
    assert "超过 20001 行" in str(result.errors[0])


def test_skip_bad_writes_the_good_rows_and_lists_the_bad_ones_in_a_file(world):
    bad = resident_row(2, 姓名="")
    result = run(world, xlsx(RESIDENTS.headers, [resident_row(1), bad]), skip_bad=True)
    assert (result.created, result.skipped) == (1, 1)
    ws = load_workbook(io.BytesIO(result.error_file)).active
    assert ws.cell(row=2, column=len(RESIDENTS.headers) + 1).value.startswith("第 3 行「姓名」列")


def test_bp_readings_refuse_a_future_date_and_an_impossible_pressure(world):
    person = people.create_person(scope=Scope.system(), actor=None, unit=world.community,
                                  name="王建华", id_number=ident(1))
    kind = rio.KINDS["bp"]
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    rows = [["", "王建华", ident(1), future, "", 120, 80, ""],
            ["", "王建华", ident(1), "2025-06-01", "", 400, 20, ""],
            ["", "王建国", ident(1), "2025-06-01", "", 120, 80, ""]]
    result = run(world, xlsx(kind.headers, rows), kind=kind)
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "测量日期"), (3, "收缩压（mmHg）"), (3, "舒张压（mmHg）"), (4, "姓名")]
    good = run(world, xlsx(kind.headers, [["", "王建华", ident(1), "2025-06-01", "站", 130, 85,
                                          "李医生"]]), kind=kind)
    assert good.ok and BPReading.objects.get().person == person


def test_the_export_names_the_exporter_and_masks_numbers(world):
    run(world, xlsx(RESIDENTS.headers, [resident_row(1)]))
    data = rio.export_rows(RESIDENTS, scope=Scope.for_user(world.community_worker),
                           actor=world.community_worker, unit=world.community)
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A1"].value.startswith("导出人：张小燕　导出时间：")
    assert ws["C3"].value == personal.mask_id_number(ident(1))
    assert ws["D3"].value == "138****1234"
    assert load_workbook(io.BytesIO(data)).properties.creator == "张小燕"
    full = rio.export_rows(RESIDENTS, scope=Scope.for_user(world.community_worker),
                           actor=world.community_worker, unit=world.community, reveal=True)
    assert load_workbook(io.BytesIO(full)).active["C3"].value == ident(1)
    assert AuditEntry.objects.filter(action="registers.exported").count() == 2
    # The exported file goes back in (after the exporter's line) as a file of its kind.
    assert "已在「幸福里社区」登记" in str(run(world, full).errors[0])


def test_the_level_above_cannot_export_names(world):
    for user in (world.street_leader, world.superuser, world.outsider):
        with pytest.raises(PermissionDenied):
            rio.export_rows(RESIDENTS, scope=Scope.for_user(user), actor=user,
                            unit=world.community)


def test_the_command_line_lists_writes_templates_and_imports(world, tmp_path, capsys):
    call_command("registers", "list")
    out = capsys.readouterr().out
    for code in ("residents", "households", "volunteers", "service", "families", "bp",
                 "mediation", "placements", "facilities"):
        assert code in out
    template = tmp_path / "r.xlsx"
    call_command("registers", "template", "residents", "-o", str(template))
    assert template.exists()
    bad = resident_row(2)
    bad[2] = "1234"
    path = tmp_path / "in.xlsx"
    path.write_bytes(xlsx(RESIDENTS.headers, [resident_row(1), bad]))
    with pytest.raises(CommandError, match="未保存任何数据"):
        call_command("registers", "import", "residents", str(path), "--unit", world.community.code)
    assert "第 3 行「公民身份号码」列：公民身份号码应为18位，这里是4位。" in capsys.readouterr().err
    call_command("registers", "import", "residents", str(path), "--unit", world.community.code,
                 "--skip-bad")
    assert Person.objects.count() == 1 and (tmp_path / "in.errors.xlsx").exists()
