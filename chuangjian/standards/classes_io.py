"""Unit classes (单位类别) in and out of spreadsheets.

One row per unit and period: 单位编码, 标准, 起始期间, 单位类别, 依据. The import checks the
whole file first and saves nothing while any row is wrong, naming the row and column.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from chuangjian.org.io import RowError
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Cap, Scope
from chuangjian.standards import actions

SHEET_TITLE = "单位类别"
HEADERS = ("单位编码", "标准", "起始期间", "单位类别", "依据")
REQUIRED = HEADERS[:4]
MAX_FILE_SIZE = 5 * 1024 * 1024   # 5 MB: a county's classes are a few kilobytes
MAX_ROWS = 20_000                 # more units than a city has
MAX_COLUMNS = 20


@dataclass
class ClassImportResult:
    errors: list[RowError] = field(default_factory=list)
    saved: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _message(exc: ValidationError) -> tuple[str | None, str]:
    columns = {"unit": "单位编码", "standard": "标准", "period": "起始期间",
               "unit_class": "单位类别"}
    if hasattr(exc, "error_dict"):
        key, errors = next(iter(exc.error_dict.items()))
        return columns.get(key), "；".join(str(m) for e in errors for m in e.messages)
    return None, "；".join(exc.messages)


def _read(data: bytes, filename: str) -> tuple[list[tuple[int, list[str]]], list[RowError]]:
    if not filename.lower().endswith(".xlsx"):
        return [], [RowError(None, None, _("只能导入 .xlsx 格式的 Excel 文件（当前文件：%(f)s）")
                             % {"f": filename})]
    if not data:
        return [], [RowError(None, None, _("文件为空"))]
    if len(data) > MAX_FILE_SIZE:
        return [], [RowError(None, None, _("文件超过 5 MB，请拆分后分批导入"))]
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    # openpyxl raises many different exceptions for a broken file; all mean the same.
    except Exception:
        return [], [RowError(None, None,
                             _("无法读取文件：不是有效的 xlsx 文件，或文件已损坏、不完整"))]
    rows: list[tuple[int, list[str]]] = []
    try:
        ws = wb[SHEET_TITLE] if SHEET_TITLE in wb.sheetnames else wb.worksheets[0]
        for number, cells in enumerate(ws.iter_rows(max_col=MAX_COLUMNS, values_only=True),
                                       start=1):
            if number > MAX_ROWS + 1:
                return [], [RowError(None, None, _("文件超过 %(n)d 行，请拆分后分批导入")
                                     % {"n": MAX_ROWS})]
            rows.append((number, [_text(c) for c in cells]))
    except Exception:  # a truncated sheet may fail only when it is read
        return [], [RowError(None, None,
                             _("无法读取文件：不是有效的 xlsx 文件，或文件已损坏、不完整"))]
    finally:
        wb.close()
    if not rows or not any(rows[0][1]):
        return [], [RowError(None, None, _("文件为空：第1行应为表头（%(h)s）")
                             % {"h": "、".join(HEADERS)})]
    return rows, []


@transaction.atomic
def import_unit_classes(*, actor: User | None, scope: Scope, data: bytes, filename: str
                        ) -> ClassImportResult:
    """Set the classes a file lists; nothing is saved while any row is wrong."""
    rows, errors = _read(data, filename)
    if errors:
        return ClassImportResult(errors=errors)
    header = rows[0][1]
    columns = {h: header.index(h) for h in HEADERS if h in header}
    missing = [h for h in REQUIRED if h not in columns]
    if missing:
        return ClassImportResult(errors=[RowError(1, None, _("缺少表头：%(h)s")
                                                  % {"h": "、".join(missing)})])
    body = [(n, cells) for n, cells in rows[1:] if any(cells)]
    if not body:
        return ClassImportResult(errors=[RowError(None, None, _("文件中没有数据行"))])
    units = {u.code: u for u in Unit.objects.filter(
        code__in=[cells[columns["单位编码"]] for _n, cells in body
                  if columns["单位编码"] < len(cells)])}
    result = ClassImportResult()

    def cell(cells: list[str], name: str) -> str:
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    for number, cells in body:
        values = {h: cell(cells, h) for h in HEADERS}
        blank = [h for h in REQUIRED if not values[h]]
        if blank:
            result.errors.append(RowError(number, blank[0], _("不能为空")))
            continue
        unit = units.get(values["单位编码"])
        if unit is None or not scope.allows(unit, Cap.VIEW):
            result.errors.append(RowError(number, "单位编码", _("单位编码「%(c)s」不存在")
                                          % {"c": values["单位编码"]}))
            continue
        if not scope.allows(unit, Cap.MANAGE_UNITS):
            result.errors.append(RowError(number, "单位编码", _("无权设置「%(n)s」的类别")
                                          % {"n": unit.name}))
            continue
        try:
            # Each row in its own savepoint, so one bad row does not poison the rest's checks.
            with transaction.atomic():
                actions.set_unit_class(actor=actor, scope=scope, unit=unit,
                                       standard_code=values["标准"], period=values["起始期间"],
                                       unit_class=values["单位类别"], reason=values["依据"])
            result.saved += 1
        except ValidationError as exc:
            column, message = _message(exc)
            result.errors.append(RowError(number, column, message))
    if result.errors:
        transaction.set_rollback(True)
        return ClassImportResult(errors=result.errors)
    return result


def export_unit_classes(scope: Scope, standard_code: str, year: int) -> bytes:
    """The classes holding in ``year`` for the units ``scope`` sees, as an importable file."""
    from chuangjian.standards.models import UnitClassAssignment

    standard = actions.class_standard(standard_code)
    rows = (UnitClassAssignment.objects
            .filter(standard_code=standard.code, period__lt=str(year + 1),
                    unit_class__isnull=False, unit__in=scope.units(Cap.VIEW))
            .select_related("unit", "unit_class").order_by("unit__path", "period"))
    latest: dict[int, Any] = {}
    for row in rows:
        latest[row.unit_id] = row
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # noqa: S101 - a new workbook always has a sheet
    ws.title = SHEET_TITLE
    ws.append(list(HEADERS))
    for row in latest.values():
        ws.append([row.unit.code, standard.code, row.period, row.unit_class.name, row.reason])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
