"""The org tree in and out of spreadsheets (组织架构.xlsx).

``export_tree`` writes the units a scope may see, parents before children.
``import_tree`` reads such a file back: it checks the *whole* file first and
saves nothing while any row is wrong, so a clerk fixes the listed cells and
uploads again instead of untangling a half-imported tree. Existing codes update
their unit (rename, category, move); new codes create units under their parent.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from chuangjian.audit.log import log_action
from chuangjian.audit.models import AuditEntry
from chuangjian.lib.xlsx import Cell, XlsxRefused, guard_workbook, read_workbook
from chuangjian.org import actions
from chuangjian.org.levels import LEVEL_ORDER, Category, Kind, Level, level_from_text, level_label
from chuangjian.org.models import Unit, UnitVersion, User
from chuangjian.org.models.units import path_segment, pinyin_key
from chuangjian.org.scope import Cap, Scope

SHEET_TITLE = "组织架构"
MAX_FILE_SIZE = 10 * 1024 * 1024  # 10 MB: a province's tree is well under 1 MB.
# A city has ~3,000 communities under ~150 streets; a province's file is split by city.
MAX_ROWS = 20_000
BATCH = 500  # rows per INSERT/UPDATE statement while writing

# (header, column width). The order is the order of the exported columns.
COLUMNS: list[tuple[str, int]] = [
    ("编码", 16), ("名称", 28), ("层级", 12), ("上级编码", 16), ("类型(块/条)", 12),
    ("部门类别", 14), ("城乡分类", 10), ("设立日期", 12), ("撤销日期", 12), ("区划代码", 14),
]
REQUIRED_HEADERS = ("编码", "名称", "层级", "上级编码")
# Clerks retype headers; accept the obvious variants of the one with brackets.
HEADER_ALIASES = {"类型": "类型(块/条)", "类型（块/条）": "类型(块/条)"}
KIND_TEXT = {Kind.AREA.value: "块", Kind.DEPARTMENT.value: "条"}
KIND_FROM_TEXT = {"块": Kind.AREA.value, "条": Kind.DEPARTMENT.value,
                  Kind.AREA.value: Kind.AREA.value, Kind.DEPARTMENT.value: Kind.DEPARTMENT.value,
                  str(Kind.AREA.label): Kind.AREA.value,
                  str(Kind.DEPARTMENT.label): Kind.DEPARTMENT.value}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
DIVISION_CODE_LENGTHS = {2, 4, 6, 9, 12}


# -- export ------------------------------------------------------------------------------

def export_tree(scope: Scope, root: Unit | None = None, *, cap: Cap = Cap.VIEW) -> bytes:
    """The units ``scope`` may ``cap`` (under ``root`` if given) as an xlsx file."""
    units = scope.filter(Unit.objects.select_related("parent"), cap)
    if root is not None:
        units = units.filter(path__startswith=root.path)
    # A path is a prefix of its children's paths, so path order lists parents first.
    units = units.order_by("path")

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    ws.append([header for header, _width in COLUMNS])
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for col, (_header, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=col)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"

    n = 0
    for unit in units.iterator(chunk_size=2000):
        n += 1
        ws.append([
            unit.code, unit.name, level_label(unit.level),
            unit.parent.code if unit.parent else "", KIND_TEXT.get(unit.kind, unit.kind),
            unit.department_type, unit.category, unit.opened_on, unit.closed_on,
            unit.division_code,
        ])
    for row in ws.iter_rows(min_row=2, min_col=8, max_col=9):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    # Codes are text even when they look like numbers (区划代码 330381001 must not
    # become 3.30381E+08), so the code columns are formatted as text.
    for letter in ("A", "D", "J"):
        for cell in ws[letter][1:]:
            cell.number_format = "@"

    last = max(n + 500, 1000)  # room for rows the clerk adds
    for letter, options, title in (
        ("C", [level_label(code) for code in Level.values], "层级"),
        ("E", ["块", "条"], "类型"),
        ("G", Category.values, "城乡分类"),
    ):
        dv = DataValidation(type="list", formula1='"' + ",".join(options) + '"',
                            allow_blank=True, showErrorMessage=True,
                            errorTitle=title, error=_("请从下拉列表中选择"))
        dv.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(dv)

    buffer = io.BytesIO()
    guard_workbook(wb)
    wb.save(buffer)
    return buffer.getvalue()


# -- import ------------------------------------------------------------------------------

@dataclass(frozen=True)
class RowError:
    """One problem in the file: Excel row number (None for the whole file) and column."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(_("第%(n)d行") % {"n": self.row})
        if self.column:
            where.append(_("「%(c)s」列") % {"c": self.column})
        return ("".join(where) + "：" if where else "") + self.message


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    moved: int = 0
    closed: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    code: str = ""
    name: str = ""
    level: str = ""
    parent_code: str = ""
    kind: str | None = None           # None: the column is absent or the cell empty
    department_type: str | None = None
    category: str | None = None
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None
    division_code: str | None = None
    has: set[str] = field(default_factory=set)  # columns present in the file


