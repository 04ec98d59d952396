"""The points register in and out of spreadsheets (点位台账.xlsx).

Like the tree import (``org.io``): the whole file is checked first, every problem is
listed by row and column in Chinese, and nothing is saved while any row is wrong.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from chuangjian.audit.log import log_action
from chuangjian.inspections.actions.common import coordinates
from chuangjian.inspections.actions.points import check_point_fields, save_point
from chuangjian.inspections.models import Point, PointType
from chuangjian.lib.xlsx import Cell, XlsxRefused, guard_workbook, read_workbook
from chuangjian.org.io import RowError
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Cap, Scope

SHEET = "点位台账"
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
COLUMNS: list[tuple[str, int]] = [
    ("点位编码", 18), ("点位名称", 26), ("点位类型", 14), ("所在单位编码", 16), ("地址", 32),
    ("纬度", 11), ("经度", 11), ("责任单位编码", 16), ("联络员", 10), ("联络电话", 15),
    ("备注", 20),
]
REQUIRED = ("点位名称", "点位类型", "所在单位编码", "地址")
TYPE_FROM_TEXT = {**{str(label): value for value, label in PointType.choices},
                  **{value: value for value in PointType.values},
                  "KTV": PointType.KTV, "娱乐场所": PointType.KTV, "市场": PointType.MARKET,
                  "小区": PointType.COMPOUND, "商铺": PointType.SHOP, "道路": PointType.ROAD,
                  "公厕": PointType.TOILET, "学校": PointType.SCHOOL}
FIELD_COLUMNS = {"name": "点位名称", "type": "点位类型", "unit": "所在单位编码", "address": "地址",
                 "responsible_unit": "责任单位编码", "contact_phone": "联络电话",
                 "latitude": "纬度", "longitude": "经度", "code": "点位编码"}


def export_points(scope: Scope, root: Unit | None = None) -> bytes:
    qs = scope.filter(Point.objects.select_related("unit", "responsible_unit"),
                      field_name="unit__path")
    if root is not None:
        qs = qs.filter(unit__path__startswith=root.path)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append([h for h, _w in COLUMNS])
    for col, (_h, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=col)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="9F1D20")
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    n = 0
    for p in qs.order_by("unit__path", "code").iterator(chunk_size=2000):
        n += 1
        ws.append([p.code, p.name, p.get_type_display(), p.unit.code, p.address,
                   float(p.latitude) if p.latitude is not None else None,
                   float(p.longitude) if p.longitude is not None else None,
                   p.responsible_unit.code, p.contact_name, p.contact_phone, p.note])
    for letter in ("A", "D", "H", "J"):
        for cell in ws[letter][1:]:
            cell.number_format = "@"
    dv = DataValidation(type="list", formula1='"' + ",".join(str(label) for label in
                                                              PointType.labels) + '"',
                        allow_blank=False, showErrorMessage=True, errorTitle="点位类型",
                        error=_("请从下拉列表中选择"))
    dv.add(f"C2:C{max(n + 500, 1000)}")
    ws.add_data_validation(dv)
    out = io.BytesIO()
    guard_workbook(wb)
    wb.save(out)
    return out.getvalue()


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    values: dict[str, Any]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _is_formula(cell: Cell) -> bool:
    return cell.is_formula


def _read(data: bytes, filename: str, errors: list[RowError]) -> list[_Row]:
    if not filename.lower().endswith(".xlsx"):
        errors.append(RowError(None, None, _("只能导入 .xlsx 格式的 Excel 文件（当前文件：%(f)s）")
                               % {"f": filename}))
        return []
    if not data:
        errors.append(RowError(None, None, _("文件为空")))
        return []
    if len(data) > MAX_BYTES:
        errors.append(RowError(None, None, _("文件超过 10 MB，请拆分后分批导入")))
        return []
    try:
        # Rows and cells are counted while the file streams; the declared size is ignored.
        sheets = read_workbook(data, max_rows=MAX_ROWS + 1, max_cells=(MAX_ROWS + 1) * 30,
                               max_columns=60)
    except XlsxRefused as refused:
        errors.append(RowError(None, None, refused.message))
        return []
    raw = sheets.rows[SHEET] if SHEET in sheets.names else sheets.first()
    if not raw:
        errors.append(RowError(None, None, _("文件为空：第1行应为表头")))
        return []
    columns = {_text(c.value): i for i, c in enumerate(raw[0]) if _text(c.value)}
    missing = [h for h in REQUIRED if h not in columns]
    if missing:
        errors.append(RowError(1, None, _("缺少表头：%(h)s") % {"h": "、".join(missing)}))
        return []
    if len(raw) - 1 > MAX_ROWS:
        errors.append(RowError(None, None, _("一次最多导入 %(n)d 行") % {"n": MAX_ROWS}))
        return []
    rows: list[_Row] = []
    for number, cells in enumerate(raw[1:], start=2):
        values: dict[str, Any] = {}
        for header, index in columns.items():
            cell = cells[index] if index < len(cells) else None
            if cell is not None and _is_formula(cell):
                errors.append(RowError(number, header, _("单元格不能是公式")))
                continue
            values[header] = cell.value if cell is not None else None
        if all(_text(v) == "" for v in values.values()):
            continue
        rows.append(_Row(number, values))
    if not rows and not errors:
        errors.append(RowError(None, None, _("文件中没有数据行")))
    return rows


@transaction.atomic
def import_points(*, actor: User | None, scope: Scope, data: bytes, filename: str
                  ) -> ImportResult:
    """Check every row, then create or update points; nothing is saved on any error."""
    errors: list[RowError] = []
    rows = _read(data, filename, errors)
    if errors:
        return ImportResult(errors=errors)
    unit_codes = {_text(r.values.get(c)) for r in rows for c in ("所在单位编码", "责任单位编码")}
    units = {u.code: u for u in Unit.objects.filter(code__in=unit_codes - {""})}
    point_codes = {_text(r.values.get("点位编码")) for r in rows} - {""}
    existing = {p.code: p for p in Point.objects.filter(code__in=point_codes)
                .select_related("unit")}
    seen: dict[str, int] = {}
    plans: list[tuple[_Row, dict[str, Any]]] = []
    for row in rows:
        v = row.values
        code = _text(v.get("点位编码"))
        if code:
            if code in seen:
                errors.append(RowError(row.number, "点位编码", _("点位编码「%(c)s」与第%(n)d行重复")
                                       % {"c": code, "n": seen[code]}))
            seen[code] = row.number
            if len(code) > 40:
                errors.append(RowError(row.number, "点位编码", _("点位编码不能超过40个字符")))
        unit = units.get(_text(v.get("所在单位编码")))
        if unit is None or not scope.allows(unit, Cap.VIEW):
            errors.append(RowError(row.number, "所在单位编码", _("单位编码「%(c)s」不存在或不在您的范围内")
                                   % {"c": _text(v.get("所在单位编码"))}))
            continue
        resp_code = _text(v.get("责任单位编码"))
        responsible = units.get(resp_code) if resp_code else unit
        if responsible is None:
            errors.append(RowError(row.number, "责任单位编码", _("单位编码「%(c)s」不存在")
                                   % {"c": resp_code}))
            continue
        type_text = _text(v.get("点位类型"))
        fields = {"unit": unit, "responsible_unit": responsible, "code": code,
                  "name": _text(v.get("点位名称")), "type": TYPE_FROM_TEXT.get(type_text, type_text),
                  "address": _text(v.get("地址")), "contact_name": _text(v.get("联络员")),
                  "contact_phone": _text(v.get("联络电话")), "note": _text(v.get("备注")),
                  "latitude": v.get("纬度"), "longitude": v.get("经度")}
        found = check_point_fields(scope=scope, unit=unit, responsible_unit=responsible,
                                   name=str(fields["name"]), type=str(fields["type"]),
                                   address=str(fields["address"]),
                                   contact_phone=str(fields["contact_phone"]))
        if found.get("type"):
            found["type"] = _("未知的点位类型「%(v)s」，应为：%(opts)s") % {
                "v": type_text, "opts": "、".join(str(label) for label in PointType.labels)}
        try:
            coordinates(fields["latitude"], fields["longitude"])
        except ValidationError as error:
            found["latitude"] = "；".join(error.messages)
        old = existing.get(code)
        if old is not None and not scope.allows(old.unit, Cap.INSPECT) and not scope.allows(
                old.unit, Cap.MANAGE_UNITS):
            found["code"] = _("点位编码「%(c)s」已被使用") % {"c": code}
        for name, message in found.items():
            errors.append(RowError(row.number, FIELD_COLUMNS.get(name), message))
        plans.append((row, fields))
    if errors:
        return ImportResult(errors=sorted(errors, key=lambda e: (e.row or 0)))
    result = ImportResult()
    for row, fields in plans:
        point = existing.get(fields["code"]) if fields["code"] else None
        try:
            save_point(actor=actor, scope=scope, point=point, **fields)
        except ValidationError as error:
            transaction.set_rollback(True)
            field_name, messages = next(iter(error.message_dict.items()))
            return ImportResult(errors=[RowError(row.number, FIELD_COLUMNS.get(field_name),
                                                 "；".join(messages))])
        if point is None:
            result.created += 1
        else:
            result.updated += 1
    log_action(action="inspections.point.imported", actor=actor,
               data={"filename": filename, "created": result.created, "updated": result.updated})
    return result
