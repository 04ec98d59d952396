"""Spreadsheet templates out and in (xlsx): the same rules as the web form and the API.

A template has the Chinese header in row 1, the system codes in row 2 (so a renamed
header never breaks an import) and one row per unit from row 3, filled with what is
already stored. An import is all or nothing: any error anywhere — a bad file, an
unknown unit, a formula, a value out of range — is reported by row and column in
Chinese (or the reader's language) and nothing is saved, so a stored value is never
lost to a failed import. The file's own texts (headers, notes) are written in the
language of whoever downloads it; an import reads only the codes of row 2 and the
hidden ``_meta`` sheet, so a template fetched in either language imports in both.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override, pgettext_lazy
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from chuangjian.engine.periods import SHANGHAI, Period
from chuangjian.lib.xlsx import Sheets, XlsxRefused, guard_workbook, read_workbook
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Cap, Scope
from chuangjian.reporting import actions
from chuangjian.reporting.datasets import MergedDataset, catalog, split_code, unit_open_during
from chuangjian.reporting.labels import period_label, period_type_label
from chuangjian.reporting.models import Channel, DataValue
from chuangjian.reporting.values import TYPE_LABELS, format_number

MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
# A data set has at most a few hundred elements; a full sheet of a city is ~200 k cells.
MAX_COLUMNS = 400
MAX_CELLS = 400_000
DATA_SHEET = pgettext_lazy("xlsx sheet", "填报")
META_SHEET = "_meta"
FIXED = [gettext_lazy("单位编码"), gettext_lazy("单位名称"), gettext_lazy("期间")]
FIXED_CODES = ["unit", "unit_name", "period"]
_HEAD = PatternFill("solid", fgColor="9F1D20")
_CODE = PatternFill("solid", fgColor="F1F3F5")
_TYPE_LABELS = TYPE_LABELS


class TemplateError(ValueError):
    """No template can be made; the message says why (Chinese, or the reader's language)."""


def too_large_text(size: int) -> str:
    return _("文件过大（%(size).1f MB），上限为 %(limit)d MB；请按单位或期间分成几个文件") % {
        "size": size / 1024 / 1024, "limit": MAX_IMPORT_BYTES // 1024 // 1024}


def imported_text(result: ImportResult) -> str:
    return _("导入成功：%(saved)d 份报表已上报，%(unchanged)d 份与已报数据相同") % {
        "saved": result.saved, "unchanged": result.unchanged}


# -- template ---------------------------------------------------------------------------


def template_units(dataset_code: str, period: Period, *, scope: Scope,
                   under: Unit | None = None) -> list[tuple[Unit, MergedDataset]]:
    """Units in scope that report ``dataset_code`` for ``period`` (under a unit, if given)."""
    parts = split_code(dataset_code)
    if parts is None:
        raise TemplateError(_("数据集编码「%(code)s」无效，应如 community-day、area-month") % {
            "code": dataset_code})
    _key, period_type = parts
    if period.type is not period_type:
        raise TemplateError(_("期间「%(period)s」是%(type)s，数据集「%(code)s」按%(own)s报送") % {
            "period": str(period), "type": period_type_label(period.type), "code": dataset_code,
            "own": period_type_label(period_type)})
    qs = scope.units(Cap.ENTER_DATA)
    if under is not None:
        qs = qs.filter(path__startswith=under.path)
    cat = catalog()
    found = []
    for unit in qs.order_by("path"):
        ds = cat.dataset(unit, dataset_code, period.start.year)
        if ds is not None and unit_open_during(unit, period):
            found.append((unit, ds))
    if not found:
        raise TemplateError(_("没有需要填报「%(code)s」%(period)s的单位") % {
            "code": dataset_code, "period": period_label(period)})
    return found


def build_template(dataset_code: str, period: Period, *, scope: Scope,
                   under: Unit | None = None) -> bytes:
    pairs = template_units(dataset_code, period, scope=scope, under=under)
    # Units of one level may differ in their elements (城镇/农村); the template has
    # every column any of them needs, and an import only asks each unit for its own.
    columns: dict[str, Any] = {}
    for _unit, ds in pairs:
        for element in ds.elements:
            columns.setdefault(element.code, element)
    stored: dict[tuple[int, str], str] = {}
    for v in DataValue.objects.filter(unit__in=[u.pk for u, _ds in pairs], period=str(period),
                                      element__code__in=list(columns)).select_related("element"):
        stored[(v.unit_id, v.element.code)] = v.display
    wb = Workbook()
    ws = wb.active
    ws.title = str(DATA_SHEET)
    headers = [str(h) for h in FIXED] + [
        _("%(name)s（%(unit)s）") % {"name": e.name, "unit": e.unit} if e.unit else e.name
        for e in columns.values()]
    codes = FIXED_CODES + list(columns)
    ws.append(headers)
    ws.append(codes)
    for col, element in enumerate(columns.values(), start=len(FIXED) + 1):
        cell = ws.cell(row=1, column=col)
        kind = str(_TYPE_LABELS.get(element.type, element.type))
        cell.comment = Comment(_("%(type)s，单位：%(unit)s") % {"type": kind, "unit": element.unit}
                               if element.unit else kind, _("系统"))
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _HEAD
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for cell in ws[2]:
        cell.font = Font(italic=True, color="888888", size=9)
        cell.fill = _CODE
    ws.row_dimensions[1].height = 36
    not_asked = _("（不填）")
    for unit, ds in pairs:
        own = {e.code for e in ds.elements}
        row: list[Any] = [unit.code, unit.name, str(period)]
        for code in columns:
            # A unit that does not report this element; the importer skips the cell.
            row.append(stored.get((unit.pk, code), "") if code in own else not_asked)
        ws.append(row)
    for r in range(3, ws.max_row + 1):
        ws.cell(row=r, column=3).number_format = "@"  # keep 2026-03 as text, not a date
    last = ws.max_row
    for col, element in enumerate(columns.values(), start=len(FIXED) + 1):
        letter = get_column_letter(col)
        rule = _excel_rule(element)
        if rule is not None and last >= 3:
            rule.add(f"{letter}3:{letter}{last}")
            ws.add_data_validation(rule)
        ws.column_dimensions[letter].width = max(12, min(28, len(headers[col - 1]) * 2 + 2))
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 18
    ws.column_dimensions["C"].width = 12
    ws.freeze_panes = "D3"
    _write_notes(wb, dataset_code, period, pairs[0][1], list(columns.values()))
    meta = wb.create_sheet(META_SHEET)
    meta.append(["dataset", dataset_code])
    meta.append(["period", str(period)])
    meta.append(["generated", timezone.now().astimezone(SHANGHAI).isoformat(timespec="seconds")])
    meta.sheet_state = "hidden"
    out = io.BytesIO()
    guard_workbook(wb)
    wb.save(out)
    return out.getvalue()


def _excel_rule(element: Any) -> DataValidation | None:
    prompt = str(_TYPE_LABELS.get(element.type, ""))
    if element.type == "integer":
        low = int(element.min_value) if element.min_value is not None else 0
        rule = DataValidation(type="whole", operator="greaterThanOrEqual", formula1=str(low))
    elif element.type == "percent":
        rule = DataValidation(type="decimal", operator="between", formula1="0", formula2="100")
    elif element.type == "boolean":
        # Both words are accepted on import in every language (values.parse_value).
        yes, no = _("是"), _("否")
        rule = DataValidation(type="list", formula1=f'"{yes},{no}"')
    else:
        return None
    rule.error = _("%(name)s应为%(type)s") % {"name": element.name, "type": prompt}
    rule.errorTitle = _("数值不符合要求")
    rule.showErrorMessage = True
    return rule


def _write_notes(wb: Workbook, code: str, period: Period, ds: MergedDataset,
                 elements: Iterable[Any]) -> None:
    ws = wb.create_sheet(_("说明"))
    ws.append([_("数据集"), _("%(name)s（%(code)s）") % {"name": ds.name, "code": code}])
    ws.append([_("期间"), _("%(name)s（%(code)s）") % {"name": period_label(period),
                                                    "code": str(period)}])
    ws.append([_("截止时间"), _("%(due)s（北京时间，%(rule)s）") % {
        "due": f"{ds.deadline_for(period).astimezone(SHANGHAI):%Y-%m-%d %H:%M}",
        "rule": ds.deadline_label}])
    ws.append([_("填写方法"), _("在“%(sheet)s”表第 3 行起填写数值；第 2 行是系统编码，请勿修改；"
                             "请填数值，不要用公式；空白单元格表示保持已上报的值。") % {
                                 "sheet": DATA_SHEET}])
    ws.append([])
    ws.append([_("编码"), _("名称"), _("类型"), _("计量单位"), _("取值范围")])
    for e in elements:
        low = format_number(e.min_value) if e.min_value is not None else ""
        high = format_number(e.max_value) if e.max_value is not None else ""
        ws.append([e.code, e.name, str(_TYPE_LABELS.get(e.type, e.type)), e.unit,
                   f"{low}–{high}" if (low or high) else ""])
    if ds.rules:
        ws.append([])
        ws.append([_("校验规则")])
        for rule in ds.rules:
            ws.append([rule.text, rule.message])
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 60


# -- import -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CellError:
    row: int          # 0 for the whole file
    column: str       # a letter, or ""
    header: str
    message: str

    def __str__(self) -> str:
        if not self.row:
            return self.message
        args = {"row": self.row, "column": self.column, "header": self.header,
                "message": self.message}
        if self.column and self.header:
            return _("第 %(row)d 行 %(column)s 列（%(header)s）：%(message)s") % args
        if self.column:
            return _("第 %(row)d 行 %(column)s 列：%(message)s") % args
        return _("第 %(row)d 行：%(message)s") % args


@dataclass
class ImportResult:
    errors: list[CellError] = field(default_factory=list)
    saved: int = 0          # submissions written
    unchanged: int = 0      # rows identical to what was stored
    dataset_code: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


def _read(content: bytes, *, meta_only: bool = False) -> tuple[Sheets | None, list[CellError]]:
    if not content:
        return None, [CellError(0, "", "", _("文件为空"))]
    if len(content) > MAX_IMPORT_BYTES:
        return None, [CellError(0, "", "", too_large_text(len(content)))]
    if not content.startswith(b"PK\x03\x04"):
        return None, [CellError(0, "", "", _("不是 xlsx 文件：请使用本系统下载的模板，"
                                             "用 Excel 或 WPS 另存为“Excel 工作簿（*.xlsx）”后上传"))]
    try:
        # Streamed with rows and cells counted as they are read (the declared
        # dimension ignored): a small file with millions of cells is refused early.
        # The small _meta sheet is read first, so a file that is not our template
        # is refused before its data sheet is read.
        sheets = read_workbook(content, max_rows=MAX_ROWS + 2, max_cells=MAX_CELLS,
                               max_columns=MAX_COLUMNS,
                               wanted=(lambda names: [META_SHEET]) if meta_only
                               else (lambda names: [*names[:1], META_SHEET]))
    except XlsxRefused as refused:
        return None, [CellError(0, "", "", refused.message)]
    return sheets, []


def _cell_text(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def import_workbook(content: bytes, *, actor: User | None, scope: Scope,
                    now: dt.datetime | None = None) -> ImportResult:
    """Check every row, then save all of it in one transaction — or nothing at all."""
    now = now or timezone.now()
    sheets, file_errors = _read(content, meta_only=True)
    result = ImportResult(errors=file_errors)
    if sheets is None:
        return result
    code = ""
    years = {now.astimezone(SHANGHAI).year}
    if META_SHEET in sheets.names:
        meta = {str(r[0].value): r[1].value if len(r) > 1 else None
                for r in sheets.rows[META_SHEET] if r and r[0].value}
        code = str(meta.get("dataset") or "")
        with contextlib.suppress(ValueError):
            years.add(Period.parse(str(meta.get("period") or "")).start.year)
    if not code or split_code(code) is None:
        result.errors.append(CellError(0, "", "", _("找不到数据集编码（隐藏的 _meta 工作表缺失或"
                                                    "被改动）；请用本系统重新下载模板")))
        return result
    result.dataset_code = code
    sheets, file_errors = _read(content)
    if sheets is None:
        result.errors.extend(file_errors)
        return result
    # The data sheet is the first one, whatever language its name is in.
    rows = sheets.first()
    if len(rows) < 2:
        result.errors.append(CellError(0, "", "", _("表格缺少表头（第 1、2 行）")))
        return result
    headers = [str(c.value or "") for c in rows[0]]
    codes = [str(c.value or "").strip() for c in rows[1]]
    if codes[:3] != FIXED_CODES:
        result.errors.append(CellError(2, "A", "", _("第 2 行的系统编码被改动，应为 unit、"
                                                     "unit_name、period 开头")))
        return result
    columns: dict[int, str] = {}
    known = catalog_codes(code, years)
    for index, element_code in enumerate(codes[3:], start=3):
        if not element_code:
            continue
        if element_code not in known:
            result.errors.append(CellError(2, get_column_letter(index + 1), headers[index],
                                           _("未知的数据元素编码「%(code)s」") % {
                                               "code": element_code}))
        elif element_code in columns.values():
            result.errors.append(CellError(2, get_column_letter(index + 1), headers[index],
                                           _("数据元素「%(code)s」的列重复") % {
                                               "code": element_code}))
        else:
            columns[index] = element_code
    if result.errors:
        return result

    unit_codes = {str(r[0].value).strip() for r in rows[2:] if r and r[0].value not in (None, "")}
    units = {u.code: u for u in scope.filter(Unit.objects.filter(code__in=unit_codes),
                                             Cap.ENTER_DATA)}
    seen: dict[tuple[str, str], int] = {}
    not_asked = _not_asked_texts()
    planned: list[tuple[int, Unit, str, dict[str, Any]]] = []
    for cells in rows[2:]:
        if not cells:
            continue
        row_no = cells[0].row
        values = [c.value for c in cells]
        if all(v in (None, "") for v in values):
            continue
        formula = False
        for c in cells:
            if c.data_type == "f" or (isinstance(c.value, str) and c.value.startswith("=")):
                formula = True
                result.errors.append(CellError(row_no, c.column_letter, headers[c.column - 1]
                                               if c.column - 1 < len(headers) else "",
                                               _("单元格含公式，请改为数值（复制后"
                                                 "“选择性粘贴—数值”）")))
        if formula:
            continue
        unit_code = str(values[0] or "").strip()
        period_text = str(_cell_text(values[2]) or "").strip() if len(values) > 2 else ""
        if not unit_code:
            result.errors.append(CellError(row_no, "A", str(FIXED[0]), _("单位编码不能为空")))
            continue
        unit = units.get(unit_code)
        if unit is None:
            result.errors.append(CellError(row_no, "A", str(FIXED[0]),
                                           _("单位编码「%(code)s」不存在或不在您的填报权限范围内") % {
                                               "code": unit_code}))
            continue
        if not period_text:
            result.errors.append(CellError(row_no, "C", str(FIXED[2]), _("期间不能为空")))
            continue
        try:
            ds, period = actions.resolve(unit, code, period_text, now=now)
        except ValidationError as error:
            result.errors.append(CellError(row_no, "C", str(FIXED[2]), _("；").join(error.messages)))
            continue
        key = (unit.code, str(period))
        if key in seen:
            result.errors.append(CellError(row_no, "A", str(FIXED[0]),
                                           _("与第 %(row)d 行重复（同一单位同一期间只能有一行）") % {
                                               "row": seen[key]}))
            continue
        seen[key] = row_no
        raw: dict[str, Any] = {}
        letters: dict[str, tuple[str, str]] = {}
        for index, element_code in columns.items():
            cell_value = values[index] if index < len(values) else None
            letters[element_code] = (get_column_letter(index + 1), headers[index])
            if element_code not in ds.element_by_code:
                continue
            if cell_value in (None, "") or cell_value in not_asked:
                continue
            raw[element_code] = _cell_text(cell_value)
        checked = actions.check_values(unit, ds, period, raw, complete=True)
        for element_code, message in checked.errors.items():
            letter, header = letters.get(element_code, ("", ds.element_by_code[element_code].name))
            if element_code not in letters:
                message = _("%(name)s：缺少此列，%(message)s") % {
                    "name": ds.element_by_code[element_code].name, "message": message}
            result.errors.append(CellError(row_no, letter, header, message))
        for message in checked.general:
            result.errors.append(CellError(row_no, "", "", message))
        if not checked.errors and not checked.general:
            planned.append((row_no, unit, str(period), raw))
    if result.errors:
        result.errors.sort(key=lambda e: (e.row, e.column))
        return result
    if not planned:
        result.errors.append(CellError(0, "", "", _("没有数据行（从第 3 行起填写）")))
        return result
    try:
        with transaction.atomic():
            for row_no, unit, period_text, raw in planned:
                try:
                    outcome = actions.submit_values(actor=actor, unit=unit, dataset_code=code,
                                                    period=period_text, values=raw,
                                                    channel=Channel.IMPORT, now=now, scope=scope)
                except (ValidationError, PermissionDenied) as error:
                    messages = getattr(error, "messages", None) or [str(error)]
                    result.errors.append(CellError(row_no, "", "", _("；").join(messages)))
                    continue
                if outcome.new_version:
                    result.saved += 1
                else:
                    result.unchanged += 1
            if result.errors:
                raise _Rollback
    except _Rollback:
        result.saved = result.unchanged = 0
    return result


class _Rollback(Exception):
    pass


def _not_asked_texts() -> set[str]:
    """The filler of cells a unit does not report, in every language a template is made in."""
    texts = set()
    for code, _name in settings.LANGUAGES:
        with override(code):
            texts.add(_("（不填）"))
    return texts


def catalog_codes(dataset_code: str, years: Iterable[int]) -> set[str]:
    """Every element code any unit may report under ``dataset_code`` (for header checks)."""
    codes: set[str] = set()
    cat = catalog()
    for year in years:
        for _category, _probe, ds in cat.profiles(year):
            if ds.code == dataset_code:
                codes |= set(ds.element_by_code)
    return codes