class _Errors:
    def __init__(self) -> None:
        self.items: list[RowError] = []

    def add(self, row: _Row | int | None, column: str | None, message: str) -> None:
        number = row.number if isinstance(row, _Row) else row
        self.items.append(RowError(number, column, message))


class _Abort(Exception):
    """Internal control flow: undo the import from inside the save loop."""

    def __init__(self, error: RowError) -> None:
        self.error = error


def import_tree(*, actor: User | None, scope: Scope, data: bytes, filename: str) -> ImportResult:
    """Validate the whole file, then create and update units; nothing is saved on any error.

    Reading and checking (every rule the actions would apply while saving) run outside
    any transaction: a large or hostile file never holds the database's write lock (on
    SQLite, other users' logins would wait). Only the writes of an already valid file run
    in one short transaction, in batches (bulk INSERT/UPDATE per level of the tree), not
    row by row: 500 rows take some 30 statements.
    """
    errors = _Errors()
    rows = _read_rows(data, filename, errors)
    if not rows:
        return ImportResult(errors=errors.items)
    # Cell errors do not stop the tree checks: the clerk sees every problem at once.
    plan = _Plan(rows, scope, errors)
    plan.check()
    if not errors.items:
        plan.check_before_writing()
    if errors.items:
        return ImportResult(errors=sorted(errors.items, key=_error_order))
    return _apply(plan, actor=actor, filename=filename)


@transaction.atomic
def _apply(plan: _Plan, *, actor: User | None, filename: str) -> ImportResult:
    result = ImportResult()
    try:
        plan.apply(actor, result)
    except _Abort as abort:
        # A rule the checks above did not foresee (or a concurrent change): undo it all.
        transaction.set_rollback(True)
        return ImportResult(errors=[abort.error])
    log_action(action="org.unit.imported", actor=actor,
               data={"filename": filename, "created": result.created, "updated": result.updated,
                     "moved": result.moved, "closed": result.closed,
                     "unchanged": result.unchanged})
    return result


def _error_order(e: RowError) -> tuple[int, int]:
    columns = [h for h, _w in COLUMNS]
    return (e.row or 0, columns.index(e.column) if e.column in columns else -1)


# -- reading the file --------------------------------------------------------------------

def _read_rows(data: bytes, filename: str, errors: _Errors) -> list[_Row]:
    if not filename.lower().endswith(".xlsx"):
        errors.add(None, None, _("只能导入 .xlsx 格式的 Excel 文件（当前文件：%(f)s）")
                   % {"f": filename})
        return []
    if len(data) > MAX_FILE_SIZE:
        errors.add(None, None, _("文件超过 10 MB，请拆分后分批导入"))
        return []
    if not data:
        errors.add(None, None, _("文件为空"))
        return []
    try:
        # Rows and cells are counted while the file streams; the declared size is ignored.
        sheets = read_workbook(data, max_rows=MAX_ROWS + 1, max_cells=(MAX_ROWS + 1) * 20,
                               max_columns=50)
    except XlsxRefused as refused:
        errors.add(None, None, refused.message)
        return []
    raw = sheets.rows[SHEET_TITLE] if SHEET_TITLE in sheets.names else sheets.first()

    if not raw or all(_blank(c.value) for c in raw[0]):
        errors.add(None, None, _("文件为空：第1行应为表头（%(h)s）")
                   % {"h": "、".join(h for h, _w in COLUMNS)})
        return []
    columns: dict[str, int] = {}
    for index, cell in enumerate(raw[0]):
        if _is_formula(cell):
            errors.add(1, None, _("单元格不能是公式"))
            continue
        header = _text(cell.value)
        header = HEADER_ALIASES.get(header, header)
        if header and header not in columns:
            columns[header] = index
    missing = [h for h in REQUIRED_HEADERS if h not in columns]
    if missing:
        errors.add(1, None, _("缺少表头：%(h)s") % {"h": "、".join(missing)})
        return []

    rows: list[_Row] = []
    for number, cells in enumerate(raw[1:], start=2):
        if all(_blank(c.value) for c in cells):
            continue
        rows.append(_parse_row(number, cells, columns, errors))
    if not rows and not errors.items:
        errors.add(None, None, _("文件中没有数据行"))
    return rows


