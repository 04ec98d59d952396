"""xlsx templates out and in, from the command line: the round trip and every bad input."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.reporting import actions
from chuangjian.reporting.models import DataValue, Submission, ValueChange

from .conftest import shanghai


@pytest.fixture
def template(world: World, standards: object, tmp_path: Path) -> Path:
    out = tmp_path / "daily.xlsx"
    call_command("reports", "template", "--dataset", "community-day", "--period", "2026-03-16",
                 "--unit", world.area.code, "-o", str(out))
    return out


def fill(path: Path, rows: dict[int, dict[str, object]], *, out: Path | None = None) -> Path:
    """Write values into the template: {row: {column letter: value}}."""
    wb = load_workbook(path)
    ws = wb["填报"]
    for row, cells in rows.items():
        for letter, value in cells.items():
            ws[f"{letter}{row}"] = value
    target = out or path
    wb.save(target)
    return target


def import_file(path: Path, *args: str) -> tuple[int, str]:
    err = io.StringIO()
    try:
        call_command("reports", "import", str(path), *args, stderr=err, stdout=io.StringIO())
    except CommandError as error:
        return error.returncode, err.getvalue() + str(error)
    return 0, err.getvalue()


def snapshot() -> tuple[int, int, int]:
    return DataValue.objects.count(), Submission.objects.count(), ValueChange.objects.count()


def test_the_template_has_chinese_headers_codes_and_one_row_per_unit(template: Path) -> None:
    ws = load_workbook(template)["填报"]
    assert [c.value for c in ws[1]] == ["单位编码", "单位名称", "期间", "巡查次数（次）",
                                        "发现问题数（个）", "整改问题数（个）", "情况说明"]
    assert [c.value for c in ws[2]][3:] == ["t_patrols", "t_found", "t_fixed", "t_note"]
    assert [(r[0].value, r[2].value) for r in ws.iter_rows(min_row=3)] == [
        ("T-01-A-01", "2026-03-16"), ("T-01-A-02", "2026-03-16")]


def test_the_round_trip_stores_every_row_and_the_next_template_shows_the_values(
        template: Path, world: World, tmp_path: Path) -> None:
    fill(template, {3: {"D": 3, "E": 2, "F": 1, "G": "正常"}, 4: {"D": 4, "E": 0, "F": 0, "G": "无"}})
    code, _ = import_file(template)
    assert code == 0
    assert DataValue.objects.filter(period="2026-03-16").count() == 8
    sub = Submission.objects.get(unit=world.community)
    assert (sub.channel, sub.status) == ("import", "submitted")
    again = tmp_path / "again.xlsx"
    call_command("reports", "template", "--dataset", "community-day", "--period", "2026-03-16",
                 "--unit", world.area.code, "-o", str(again))
    ws = load_workbook(again)["填报"]
    assert [c.value for c in ws[3]][3:] == ["3", "2", "1", "正常"]
    # Importing the same file again is idempotent.
    assert import_file(template)[0] == 0
    assert Submission.objects.get(unit=world.community).version == 1


@pytest.mark.parametrize(("cells", "expected"), [
    ({3: {"D": "三次"}}, "第 3 行 D 列（巡查次数（次））：「三次」不是数字"),
    ({3: {"D": -2}}, "第 3 行 D 列（巡查次数（次））：-2 不能为负数"),
    ({3: {"F": 9}}, "第 3 行 E 列（发现问题数（个））：整改问题数不能多于发现问题数"),
    ({3: {"A": "NOPE-1"}}, "第 3 行 A 列（单位编码）：单位编码「NOPE-1」不存在或不在您的填报权限范围内"),
    ({3: {"C": "2026-02-30"}}, "第 3 行 C 列（期间）：无法识别的期间「2026-02-30」：日期不存在"),
    ({3: {"C": "2026-03"}}, "第 3 行 C 列（期间）：「2026-03」是月，本数据集按日报送"),
    ({3: {"C": "2099-12-31"}}, "第 3 行 C 列（期间）：2099年12月31日尚未开始，不能提前填报"),
    ({3: {"D": "=1+2"}}, "第 3 行 D 列（巡查次数（次））：单元格含公式"),
    ({4: {"A": "T-01-A-01"}}, "第 4 行 A 列（单位编码）：与第 3 行重复"),
    ({3: {"G": None}, 4: {"G": None}}, "第 3 行 G 列（情况说明）：必填"),
])
def test_each_bad_row_is_named_by_row_and_column_and_nothing_is_saved(
        template: Path, world: World, cells: dict[int, dict[str, object]], expected: str) -> None:
    good = {3: {"D": 3, "E": 2, "F": 1, "G": "正常"}, 4: {"D": 4, "E": 0, "F": 0, "G": "无"}}
    for row, values in cells.items():
        good.setdefault(row, {}).update(values)
    fill(template, good)
    before = snapshot()
    code, output = import_file(template)
    assert code == 1
    assert expected in output
    assert "未导入任何数据" in output
    assert snapshot() == before


def test_a_unit_outside_the_users_scope_is_refused(template: Path, world: World) -> None:
    fill(template, {3: {"D": 3, "E": 2, "F": 1, "G": "正常"}, 4: {"D": 4, "E": 0, "F": 0, "G": "无"}})
    code, output = import_file(template, "--user", world.outsider.username)
    assert code == 1
    assert "第 3 行 A 列（单位编码）：单位编码「T-01-A-01」不存在或不在您的填报权限范围内" in output
    assert not DataValue.objects.exists()


def test_a_stored_value_is_never_lost_to_a_failed_import(template: Path, world: World) -> None:
    actions.submit_values(actor=world.community_worker, unit=world.community,
                          dataset_code="community-day", period="2026-03-16",
                          values={"t_patrols": 7, "t_found": 1, "t_fixed": 1, "t_note": "早报"},
                          now=shanghai(2026, 3, 16, 9), scope=Scope.for_user(world.community_worker))
    fill(template, {3: {"D": 8}, 4: {"D": "x", "E": 0, "F": 0, "G": "无"}})
    before = snapshot()
    assert import_file(template)[0] == 1
    assert snapshot() == before
    assert DataValue.objects.get(unit=world.community, element__code="t_patrols").number == 7


def test_an_unknown_element_code_in_the_header_is_named(template: Path) -> None:
    fill(template, {2: {"E": "t_bogus"}, 3: {"D": 1}})
    code, output = import_file(template)
    assert code == 1 and "第 2 行 E 列（发现问题数（个））：未知的数据元素编码「t_bogus」" in output


@pytest.mark.parametrize(("content", "expected"), [
    (b"", "文件为空"),
    (b"unit,period\nT-01-A-01,2026-03-16\n", "不是 xlsx 文件"),
    (b"%PDF-1.4 not a spreadsheet", "不是 xlsx 文件"),
])
def test_an_empty_or_foreign_file_is_refused_in_chinese(world: World, standards: object,
                                                        tmp_path: Path, content: bytes,
                                                        expected: str) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    code, output = import_file(path)
    assert code == 1 and expected in output


def test_a_truncated_file_is_refused(template: Path, tmp_path: Path) -> None:
    fill(template, {3: {"D": 3, "E": 2, "F": 1, "G": "正常"}})
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(template.read_bytes()[:2000])
    code, output = import_file(cut)
    assert code == 1 and "损坏或不完整" in output


def test_a_file_of_50_mb_is_refused_before_it_is_read(world: World, standards: object,
                                                      tmp_path: Path) -> None:
    big = tmp_path / "big.xlsx"
    with big.open("wb") as f:
        f.write(b"PK\x03\x04")
        f.truncate(50 * 1024 * 1024)
    code, output = import_file(big)
    assert code == 1 and "文件过大" in output and "上限为 10 MB" in output


def test_a_template_for_an_unknown_dataset_is_refused(world: World, standards: object,
                                                      tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="没有需要填报"):
        call_command("reports", "template", "--dataset", "street-day", "--period", "2026-03-16",
                     "-o", str(tmp_path / "x.xlsx"))


def test_a_template_fetched_in_english_imports_in_the_chinese_ui(world: World, standards: object
                                                                 ) -> None:
    from django.utils import translation

    from chuangjian.engine.periods import Period
    from chuangjian.org.scope import Scope
    from chuangjian.reporting import xlsx

    with translation.override("en"):
        content = xlsx.build_template("community-month", Period.parse("2026-02"),
                                      scope=Scope.system(), under=world.area)
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames[:2] == ["Entry", "Notes"]
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]][:3] == ["Unit code", "Unit name", "Period"]
    letters = {c.value: c.column_letter for c in ws[2]}
    # The element's name and unit are data; the brackets around the unit are not.
    assert ws[f"{letters['t_households']}1"].value == "居民户数 (户)"
    values = {"t_households": 800, "t_satisfaction": "90", "t_disputes": 2, "t_mediated": 1}
    for row in (3, 4):
        for code, value in values.items():
            ws[f"{letters[code]}{row}"] = value
    out = io.BytesIO()
    wb.save(out)
    result = xlsx.import_workbook(out.getvalue(), actor=None, scope=Scope.system(),
                                  now=shanghai(2026, 3, 2, 9))
    assert result.ok, [str(e) for e in result.errors]
    assert result.saved == 2
    # An error names its row and column in the reader's language.
    column = letters["t_households"]
    ws[f"{column}3"] = "很多"
    wb.save(out := io.BytesIO())
    failed = xlsx.import_workbook(out.getvalue(), actor=None, scope=Scope.system(),
                                  now=shanghai(2026, 3, 2, 9))
    assert [str(e) for e in failed.errors] == [
        f"第 3 行 {column} 列（居民户数 (户)）：「很多」不是数字"]
    with translation.override("en"):
        failed = xlsx.import_workbook(out.getvalue(), actor=None, scope=Scope.system(),
                                      now=shanghai(2026, 3, 2, 9))
        assert [str(e) for e in failed.errors] == [
            f"Row 3, column {column} (居民户数 (户)): “很多” is not a number"]


def test_a_report_file_of_ten_million_cells_is_refused_before_it_is_loaded(
        world: World, standards: object) -> None:
    from benchmarks.bombs import xlsx_without_refs
    from chuangjian.org.scope import Scope
    from chuangjian.reporting.xlsx import import_workbook

    before = snapshot()
    result = import_workbook(xlsx_without_refs(10_000_000), actor=None, scope=Scope.system())
    assert [str(e) for e in result.errors] == ["工作表「sheet1」超过 400000 个单元格，请拆分后分批导入"]
    assert snapshot() == before


def test_a_template_of_a_unit_named_like_a_formula_holds_text(
        world: World, standards: object, tmp_path: Path) -> None:
    from chuangjian.org import actions as org_actions

    org_actions.update_unit(actor=None, unit=world.community, name="=1+1", scope=Scope.system())
    out = tmp_path / "daily.xlsx"
    call_command("reports", "template", "--dataset", "community-day", "--period", "2026-03-16",
                 "--unit", world.area.code, "-o", str(out))
    sheet = load_workbook(out).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == "=1+1"]
    assert cells and all(c.data_type == "s" for c in cells)


@pytest.mark.parametrize("raw", ["1" * 31, "0." + "0" * 40 + "1", "9" * 1_000_000])
def test_a_number_with_too_many_digits_is_refused_in_chinese(raw: str) -> None:
    from chuangjian.reporting.values import ValueError_, parse_value
    from chuangjian.standards.models import DataElement

    element = DataElement(code="x", name="数量", type="integer")
    with pytest.raises(ValueError_, match="数字过长"):
        parse_value(element, raw)
