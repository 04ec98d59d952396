"""Bad-input corpus of the units import (组织架构.xlsx): generated malformed files and
cells, each refused with its Chinese error, nothing written to the database."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping

import pytest

from benchmarks.bombs import units_xlsx_with_huge_dimension, xlsx_one_long_row, xlsx_without_refs
from chuangjian.audit.models import AuditEntry
from chuangjian.org.io import import_tree
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.org.tests.test_io import ROW, with_, xlsx

pytestmark = pytest.mark.django_db

GOOD = xlsx([ROW])


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()


def _with_sheet_xml(old: bytes, new: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(GOOD)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(old, new)
            zout.writestr(info.filename, data)
    return out.getvalue()


CORRUPT = "不是有效的 xlsx 文件"
FILES: list[tuple[str, bytes, str]] = [
    ("empty", b"", "文件为空"),
    ("text", "编码,名称\nA,B\n".encode(), CORRUPT),
    ("html", b"<html><script>alert(1)</script></html>", CORRUPT),
    ("pdf", b"%PDF-1.7\n%%EOF", CORRUPT),
    ("png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, CORRUPT),
    ("ole_xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, CORRUPT),
    ("zip_without_workbook", _zip({"hello.txt": b"hi"}), CORRUPT),
    ("zip_with_garbage_sheet", _zip({"xl/worksheets/sheet1.xml": b"<<<"}), CORRUPT),
    ("doctype", _with_sheet_xml(b"<worksheet", b'<!DOCTYPE x [<!ENTITY a "b">]><worksheet'),
     "DOCTYPE"),
    ("ten_million_cells", xlsx_without_refs(10_000_000), "个单元格"),
    ("one_long_row", xlsx_one_long_row(1_000_000), "个单元格"),
    ("too_many_rows", xlsx_without_refs(25_000, per_row=1), "行，请拆分后分批导入"),
    ("only_pk", b"PK\x03\x04", CORRUPT),
    *[(f"truncated_at_{n}", GOOD[:n], CORRUPT) for n in (10, 100, 500, 1000, 2000, 3000, 4000)],
    *[(f"bitflip_at_{n}", GOOD[:n] + bytes([GOOD[n] ^ 0xFF]) + GOOD[n + 1:], CORRUPT)
      for n in (40, 80, 120)],
]

CELLS: list[tuple[str, Mapping[str, object], str, str]] = [
    ("empty_code", {"编码": ""}, "编码", "编码不能为空"),
    ("long_code", {"编码": "X" * 33}, "编码", "编码不能超过32个字符"),
    ("empty_name", {"名称": None}, "名称", "名称不能为空"),
    ("long_name", {"名称": "社" * 101}, "名称", "名称不能超过100个字符"),
    ("empty_level", {"层级": ""}, "层级", "层级不能为空"),
    *[(f"level_{v}", {"层级": v}, "层级", "未知的层级") for v in ("大队", "省", "組", "level9", "0")],
    *[(f"kind_{v}", {"类型": v}, "类型(块/条)", "类型只能是「块」或「条」") for v in ("横", "竖", "x")],
    *[(f"category_{v}", {"城乡分类": v}, "城乡分类", "城乡分类只能是") for v in ("郊区", "城市", "1")],
    *[(f"date_{n}", {"设立日期": v}, "设立日期", "日期格式不正确")
      for n, v in enumerate(("2024-13-45", "昨天", "2024/02/30", "31.12.2024", "2024年13月1日",
                             "99999"))],
    *[(f"closed_{n}", {"撤销日期": v}, "撤销日期", "日期格式不正确")
      for n, v in enumerate(("明年", "2024-00-01"))],
    ("closed_before_opened", {"设立日期": "2024-01-01", "撤销日期": "2023-01-01"}, "撤销日期",
     "撤销日期必须晚于设立日期"),
    *[(f"division_{v}", {"区划代码": v}, "区划代码", "区划代码应为")
      for v in ("3303X", "1", "123", "12345", "1234567", "ABCDEF", "3303810010011")],
    *[(f"formula_{n}", {"名称": v}, "名称", "单元格不能是公式")
      for n, v in enumerate(("=1+1", '=HYPERLINK("http://x","y")', "=CMD|'/c calc'!A0"))],
    ("department_without_type", {"类型": "条"}, "部门类别", "职能部门（条）须填写部门类别"),
    ("own_parent", {"上级编码": "T-01-A-09"}, "上级编码", "上级编码不能是单位自己"),
    ("unknown_parent", {"上级编码": "NOPE"}, "上级编码", "上级编码「NOPE」不存在"),
]


def _nothing_written(before: tuple[int, int]) -> None:
    assert (Unit.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize(("name", "data", "message"), FILES, ids=[c[0] for c in FILES])
def test_a_malformed_units_file_is_refused_in_chinese(db, name: str, data: bytes,
                                                      message: str) -> None:
    before = (Unit.objects.count(), AuditEntry.objects.count())
    result = import_tree(actor=None, scope=Scope.system(), data=data, filename="组织架构.xlsx")
    assert not result.ok
    assert message in str(result.errors[0]), result.errors
    _nothing_written(before)


@pytest.mark.parametrize(("name", "changes", "column", "message"), CELLS,
                         ids=[c[0] for c in CELLS])
def test_a_malformed_cell_is_refused_with_its_row_and_column(
        db, name: str, changes: Mapping[str, object], column: str, message: str) -> None:
    before = (Unit.objects.count(), AuditEntry.objects.count())
    result = import_tree(actor=None, scope=Scope.system(), data=xlsx([with_(**changes)]),
                         filename="组织架构.xlsx")
    assert any(e.row == 2 and e.column == column and message in e.message
               for e in result.errors), result.errors
    _nothing_written(before)


@pytest.mark.parametrize("name", ["组织架构.xls", "组织架构.csv", "组织架构", "units.xlsx.exe"])
def test_a_file_not_named_xlsx_is_refused(db, name: str) -> None:
    result = import_tree(actor=None, scope=Scope.system(), data=GOOD, filename=name)
    assert "只能导入 .xlsx" in str(result.errors[0])
    assert not Unit.objects.exists()


def test_a_huge_declared_dimension_with_an_unknown_parent_names_the_row(db) -> None:
    result = import_tree(actor=None, scope=Scope.system(),
                         data=units_xlsx_with_huge_dimension(rows=2), filename="组织架构.xlsx")
    assert [e.row for e in result.errors] == [2, 3]
    assert not Unit.objects.exists()