def _parse_row(number: int, cells: list[Cell], columns: dict[str, int],
               errors: _Errors) -> _Row:
    row = _Row(number=number, has={h for h in columns if h in dict(COLUMNS)})
    values: dict[str, Any] = {}
    for header, index in columns.items():
        if header not in row.has:
            continue
        cell = cells[index] if index < len(cells) else None
        if cell is not None and _is_formula(cell):
            errors.add(row, header, _("单元格不能是公式"))
            values[header] = None
        else:
            values[header] = cell.value if cell is not None else None

    row.code = _text(values.get("编码"))
    if not row.code:
        errors.add(row, "编码", _("编码不能为空"))
    elif len(row.code) > 32:
        errors.add(row, "编码", _("编码不能超过32个字符"))
    row.name = _text(values.get("名称"))
    if not row.name:
        errors.add(row, "名称", _("名称不能为空"))
    elif len(row.name) > 100:
        errors.add(row, "名称", _("名称不能超过100个字符"))
    level_text = _text(values.get("层级"))
    level = level_from_text(level_text) if level_text else None
    if not level_text:
        errors.add(row, "层级", _("层级不能为空"))
    elif level is None:
        errors.add(row, "层级", _("未知的层级「%(v)s」，应为：%(opts)s") % {
            "v": level_text, "opts": "、".join(level_label(c) for c in Level.values)})
    row.level = level or ""
    row.parent_code = _text(values.get("上级编码"))

    kind_text = _text(values.get("类型(块/条)"))
    if kind_text:
        row.kind = KIND_FROM_TEXT.get(kind_text)
        if row.kind is None:
            errors.add(row, "类型(块/条)", _("类型只能是「块」或「条」，不能是「%(v)s」")
                       % {"v": kind_text})
    if "部门类别" in row.has:
        row.department_type = _text(values.get("部门类别"))
    category = _text(values.get("城乡分类"))
    if category:
        if category in Category.values:
            row.category = category
        else:
            errors.add(row, "城乡分类", _("城乡分类只能是「城镇」或「农村」，不能是「%(v)s」")
                       % {"v": category})
    row.opened_on = _date(row, "设立日期", values.get("设立日期"), errors)
    row.closed_on = _date(row, "撤销日期", values.get("撤销日期"), errors)
    if row.opened_on and row.closed_on and row.closed_on <= row.opened_on:
        errors.add(row, "撤销日期", _("撤销日期必须晚于设立日期"))
    if "区划代码" in row.has:
        division = _text(values.get("区划代码"))
        if division and not (division.isdigit() and len(division) in DIVISION_CODE_LENGTHS):
            errors.add(row, "区划代码", _("区划代码应为 2、4、6、9 或 12 位数字，不能是「%(v)s」")
                       % {"v": division})
        row.division_code = division
    if row.kind == Kind.DEPARTMENT and not row.department_type:
        errors.add(row, "部门类别", _("职能部门（条）须填写部门类别"))
    return row


def _is_formula(cell: Cell) -> bool:
    return cell.is_formula or type(cell.value).__name__ in ("ArrayFormula", "DataTableFormula")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed as a number: 330381.0 → "330381"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _date(row: _Row, column: str, value: Any, errors: _Errors) -> dt.date | None:
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    errors.add(row, column, _("日期格式不正确：「%(v)s」，应为 2024-01-31 这样的日期") % {"v": text})
    return None


