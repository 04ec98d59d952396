"""The registers in and out of spreadsheets: one registry of kinds, one import, one export.

Each kind (residents, households, volunteers, service, families, bp, mediation,
placements, facilities) names its Chinese column headers and the form of its web page
(``registers.forms``); every row of a file is validated by that same form, so a rule
added to a form holds on the page, in the file and in the API alike.

``import_rows`` checks the *whole* file first — the bounded xlsx reader, no formulas, no
merged cells, the headers of this kind, every row through its form, the same person
twice in the file, a person already registered elsewhere, a unit outside the importer's
scope — and writes nothing while any row is wrong; with ``skip_bad`` it writes the good
rows and returns an xlsx of the bad ones with the reason beside each.

Exports of personal data carry the exporter's name and the time (first row and the
workbook's properties) and are in the audit log (decision 0020).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from chuangjian.audit.log import log_action
from chuangjian.lib import personal
from chuangjian.lib.xlsx import Cell, XlsxRefused, guard_workbook, merged_ranges, read_workbook
from chuangjian.org.models import Unit
from chuangjian.org.scope import Cap, Scope
from chuangjian.registers import forms as rforms
from chuangjian.registers.models import (
    BPReading,
    Facility,
    FamilyHonour,
    Household,
    MediationCase,
    MediationParty,
    Person,
    Placement,
    ServiceRecord,
    Volunteer,
)

MAX_FILE_SIZE = 10 * 1024 * 1024
MAX_ROWS = 20_001  # 20,000 rows and the header
UNIT_HEADER = "单位编码"
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
TRUE_TEXT = {"是", "√", "✓", "y", "yes", "true", "1", "已命名", "完好"}
FALSE_TEXT = {"否", "×", "n", "no", "false", "0", ""}


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    example: Any = ""
    width: int = 14
    # The value of a saved row for the export (masked numbers unless revealed).
    get: Callable[[Any, bool], Any] | None = None


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    form: type[rforms.RegisterForm]
    columns: tuple[Column, ...]
    rows: Callable[[QuerySet[Any]], QuerySet[Any]]  # the export's rows of a unit subtree
    model: type[Model]
    unit_path: str  # the path of the unit that keeps a row, for the scope filter
    personal: bool = True
    # A key of a row that must be unique in one file (the same person twice …).
    key: Callable[[dict[str, Any], Unit], Any] | None = None
    key_message: str = ""

    @property
    def headers(self) -> list[str]:
        return [UNIT_HEADER, *(c.header for c in self.columns)]

    def cap_ok(self, scope: Scope, unit: Unit) -> bool:
        needed = [Cap.ENTER_DATA] + ([Cap.VIEW_PERSONS] if self.personal else [])
        return all(scope.allows(unit, c) for c in needed)


def _masked_id(person: Person | None, reveal: bool) -> str:
    if person is None or not person.id_number:
        return ""
    return person.id_number if reveal else personal.mask_id_number(person.id_number)


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _yes(value: bool) -> str:
    return "是" if value else "否"


def _display(obj: Any, name: str) -> str:
    return str(getattr(obj, f"get_{name}_display")()) if getattr(obj, name) else ""


EXAMPLE_ID = personal.compose_id_number("110105", dt.date(1980, 1, 1), 11)


def _resident_key(data: dict[str, Any], unit: Unit) -> Any:
    return data.get("id_number") or None


def _person_row_key(data: dict[str, Any], unit: Unit) -> Any:
    return (unit.pk, data.get("id_number")) if data.get("id_number") else None


KINDS: dict[str, Kind] = {}


def _register(kind: Kind) -> None:
    KINDS[kind.code] = kind


_register(Kind(
    code="residents", label="居民（实有人口）", form=rforms.PersonForm, model=Person,
    unit_path="unit__path",
    rows=lambda qs: qs.select_related("household").order_by("unit__path", "name", "pk"),
    columns=(
        Column("姓名", "name", "王建华", 10, lambda p, r: p.name),
        Column("公民身份号码", "id_number", EXAMPLE_ID, 22, lambda p, r: _masked_id(p, r)),
        Column("联系电话", "phone", "13800000000", 14,
               lambda p, r: (p.phone if r else personal.mask_phone(p.phone)) or ""),
        Column("人口类型", "residence", "户籍人口", 10, lambda p, r: _display(p, "residence")),
        Column("住址", "address", "幸福里小区3幢1单元201室", 30,
               lambda p, r: p.household.address if p.household else ""),
        Column("与户主关系", "relation", "户主", 10, lambda p, r: p.relation),
        Column("迁入日期", "moved_in_on", "", 12, lambda p, r: _date(p.moved_in_on)),
        Column("备注", "note", "", 20, lambda p, r: p.note),
    ),
    key=_resident_key, key_message="与第 %(row)d 行是同一个人（公民身份号码相同）",
))
_register(Kind(
    code="households", label="户", form=rforms.HouseholdForm, model=Household,
    unit_path="unit__path", rows=lambda qs: qs.order_by("unit__path", "building", "address"),
    columns=(
        Column("住址", "address", "幸福里小区3幢1单元201室", 30, lambda h, r: h.address),
        Column("楼组", "building", "3幢", 10, lambda h, r: h.building),
        Column("网格", "grid", "第一网格", 12, lambda h, r: h.grid),
        Column("备注", "note", "", 20, lambda h, r: h.note),
    ),
    key=lambda d, u: (u.pk, d.get("address")), key_message="与第 %(row)d 行是同一户（住址相同）",
))
_register(Kind(
    code="volunteers", label="志愿者", form=rforms.VolunteerForm, model=Volunteer,
    unit_path="unit__path",
    rows=lambda qs: qs.select_related("person", "team").order_by("unit__path", "registered_on"),
    columns=(
        Column("姓名", "name", "王建华", 10, lambda v, r: v.person.name),
        Column("公民身份号码", "id_number", EXAMPLE_ID, 22, lambda v, r: _masked_id(v.person, r)),
        Column("志愿服务队", "team_name", "幸福里志愿服务队", 18,
               lambda v, r: v.team.name if v.team else ""),
        Column("特长", "skills", "理发、维修", 16, lambda v, r: v.skills),
        Column("注册日期", "registered_on", "2024-03-05", 12, lambda v, r: _date(v.registered_on)),
        Column("退出日期", "left_on", "", 12, lambda v, r: _date(v.left_on)),
    ),
    key=_person_row_key, key_message="与第 %(row)d 行是同一个志愿者",
))
_register(Kind(
    code="service", label="志愿服务记录", form=rforms.ServiceRecordForm, model=ServiceRecord,
    unit_path="volunteer__unit__path",
    rows=lambda qs: qs.select_related("volunteer__person").order_by("-date", "pk"),
    columns=(
        Column("姓名", "name", "王建华", 10, lambda s, r: s.volunteer.person.name),
        Column("公民身份号码", "id_number", EXAMPLE_ID, 22,
               lambda s, r: _masked_id(s.volunteer.person, r)),
        Column("服务日期", "date", "2025-05-01", 12, lambda s, r: _date(s.date)),
        Column("服务地点", "place", "社区服务中心", 16, lambda s, r: s.place),
        Column("服务时长（小时）", "hours", "2.5", 10, lambda s, r: s.hours),
        Column("服务内容", "content", "为老人理发", 20, lambda s, r: s.content),
    ),
))
_register(Kind(
    code="families", label="家庭创建", form=rforms.FamilyHonourForm, model=FamilyHonour,
    unit_path="household__unit__path",
    rows=lambda qs: qs.select_related("household").order_by("-year", "kind", "pk"),
    columns=(
        Column("住址", "address", "幸福里小区3幢1单元201室", 30, lambda f, r: f.household.address),
        Column("类别", "kind", "健康家庭", 12, lambda f, r: _display(f, "kind")),
        Column("年度", "year", "2025", 8, lambda f, r: f.year),
        Column("评议意见", "evaluation", "", 20, lambda f, r: f.evaluation),
        Column("已命名", "awarded", "是", 8, lambda f, r: _yes(f.awarded)),
        Column("命名级别", "level", "社区级", 12, lambda f, r: _display(f, "level")),
    ),
    key=lambda d, u: (u.pk, d.get("address"), d.get("kind"), d.get("year")),
    key_message="与第 %(row)d 行重复（同一户、同一类别、同一年度）",
))
_register(Kind(
    code="bp", label="血压测量", form=rforms.BPReadingForm, model=BPReading,
    unit_path="person__unit__path",
    rows=lambda qs: qs.select_related("person").order_by("-measured_on", "pk"),
    columns=(
        Column("姓名", "name", "王建华", 10, lambda b, r: b.person.name),
        Column("公民身份号码", "id_number", EXAMPLE_ID, 22, lambda b, r: _masked_id(b.person, r)),
        Column("测量日期", "measured_on", "2025-06-01", 12, lambda b, r: _date(b.measured_on)),
        Column("测量地点", "place", "社区卫生服务站", 16, lambda b, r: b.place),
        Column("收缩压（mmHg）", "systolic", 128, 10, lambda b, r: b.systolic),
        Column("舒张压（mmHg）", "diastolic", 82, 10, lambda b, r: b.diastolic),
        Column("测量人", "measured_by", "李医生", 10, lambda b, r: b.measured_by),
    ),
))
_register(Kind(
    code="mediation", label="调解案件", form=rforms.MediationCaseForm, model=MediationCase,
    unit_path="unit__path",
    rows=lambda qs: qs.prefetch_related("parties").order_by("-received_on", "pk"),
    columns=(
        Column("纠纷类型", "kind", "邻里纠纷", 12, lambda m, r: m.kind),
        Column("纠纷简况", "summary", "楼上漏水", 30, lambda m, r: m.summary),
        Column("当事人", "parties", "张三、李四", 20,
               lambda m, r: "、".join(p.name for p in m.parties.all())),
        Column("受理日期", "received_on", "2025-04-02", 12, lambda m, r: _date(m.received_on)),
        Column("结案日期", "closed_on", "2025-04-10", 12, lambda m, r: _date(m.closed_on)),
        Column("调解结果", "outcome", "调解成功", 10, lambda m, r: _display(m, "outcome")),
        Column("调解员", "mediator", "赵调解", 10, lambda m, r: m.mediator),
    ),
))
_register(Kind(
    code="placements", label="再就业安置", form=rforms.PlacementForm, model=Placement,
    unit_path="unit__path",
    rows=lambda qs: qs.select_related("person").order_by("-placed_on", "pk"),
    columns=(
        Column("姓名", "name", "王建华", 10, lambda p, r: p.person.name),
        Column("公民身份号码", "id_number", EXAMPLE_ID, 22, lambda p, r: _masked_id(p.person, r)),
        Column("就业单位", "employer", "清源物业公司", 20, lambda p, r: p.employer),
        Column("就业日期", "placed_on", "2025-03-01", 12, lambda p, r: _date(p.placed_on)),
        Column("经办人", "placed_by", "张小燕", 10, lambda p, r: p.placed_by),
        Column("备注", "note", "", 20, lambda p, r: p.note),
    ),
))
_register(Kind(
    code="facilities", label="设施与场所", form=rforms.FacilityForm, model=Facility,
    unit_path="unit__path", personal=False,
    rows=lambda qs: qs.order_by("unit__path", "kind", "name"),
    columns=(
        Column("类别", "kind", "消防器材", 12, lambda f, r: _display(f, "kind")),
        Column("名称", "name", "幸福超市灭火器", 20, lambda f, r: f.name),
        Column("位置", "address", "幸福里商业街5号", 24, lambda f, r: f.address),
        Column("数量", "quantity", 2, 8, lambda f, r: f.quantity),
        Column("面积（平方米）", "area_m2", "", 12, lambda f, r: f.area_m2 or ""),
        Column("完好", "working", "是", 8, lambda f, r: _yes(f.working)),
        Column("最近检查日期", "inspected_on", "2025-06-01", 12, lambda f, r: _date(f.inspected_on)),
        Column("撤销日期", "removed_on", "", 12, lambda f, r: _date(f.removed_on)),
        Column("备注", "note", "", 20, lambda f, r: f.note),
    ),
))


def kind_for(code: str) -> Kind:
    try:
        return KINDS[code]
    except KeyError:
        raise ValidationError(_("没有这种登记表：%(k)s。可选：%(all)s") % {
            "k": code, "all": "、".join(KINDS)}) from None


# -- templates ---------------------------------------------------------------------------
def _sheet(kind: Kind, title_row: list[str] | None = None) -> tuple[Workbook, Any]:
    wb = Workbook()
    ws = wb.active
    ws.title = kind.label[:31]
    if title_row:
        ws.append(title_row)
        ws.cell(row=1, column=1).font = Font(italic=True, color="666666")
    ws.append(kind.headers)
    header_row = ws.max_row
    for i in range(1, len(kind.headers) + 1):
        cell = ws.cell(row=header_row, column=i)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        width = 12 if i == 1 else kind.columns[i - 2].width
        ws.column_dimensions[get_column_letter(i)].width = width + 2
        # Numbers typed into the columns (ID numbers, phones) stay text, not 1.1E+17.
        ws.column_dimensions[get_column_letter(i)].number_format = "@"
    ws.freeze_panes = f"A{header_row + 1}"
    return wb, ws


def template(kind: Kind, *, unit_code: str = "") -> bytes:
    """An empty file of ``kind`` with Chinese headers and one example row (the example row
    is recognised and skipped when the file comes back)."""
    wb, ws = _sheet(kind)
    ws.append([unit_code or "示例", *(_text(c.example) for c in kind.columns)])
    for cell in ws[2]:
        cell.font = Font(italic=True, color="888888")
    out = io.BytesIO()
    guard_workbook(wb).save(out)
    return out.getvalue()


def _text(value: Any) -> Any:
    return value if isinstance(value, int | float | Decimal) and not isinstance(value, bool) \
        else str(value)


# -- import ------------------------------------------------------------------------------
@dataclass
class RowError:
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(_("第 %(n)d 行") % {"n": self.row})
        if self.column:
            where.append(_("「%(c)s」列") % {"c": self.column})
        return ("".join(where) + "：" if where else "") + self.message


@dataclass
class ImportResult:
    kind: Kind
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    skipped: int = 0
    error_file: bytes | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    unit: Unit | None = None
    cleaned: dict[str, Any] | None = None  # the form's cleaned data, when it was valid
    instance: Any = None  # the row the form built (not saved yet)
    errors: list[RowError] = field(default_factory=list)


def _cell_text(cell: Cell) -> Any:
    value = cell.value
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None:
        return ""
    return str(value).strip()


def _as_date(text: str) -> str:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    return text


def _form_data(kind: Kind, values: dict[str, str]) -> dict[str, Any]:
    """Spreadsheet text → the form's POST data: labels of choices to codes, 是/否 to
    booleans, the usual date spellings to ISO."""
    data: dict[str, Any] = {}
    probe = kind.form.base_fields
    for column in kind.columns:
        text = values.get(column.header, "")
        form_field = probe.get(column.field)
        if isinstance(form_field, forms.ChoiceField) and text:
            for code, label in list(getattr(form_field, "choices", [])):
                if text in (str(code), str(label)):
                    text = str(code)
                    break
        elif isinstance(form_field, forms.BooleanField):
            if text.lower() in TRUE_TEXT:
                text = "on"
            elif text.lower() in FALSE_TEXT:
                text = ""
        elif isinstance(form_field, forms.DateField) and text:
            text = _as_date(text)
        data[column.field] = text
    return data


def _detect_other_kind(headers: list[str], kind: Kind) -> Kind | None:
    present = set(headers)
    best: tuple[int, Kind] | None = None
    for other in KINDS.values():
        if other is kind:
            continue
        overlap = len(present & set(other.headers))
        if overlap == len(other.headers) and (best is None or overlap > best[0]):
            best = (overlap, other)
    return best[1] if best else None


def _unit_from(code: str, default: Unit | None, scope: Scope, kind: Kind
               ) -> tuple[Unit | None, str | None]:
    if not code or code == "示例":
        if default is None:
            return None, _("请填写单位编码，或导入时指定单位。")
        return default, None
    unit = Unit.objects.filter(code=code, closed_on__isnull=True).first()
    # A unit outside the importer's scope reads the same as one that does not exist.
    if unit is None or not scope.allows(unit, Cap.VIEW):
        return None, _("单位编码「%(c)s」不存在或不在您的权限范围内。") % {"c": code}
    if not kind.cap_ok(scope, unit):
        return None, _("您不能在「%(u)s」登记%(k)s。") % {"u": unit.name, "k": kind.label}
    if default is not None and not unit.path.startswith(default.path):
        return None, _("单位「%(u)s」不在导入时指定的「%(d)s」之内。") % {
            "u": unit.name, "d": default.name}
    return unit, None


def read_rows(kind: Kind, data: bytes) -> tuple[list[_Row], list[RowError]]:
    """The data rows of a file of ``kind`` (header checked, formulas and merged cells
    refused); errors of the file as a whole come back in the second list."""
    try:
        sheets = read_workbook(data, max_rows=MAX_ROWS,
                               wanted=lambda names: names[:1])
    except XlsxRefused as exc:
        return [], [RowError(None, None, exc.message)]
    merged = merged_ranges(data)
    if merged:
        return [], [RowError(None, None, _(
            "表格中有合并的单元格（%(r)s），请取消合并、每行每格各填一个值后再导入。")
            % {"r": "、".join(merged)})]
    rows = sheets.first()
    header_index = next((i for i, row in enumerate(rows[:5])
                         if any(str(c.value or "").strip() in kind.headers for c in row)), None)
    headers = ([str(c.value or "").strip() for c in rows[header_index]]
               if header_index is not None else [])
    missing = [h for h in kind.headers if h not in headers and h != UNIT_HEADER]
    if header_index is None or missing:
        first = rows[0] if rows else []
        other = _detect_other_kind(
            headers or [str(c.value or "").strip() for c in first], kind)
        if other is not None:
            return [], [RowError(None, None, _(
                "这是「%(other)s」的模板，不是「%(kind)s」的。请下载「%(kind)s」的模板填写。")
                % {"other": other.label, "kind": kind.label})]
        return [], [RowError(1, None, _("缺少表头：%(h)s。请使用「%(kind)s」的导入模板。") % {
            "h": "、".join(missing or kind.headers), "kind": kind.label})]
    example = [UNIT_HEADER and "示例", *(str(_text(c.example)) for c in kind.columns)]
    out: list[_Row] = []
    errors: list[RowError] = []
    for row in rows[header_index + 1:]:
        if not row:
            continue
        number = row[0].row
        values: dict[str, str] = {}
        for cell in row:
            if cell.column > len(headers) or not headers[cell.column - 1]:
                continue
            header = headers[cell.column - 1]
            if cell.is_formula:
                errors.append(RowError(number, header, _(
                    "单元格 %(ref)s 是公式，请复制后“粘贴为数值”再导入。") % {
                    "ref": f"{cell.column_letter}{number}"}))
                continue
            if header in ("公民身份号码", "联系电话") and isinstance(cell.value, float) \
                    and cell.value >= 1e15:
                errors.append(RowError(number, header, _(
                    "号码被表格当作数字保存，后几位已经丢失；请把这一列设为“文本”后重新填写。")))
                continue
            values[header] = _cell_text(cell)
        if not any(values.values()):
            continue
        if [values.get(h, "") for h in kind.headers] == example:
            continue  # the template's example row
        out.append(_Row(number=number, values=values))
    return out, errors


def _bind(kind: Kind, cache: dict[int, rforms.RegisterForm], unit: Unit, scope: Scope,
          data: dict[str, Any]) -> rforms.RegisterForm:
    """The kind's form bound to one row. One form object per unit is bound again for each
    row (a new instance, data and errors each time): building 10,000 forms would spend
    most of an import deep-copying the same fields."""
    form = cache.get(unit.pk)
    if form is None:
        form = cache[unit.pk] = kind.form(data=data, unit=unit, scope=scope)
        return form
    form.data, form.is_bound, form._errors = data, True, None  # type: ignore[attr-defined]
    form.instance = kind.model()
    return form


def _validate(kind: Kind, rows: list[_Row], *, scope: Scope, default: Unit | None) -> None:
    seen: dict[Any, int] = {}
    cache: dict[int, rforms.RegisterForm] = {}
    field_headers = {c.field: c.header for c in kind.columns}
    for row in rows:
        row.unit, problem = _unit_from(row.values.get(UNIT_HEADER, ""), default, scope, kind)
        if problem:
            row.errors.append(RowError(row.number, UNIT_HEADER, problem))
            continue
        if row.unit is None:
            continue
        form = _bind(kind, cache, row.unit, scope, _form_data(kind, row.values))
        if not form.is_valid():
            for name, messages in form.errors.items():
                header = field_headers.get(name)
                for message in messages:
                    row.errors.append(RowError(row.number, header, str(message)))
            continue
        row.cleaned, row.instance = dict(form.cleaned_data), form.instance
        if kind.key is not None:
            key = kind.key(row.cleaned, row.unit)
            if key is not None and key in seen:
                row.errors.append(RowError(
                    row.number, field_headers.get("id_number") or field_headers.get("address"),
                    _(kind.key_message) % {"row": seen[key]}))
                continue
            if key is not None:
                seen[key] = row.number
        if "name" in row.cleaned or "name" not in field_headers:
            continue
        # The name typed beside a number must be the registered one's.
        instance = row.instance
        person = getattr(instance, "person", None) if getattr(instance, "person_id", None) \
            else None
        if person is None and isinstance(instance, ServiceRecord) and instance.volunteer_id:
            person = instance.volunteer.person
        typed = "".join(row.values.get("姓名", "").split())
        if person is not None and typed and typed != person.name.replace(" ", ""):
            row.errors.append(RowError(row.number, "姓名", _(
                "姓名与该公民身份号码登记的姓名不一致，请核对。")))
    if kind.code == "residents":
        _refuse_registered(rows, scope)


def _refuse_registered(rows: list[_Row], scope: Scope) -> None:
    """A number already on file: the row names where (if the importer may see it)."""
    good = {personal.id_hash(r.cleaned["id_number"]): r
            for r in rows if not r.errors and r.cleaned is not None}
    hashes = list(good)
    for start in range(0, len(hashes), 500):
        for found in Person.objects.select_related("unit").filter(
                id_number_hash__in=hashes[start:start + 500]):
            row = good[found.id_number_hash or ""]
            if scope.allows(found.unit, Cap.VIEW_PERSONS):
                message = _("此人已在「%(u)s」登记（%(n)s），不要重复登记；如已迁入，请在其页面办理迁入。"
                            ) % {"u": found.unit.name, "n": found.name}
            else:
                message = _("该公民身份号码已在其他单位登记，不要重复登记；如已迁入本社区，"
                            "请原社区先办理迁出。")
            row.errors.append(RowError(row.number, "公民身份号码", message))


def _save_residents(rows: list[_Row], actor: Any) -> int:
    user = actor if getattr(actor, "is_authenticated", False) else None
    by_address: dict[tuple[int, str], Household] = {}
    wanted = {(r.unit.pk, " ".join(r.cleaned.get("address", "").split()))
              for r in rows if r.unit and r.cleaned is not None}
    wanted = {w for w in wanted if w[1]}
    for unit_id in {u for u, _a in wanted}:
        addresses = [a for u, a in wanted if u == unit_id]
        for start in range(0, len(addresses), 500):
            for h in Household.objects.filter(unit_id=unit_id,
                                              address__in=addresses[start:start + 500]):
                by_address[(unit_id, h.address)] = h
    new_households = [Household(unit_id=u, address=a, created_by=user)
                      for u, a in sorted(wanted) if (u, a) not in by_address]
    Household.objects.bulk_create(new_households, batch_size=500)
    for h in new_households:
        by_address[(h.unit_id, h.address)] = h
    people = []
    for row in rows:
        if row.cleaned is None or row.unit is None:
            continue
        data = row.cleaned
        number, phone = data["id_number"], data.get("phone") or ""
        facts = personal.id_facts(number)
        address = " ".join(data.get("address", "").split())
        people.append(Person(
            unit=row.unit, household=by_address.get((row.unit.pk, address)), name=data["name"],
            id_number=number, id_number_hash=personal.id_hash(number),
            phone=phone or None, phone_hash=personal.phone_hash(phone) if phone else "",
            sex=facts.sex, birth_date=facts.birth_date, residence=data["residence"],
            relation=data.get("relation", ""), moved_in_on=data.get("moved_in_on"),
            note=data.get("note", ""), created_by=user))
    Person.objects.bulk_create(people, batch_size=1000)
    heads: dict[int, Household] = {}
    for person in people:
        household = person.household
        if household is None:
            continue
        if household.head_id is None or person.relation == "户主":
            household.head = person
            heads[household.pk] = household
    Household.objects.bulk_update(list(heads.values()), ["head"], batch_size=500)
    return len(people)


def _save_one(kind: Kind, row: _Row, actor: Any) -> None:
    if row.cleaned is None:
        return
    instance = row.instance
    instance.created_by = actor if getattr(actor, "is_authenticated", False) else None
    if isinstance(instance, Volunteer) and instance.team is not None and instance.team.pk is None:
        team = instance.team
        team.save()
        instance.team = team
    if isinstance(instance, Household) and row.unit is not None:
        instance.unit = row.unit
    instance.save()
    if isinstance(instance, MediationCase):
        MediationParty.objects.bulk_create(
            MediationParty(case=instance, name=name, person=person)
            for name, person in row.cleaned["parties"])


def save_rows(kind: Kind, rows: list[_Row], *, actor: Any) -> int:
    if kind.code == "residents":
        return _save_residents(rows, actor)
    for row in rows:
        _save_one(kind, row, actor)
    return len(rows)


def _error_file(kind: Kind, rows: list[_Row]) -> bytes:
    wb, ws = _sheet(kind)
    ws.cell(row=1, column=len(kind.headers) + 1, value="错误").font = Font(bold=True,
                                                                         color="C00000")
    for row in rows:
        ws.append([*(row.values.get(h, "") for h in kind.headers),
                   "；".join(str(e) for e in row.errors)])
    out = io.BytesIO()
    guard_workbook(wb).save(out)
    return out.getvalue()


def _tell_sources(kind: Kind, rows: list[_Row]) -> None:
    """The figures computed from this register are stale for the units and periods of
    the rows written (decision 0021)."""
    from chuangjian import sources
    from chuangjian.registers.sources import ELEMENTS_OF_KIND, day_of

    codes = ELEMENTS_OF_KIND.get(kind.code)
    if not codes:
        return
    seen: set[tuple[int, dt.date]] = set()
    for row in rows:
        if row.unit is None:
            continue
        day = day_of(kind.code, row.instance) if row.instance is not None else \
            timezone.localdate()
        key = (row.unit.pk, day)
        if key not in seen:
            seen.add(key)
            sources.changed(unit_id=key[0], element_codes=codes, day=key[1])


def import_rows(kind: Kind, data: bytes, *, scope: Scope, actor: Any, unit: Unit | None = None,
                skip_bad: bool = False) -> ImportResult:
    """Import a file of ``kind``; nothing is written while any row is wrong, unless
    ``skip_bad`` (then the good rows are written and ``error_file`` lists the others)."""
    result = ImportResult(kind=kind)
    if unit is not None and not kind.cap_ok(scope, unit):
        raise PermissionDenied
    if len(data) > MAX_FILE_SIZE:
        result.errors.append(RowError(None, None, _("文件超过 10 MB，请拆分后分批导入。")))
        return result
    rows, file_errors = read_rows(kind, data)
    if file_errors and not rows:
        result.errors = file_errors
        return result
    _validate(kind, rows, scope=scope, default=unit)
    by_row: dict[int, list[RowError]] = {}
    for error in file_errors:
        by_row.setdefault(error.row or 0, []).append(error)
    for row in rows:
        row.errors = by_row.pop(row.number, []) + row.errors
    bad = [r for r in rows if r.errors]
    result.errors = [e for r in bad for e in r.errors] + [e for es in by_row.values() for e in es]
    if not rows and not result.errors:
        result.errors.append(RowError(None, None, _("文件中没有数据行。")))
    if result.errors and not skip_bad:
        return result
    good = [r for r in rows if not r.errors]
    with transaction.atomic():
        result.created = save_rows(kind, good, actor=actor) if good else 0
        _tell_sources(kind, good)
        if good:
            log_action(action="registers.imported", actor=actor, unit=unit or good[0].unit,
                       data={"kind": kind.code, "rows": result.created, "skipped": len(bad)})
    if bad:
        result.skipped = len(bad)
        result.error_file = _error_file(kind, bad)
    return result


# -- export ------------------------------------------------------------------------------
def export_rows(kind: Kind, *, scope: Scope, actor: Any, unit: Unit, reveal: bool = False
                ) -> bytes:
    """The rows of ``kind`` kept in ``unit`` and below that the exporter may see, as xlsx.

    Numbers are masked unless ``reveal`` (which needs ``REVEAL_PERSONAL`` at ``unit``);
    the first row and the workbook's properties name the exporter and the time, and the
    export is in the audit log."""
    needed = Cap.VIEW_PERSONS if kind.personal else Cap.VIEW
    if not scope.allows(unit, needed) or (reveal and not scope.allows(unit, Cap.REVEAL_PERSONAL)):
        raise PermissionDenied
    qs = kind.model.objects.filter(**{f"{kind.unit_path}__startswith": unit.path})  # type: ignore[attr-defined]
    qs = scope.filter(qs, needed, field_name=kind.unit_path)
    qs = kind.rows(qs)
    who = (getattr(actor, "full_name", "") or getattr(actor, "username", "")) or _("系统")
    now = timezone.localtime()
    stamp = _("导出人：%(who)s　导出时间：%(t)s　%(k)s　%(u)s") % {
        "who": who, "t": now.strftime("%Y-%m-%d %H:%M"), "k": kind.label, "u": unit.name}
    wb, ws = _sheet(kind, [stamp])
    count = 0
    codes = dict(Unit.objects.filter(path__startswith=unit.path).values_list("pk", "code"))
    for obj in qs.iterator(chunk_size=1000):
        ws.append([codes.get(_unit_id_of(obj) or 0, ""),
                   *(c.get(obj, reveal) if c.get else "" for c in kind.columns)])
        count += 1
    wb.properties.creator = who
    wb.properties.created = now.replace(tzinfo=None)
    wb.properties.title = stamp
    out = io.BytesIO()
    guard_workbook(wb).save(out)
    with transaction.atomic():
        log_action(action="registers.exported", actor=actor, unit=unit,
                   data={"kind": kind.code, "rows": count, "full_numbers": reveal})
    return out.getvalue()


def _unit_id_of(obj: Any) -> int | None:
    for path in ("unit_id", "volunteer.unit_id", "household.unit_id", "person.unit_id"):
        target = obj
        for part in path.split("."):
            target = getattr(target, part, None)
            if target is None:
                break
        if target is not None:
            return int(target)
    return None


def kinds() -> Iterable[Kind]:
    return KINDS.values()