# -- checking the tree -------------------------------------------------------------------

class _Plan:
    """The rows resolved against the database: what will be created, updated, moved."""

    def __init__(self, rows: list[_Row], scope: Scope, errors: _Errors) -> None:
        self.rows = rows
        self.scope = scope
        self.errors = errors
        self.by_code: dict[str, _Row] = {}
        self.existing: dict[str, Unit] = {}   # code → unit, for codes in the file or as parents
        self.db_parent: dict[str, str] = {}   # code → parent code, for every loaded unit
        self.order: list[_Row] = []

    def check(self) -> None:
        for row in self.rows:
            if not row.code:
                continue
            first = self.by_code.get(row.code)
            if first is not None:
                self.errors.add(row, "编码", _("编码「%(c)s」与第%(n)d行重复")
                                % {"c": row.code, "n": first.number})
            else:
                self.by_code[row.code] = row
        self._load_units()
        for row in self.rows:
            if row.code and self.by_code.get(row.code) is row:
                self._check_existing(row)
        for row in self.rows:
            if row.code and self.by_code.get(row.code) is row:
                self._check_parent(row)
        self._check_cycles()
        if not self.errors.items:
            self.order = sorted(self.by_code.values(), key=self._depth)

    def _load_units(self) -> None:
        wanted = set(self.by_code) | {r.parent_code for r in self.rows if r.parent_code}
        units = list(_chunked_units(wanted))
        # The ancestors of every unit too, so a cycle through the database is seen.
        ancestor_ids = {i for u in units for i in u.ancestor_ids()}
        ancestor_ids -= {u.pk for u in units}
        units += list(Unit.objects.filter(pk__in=ancestor_ids))
        code_of = {u.pk: u.code for u in units}
        for unit in units:
            self.existing[unit.code] = unit
            if unit.parent_id is not None:
                self.db_parent[unit.code] = code_of[unit.parent_id]

    def _visible(self, code: str) -> Unit | None:
        unit = self.existing.get(code)
        return unit if unit is not None and self.scope.allows(unit, Cap.VIEW) else None

    def _check_existing(self, row: _Row) -> None:
        unit = self.existing.get(row.code)
        if unit is None:
            return
        if not self.scope.allows(unit, Cap.VIEW):
            # Another street's unit: from here the row would create a unit, and the code
            # is taken. Say only that, so the file cannot probe other streets' trees.
            self.errors.add(row, "编码", _("编码「%(c)s」已被使用") % {"c": row.code})
            return
        if not self.scope.allows(unit, Cap.MANAGE_UNITS):
            self.errors.add(row, "编码", _("单位「%(n)s」不在您的管理范围内，不能修改")
                            % {"n": unit.name})
            return
        if row.level and row.level != unit.level:
            self.errors.add(row, "层级", _("不能通过导入更改已有单位的层级（现为「%(l)s」）")
                            % {"l": level_label(unit.level)})
        if row.kind is not None and row.kind != unit.kind:
            self.errors.add(row, "类型(块/条)", _("不能通过导入更改已有单位的类型（现为「%(k)s」）")
                            % {"k": KIND_TEXT[unit.kind]})
        if unit.closed_on is not None and row.closed_on != unit.closed_on:
            self.errors.add(row, "撤销日期", _("单位已于 %(d)s 撤销，导入不能更改撤销日期")
                            % {"d": unit.closed_on.isoformat()})
        if unit.kind == Kind.DEPARTMENT and row.department_type == "":
            self.errors.add(row, "部门类别", _("职能部门（条）须填写部门类别"))
        if not row.parent_code and unit.parent_id is not None:
            self.errors.add(row, "上级编码", _("上级编码不能为空"))

    def _check_parent(self, row: _Row) -> None:
        unit = self.existing.get(row.code)
        if not row.parent_code:
            if unit is None and not self.scope.is_global:
                self.errors.add(row, "上级编码", _("只有系统管理员可以新建顶级单位，请填写上级编码"))
            return
        if row.parent_code == row.code:
            self.errors.add(row, "上级编码", _("上级编码不能是单位自己"))
            return
        parent_row = self.by_code.get(row.parent_code)
        parent_unit = self.existing.get(row.parent_code)
        if parent_row is not None:
            parent_level = parent_row.level
        elif parent_unit is not None and self._visible(row.parent_code) is not None:
            parent_level = parent_unit.level
        else:
            self.errors.add(row, "上级编码", _("上级编码「%(c)s」不存在：文件和系统中都没有这个单位")
                            % {"c": row.parent_code})
            return
        moving = unit is not None and self.db_parent.get(row.code) != row.parent_code
        if (unit is None or moving) and parent_unit is not None:
            if not self.scope.allows(parent_unit, Cap.MANAGE_UNITS):
                self.errors.add(row, "上级编码", _("上级单位「%(n)s」不在您的管理范围内")
                                % {"n": parent_unit.name})
                return
            if parent_unit.closed_on is not None:
                self.errors.add(row, "上级编码", _("上级单位「%(n)s」已撤销") % {"n": parent_unit.name})
                return
        kind = row.kind or (unit.kind if unit else Kind.AREA)
        if (kind == Kind.AREA and row.level and parent_level
                and LEVEL_ORDER[row.level] <= LEVEL_ORDER[parent_level]):
            self.errors.add(row, "层级", _("层级「%(child)s」不能位于「%(parent)s」之下（上级编码 %(p)s）")
                            % {"child": level_label(row.level),
                               "parent": level_label(parent_level), "p": row.parent_code})

    def _final_parent(self, code: str) -> str:
        row = self.by_code.get(code)
        return row.parent_code if row is not None else self.db_parent.get(code, "")

    def _check_cycles(self) -> None:
        reported: set[str] = set()
        for code in self.by_code:
            seen = [code]
            current = self._final_parent(code)
            while current and current not in seen:
                seen.append(current)
                current = self._final_parent(current)
            if current and current in seen:
                loop = seen[seen.index(current):]
                if len(loop) == 1:
                    continue  # a unit that is its own parent is reported by _check_parent
                if reported.isdisjoint(loop):
                    reported.update(loop)
                    chain = " → ".join([*loop, current])
                    row = self.by_code.get(code)
                    self.errors.add(row, "上级编码", _("上级关系形成循环：%(chain)s") % {"chain": chain})

    def _depth(self, row: _Row) -> tuple[int, int]:
        depth, current = 0, row.parent_code
        # Cycles were refused before the order is computed; the bound is only a backstop.
        while current and depth <= len(self.by_code) + len(self.db_parent):
            depth += 1
            current = self._final_parent(current)
        return depth, row.number

    def check_before_writing(self) -> None:
        """The checks the actions would make while saving, made here, outside the write
        transaction: each unit's fields in its final state, and that nothing closes while
        a child stays open under it."""
        for row in self.order:
            unit = self.existing.get(row.code)
            final = Unit(code=row.code, level=row.level or (unit.level if unit else ""),
                         kind=row.kind or (unit.kind if unit else Kind.AREA),
                         name=row.name,
                         category=row.category or (unit.category if unit else Category.URBAN),
                         department_type=(row.department_type if row.department_type is not None
                                          else (unit.department_type if unit else "")),
                         division_code=(row.division_code if row.division_code is not None
                                        else (unit.division_code if unit else "")),
                         opened_on=(row.opened_on if unit is None or "设立日期" in row.has
                                    else unit.opened_on),
                         closed_on=row.closed_on or (unit.closed_on if unit else None),
                         path="-", sort_key="-")
            try:
                final.full_clean(exclude=["path", "parent", "sort_key"], validate_unique=False)
            except ValidationError as exc:
                error = _row_error(row, exc)
                self.errors.add(row, error.column, error.message)
        closing = {r.code for r in self.order if r.closed_on is not None}
        if not closing:
            return
        # Children that stay open under a closing unit once the file is applied: those in
        # the file without a closing date, and those in the database the file leaves alone.
        open_children: dict[str, int] = {}
        for row in self.order:
            if row.parent_code in closing and row.closed_on is None:
                open_children[row.parent_code] = open_children.get(row.parent_code, 0) + 1
        parents = [self.existing[c].pk for c in closing if c in self.existing]
        for code, parent_code in (Unit.objects.filter(parent_id__in=parents,
                                                      closed_on__isnull=True)
                                  .values_list("code", "parent__code")):
            if code not in self.by_code:
                open_children[parent_code] = open_children.get(parent_code, 0) + 1
        for code, count in open_children.items():
            self.errors.add(self.by_code[code], "撤销日期",
                            _("还有 %(n)d 个下级单位未撤销或迁出") % {"n": count})

    # -- applying --------------------------------------------------------------------------
    # Every row was checked above; here the rows are written in batches, one level of the
    # tree at a time (parents before children): a bulk insert of the new units, a bulk
    # update of the changed ones, then the moves (each one set-based UPDATE of its
    # subtree's paths), and at the end the closings. The audit entries go in with the rows.

    def apply(self, actor: User | None, result: ImportResult) -> None:
        today = actions.today()
        entries: list[AuditEntry] = []
        for _depth, group in itertools.groupby(self.order, key=lambda r: self._depth(r)[0]):
            rows = list(group)
            old = [r for r in rows if r.code in self.existing]
            self._create(actor, [r for r in rows if r.code not in self.existing], today,
                         entries, result)
            self._update(actor, old, today, entries, result)
        self._close(actor, entries, result)
        AuditEntry.objects.bulk_create(entries, batch_size=BATCH)

    def _create(self, actor: User | None, rows: list[_Row], today: dt.date,
                entries: list[AuditEntry], result: ImportResult) -> None:
        if not rows:
            return
        units = []
        for row in rows:
            parent = self.existing.get(row.parent_code) if row.parent_code else None
            units.append(Unit(
                code=row.code, name=row.name, level=row.level, parent=parent,
                kind=row.kind or Kind.AREA,
                category=row.category or (parent.category if parent else Category.URBAN),
                department_type=row.department_type or "", division_code=row.division_code or "",
                opened_on=row.opened_on, path="-", depth=(parent.depth + 1) if parent else 1,
                sort_key=pinyin_key(row.name)))
        try:
            with transaction.atomic():
                created = Unit.objects.bulk_create(units, batch_size=BATCH)
        except IntegrityError as exc:
            # A code taken by someone else since the file was checked.
            raise _Abort(RowError(None, "编码", _("有编码刚被他人占用，请重新导入"))) from exc
        for unit in created:
            unit.path = (unit.parent.path if unit.parent else "") + path_segment(unit.pk)
        Unit.objects.bulk_update(created, ["path"], batch_size=BATCH)
        UnitVersion.objects.bulk_create(
            [UnitVersion(unit=u, parent=u.parent, name=u.name, path=u.path,
                         valid_from=u.opened_on or today) for u in created], batch_size=BATCH)
        for unit in created:
            self.existing[unit.code] = unit
            entries.append(_entry("org.unit.created", actor, unit, {
                "code": unit.code, "name": unit.name, "level": unit.level,
                "parent": unit.parent.code if unit.parent else None}))
        result.created += len(created)

    def _update(self, actor: User | None, rows: list[_Row], today: dt.date,
                entries: list[AuditEntry], result: ImportResult) -> None:
        changed: list[Unit] = []
        fields: set[str] = set()
        renamed: list[Unit] = []
        moves: list[tuple[Unit, Unit]] = []
        for row in rows:
            unit = self.existing[row.code]
            wanted: dict[str, Any] = {"name": row.name, "category": row.category,
                                      "department_type": row.department_type,
                                      "division_code": row.division_code}
            if "设立日期" in row.has:
                wanted["opened_on"] = row.opened_on
            diff = {k: [str(getattr(unit, k)), str(v)] for k, v in wanted.items()
                    if v is not None and v != getattr(unit, k)}
            for key in diff:
                setattr(unit, key, wanted[key])
            parent = self.existing.get(row.parent_code) if row.parent_code else None
            if diff:
                fields.update(diff)
                changed.append(unit)
                if "name" in diff:
                    unit.sort_key = pinyin_key(unit.name)
                    renamed.append(unit)
                entries.append(_entry("org.unit.updated", actor, unit, {"changes": diff}))
            if parent is not None and unit.parent_id != parent.pk:
                moves.append((unit, parent))
            if diff or (parent is not None and unit.parent_id != parent.pk):
                result.updated += 1
            else:
                result.unchanged += 1
        if changed:
            Unit.objects.bulk_update(changed, sorted(fields | {"sort_key"}), batch_size=BATCH)
            for chunk in _chunks([u.pk for u in changed]):
                Unit.objects.filter(pk__in=chunk).update(version=F("version") + 1)
        if renamed:
            ids = [u.pk for u in renamed]
            UnitVersion.objects.filter(unit_id__in=ids, valid_to__isnull=True).update(
                valid_to=today)
            UnitVersion.objects.bulk_create(
                [UnitVersion(unit=u, parent_id=u.parent_id, name=u.name, path=u.path,
                             valid_from=today) for u in renamed], batch_size=BATCH)
        for unit, parent in moves:
            try:
                moved = actions.move_unit(actor=actor, scope=self.scope, unit=unit,
                                          new_parent=parent)
            except ValidationError as exc:
                raise _Abort(_row_error(self.by_code[unit.code], exc)) from exc
            self.existing[moved.code] = moved
            result.moved += 1
        if moves:
            # The units already read keep their old paths: read them again.
            fresh = {}
            for chunk in _chunks([u.pk for u in self.existing.values()]):
                fresh.update({pk: (path, depth) for pk, path, depth in Unit.objects.filter(
                    pk__in=chunk).values_list("pk", "path", "depth")})
            for unit in self.existing.values():
                unit.path, unit.depth = fresh.get(unit.pk, (unit.path, unit.depth))

    def _close(self, actor: User | None, entries: list[AuditEntry],
               result: ImportResult) -> None:
        closing = [(row, self.existing[row.code]) for row in self.order
                   if row.closed_on is not None and self.existing[row.code].closed_on is None]
        if not closing:
            return
        ids = [unit.pk for _row, unit in closing]
        # Checked before writing; checked again in case a child was added since.
        still_open = (Unit.objects.filter(parent_id__in=ids, closed_on__isnull=True)
                      .exclude(pk__in=ids).values_list("parent_id", flat=True).first())
        if still_open is not None:
            row = next(r for r, u in closing if u.pk == still_open)
            raise _Abort(RowError(row.number, "撤销日期", _("还有下级单位未撤销或迁出")))
        by_day: dict[dt.date, list[int]] = {}
        for row, unit in closing:
            unit.closed_on = row.closed_on
            by_day.setdefault(row.closed_on, []).append(unit.pk)  # type: ignore[arg-type]
            entries.append(_entry("org.unit.closed", actor, unit,
                                  {"on": unit.closed_on.isoformat(),  # type: ignore[union-attr]
                                   "reason": _("导入")}))
        for day, unit_ids in by_day.items():
            Unit.objects.filter(pk__in=unit_ids).update(closed_on=day, version=F("version") + 1)
            UnitVersion.objects.filter(unit_id__in=unit_ids, valid_to__isnull=True).update(
                valid_to=day)
        result.closed += len(closing)


def _entry(action: str, actor: User | None, unit: Unit, data: dict[str, Any]) -> AuditEntry:
    return AuditEntry(action=action, actor=actor if getattr(actor, "is_authenticated", False)
                      else None, unit=unit, unit_path=unit.path, object_type="org.unit",
                      object_id=str(unit.pk), object_repr=str(unit)[:200], data=data)


def _chunks(ids: list[int], size: int = 900) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _row_error(row: _Row, exc: ValidationError) -> RowError:
    field_columns = {"code": "编码", "name": "名称", "level": "层级", "parent": "上级编码",
                     "kind": "类型(块/条)", "department_type": "部门类别", "category": "城乡分类",
                     "opened_on": "设立日期", "closed_on": "撤销日期", "division_code": "区划代码"}
    if hasattr(exc, "error_dict"):
        name, messages = next(iter(exc.message_dict.items()))
        return RowError(row.number, field_columns.get(name), "；".join(messages))
    return RowError(row.number, None, "；".join(exc.messages))


def _chunked_units(codes: Iterable[str], size: int = 900) -> Iterator[Unit]:
    # SQLite caps the number of query parameters; a province-sized file has more codes.
    codes = sorted(codes)
    for start in range(0, len(codes), size):
        yield from Unit.objects.filter(code__in=codes[start:start + size])
