"""考核评分表 as xlsx, laid out like the printed government score sheet.

One sheet per unit: the title merged across, the unit / year / kind lines, the table
with 测评项目 and 测评内容 merged down their rows, the totals, the 一票否决 line and
the signature line; A4 landscape, fitted to the page width, the header row repeated
on every page and "第 &P 页 共 &N 页" in the footer. For a unit above (a street)
a summary sheet comes first.
"""

from __future__ import annotations

import io
import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from chuangjian.assessment.exports.data import ExportData, Report
from chuangjian.assessment.exports.layout import deduction, remark, sheet_rows
from chuangjian.assessment.selectors import Scorecard
from chuangjian.assessment.verdicts import pass_mark_of, verdict_of
from chuangjian.lib.xlsx import guard_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

BODY = "宋体"
HEAD = "黑体"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
RIGHT = Alignment(wrap_text=True, vertical="center", horizontal="right")
GREY = PatternFill("solid", fgColor="F2F2F2")

# 测评项目 / 测评内容 / 测评标准 / 分值 / 测评方法 / 目标 / 完成值 / 得分 / 扣分说明 / 备注
COLUMNS = [(gettext_lazy("测评项目"), 12), (gettext_lazy("测评内容"), 14),
           (gettext_lazy("测评标准"), 38), (gettext_lazy("分值"), 7), (gettext_lazy("测评方法"), 9),
           (gettext_lazy("目标"), 18), (gettext_lazy("完成值"), 11), (gettext_lazy("得分"), 7),
           (gettext_lazy("扣分说明"), 26), (gettext_lazy("备注"), 16)]
NCOL = len(COLUMNS)


def _num(x: float | None) -> float | int | None:
    if x is None:
        return None
    return int(x) if float(x).is_integer() else round(float(x), 2)


def _lines(text: str, width: float) -> int:
    """Printed lines of wrapped text: a Chinese character takes about 2 width units."""
    units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return max(1, -(-units // max(1, int(width - 1))))


def _sheet_title(name: str, used: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "", name)[:28] or "Sheet"
    base, n = title, 2
    while title in used:
        title = f"{base[:26]}{n}"
        n += 1
    used.add(title)
    return title


def _print_setup(ws: Worksheet, *, landscape: bool, header_rows: str) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = 0.6
    ws.page_margins.bottom = 0.7
    ws.page_margins.header = 0.3
    ws.page_margins.footer = 0.3
    ws.print_title_rows = header_rows
    ws.oddFooter.center.text = _("第 &P 页 共 &N 页")
    ws.oddFooter.center.font = BODY
    ws.oddFooter.center.size = 9


def _cell(ws: Worksheet, row: int, col: int, value: object, *, bold: bool = False,
          align: Alignment = WRAP, font: str = BODY, size: int = 10, border: bool = True,
          fill: PatternFill | None = None) -> None:
    c = ws.cell(row=row, column=col, value=value)
    c.font = Font(name=font, size=size, bold=bold)
    c.alignment = align
    if border:
        c.border = BOX
    if fill is not None:
        c.fill = fill


def _merge(ws: Worksheet, r1: int, c1: int, r2: int, c2: int) -> None:
    if (r1, c1) != (r2, c2):
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                ws.cell(row=r, column=c).border = BOX


def _line(ws: Worksheet, row: int, text: str, *, bold: bool = False, height: float = 22,
          border: bool = True) -> None:
    _cell(ws, row, 1, text, bold=bold, border=border)
    if border:
        _merge(ws, row, 1, row, NCOL)
    else:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=NCOL)
    ws.row_dimensions[row].height = height


def write_card(ws: Worksheet, data: ExportData, card: Scorecard) -> None:
    """One unit's 考核评分表 on ``ws``."""
    for i, (_label, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    title = _("%(year)s 年度%(standard)s考核评分表") % {"year": data.year,
                                                     "standard": data.standard.name}
    _cell(ws, 1, 1, title, bold=True, align=CENTER, font=HEAD, size=16, border=False)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=NCOL)
    ws.row_dimensions[1].height = 34
    # The header lines: 被考核单位 | 考核年度 | 考核类型, then 上级单位 | 数据截至 | 批次.
    parent = card.unit.parent.name if card.unit.parent_id and card.unit.parent else ""
    for line_no, parts in ((2, [(1, 3, _("被考核单位：%(u)s") % {"u": card.unit.name}),
                            (4, 6, _("考核年度：%(y)s 年") % {"y": data.year}),
                            (7, 10, _("考核类型：%(k)s") % {"k": data.kind_label})]),
                       (3, [(1, 3, _("所属单位：%(p)s") % {"p": parent or "—"}),
                            (4, 6, _("数据截至：%(d)s") % {"d": data.run.as_of.isoformat()}),
                            (7, 10, _("合格分：%(m)s 分　满分：%(x)s 分") % {
                                "m": _num(pass_mark_of(card.result, data.standard)),
                                "x": _num(card.base_max)})])):
        for c1, c2, text in parts:
            _cell(ws, line_no, c1, text, border=False)
            ws.merge_cells(start_row=line_no, start_column=c1, end_row=line_no, end_column=c2)
        ws.row_dimensions[line_no].height = 20
    head = 4
    for i, (heading, _w) in enumerate(COLUMNS, start=1):
        _cell(ws, head, i, str(heading), bold=True, align=CENTER, font=HEAD, fill=GREY)
    ws.row_dimensions[head].height = 24
    r = head + 1
    for sr in sheet_rows(card):
        row = sr.row
        if sr.item_span:
            _cell(ws, r, 1, row.item_name, align=CENTER, bold=True)
            _merge(ws, r, 1, r + sr.item_span - 1, 1)
        if sr.content_span:
            _cell(ws, r, 2, row.content_name, align=CENTER)
            _merge(ws, r, 2, r + sr.content_span - 1, 2)
        _cell(ws, r, 3, row.name)
        _cell(ws, r, 4, _num(row.max_score), align=CENTER)
        _cell(ws, r, 5, row.method, align=CENTER)
        _cell(ws, r, 6, row.target_text.removeprefix("目标："))
        _cell(ws, r, 7, sr.shown, align=CENTER)
        _cell(ws, r, 8, _num(row.score), align=CENTER, bold=True)
        _cell(ws, r, 9, deduction(row))
        _cell(ws, r, 10, remark(row))
        texts = (row.name, row.target_text, sr.shown, deduction(row), remark(row),
                 row.content_name if sr.content_span == 1 else "")
        widths = (COLUMNS[2][1], COLUMNS[5][1], COLUMNS[6][1], COLUMNS[8][1], COLUMNS[9][1],
                  COLUMNS[1][1])
        ws.row_dimensions[r].height = max(20, 14 * max(_lines(t, w) for t, w in zip(
            texts, widths, strict=True)))
        r += 1
    base = [(_("基本分合计"), card.base_max, card.base_total),
            (_("加分"), None, card.bonus),
            (_("总分"), None, card.total)]
    for label, maximum, got in base:
        _cell(ws, r, 1, label, bold=True, align=CENTER, fill=GREY)
        _merge(ws, r, 1, r, 3)
        _cell(ws, r, 4, _num(maximum), align=CENTER, fill=GREY)
        _cell(ws, r, 5, None, fill=GREY)
        _merge(ws, r, 5, r, 7)
        _cell(ws, r, 8, _num(got), bold=True, align=CENTER, fill=GREY)
        _cell(ws, r, 9, None, fill=GREY)
        _merge(ws, r, 9, r, 10)
        ws.row_dimensions[r].height = 22
        r += 1
    verdict = verdict_of(card.result, run=card.run).label
    rank = (_("，同级排名第 %(r)s / %(n)s 名") % {"r": card.rank, "n": card.siblings}
            if card.rank else "")
    _line(ws, r, _("考核结论：%(v)s%(tier)s%(rank)s") % {
        "v": verdict, "tier": _("，等次：%(t)s") % {"t": card.tier} if card.tier else "",
        "rank": rank}, bold=True)
    r += 1
    veto = ("；".join(card.veto_names) if card.vetoed else _("无"))
    _line(ws, r, _("一票否决：%(v)s") % {"v": veto}, bold=card.vetoed)
    r += 1
    _line(ws, r, _("评分人：＿＿＿＿＿＿＿＿　　　审核人：＿＿＿＿＿＿＿＿　　　日期：＿＿＿＿年＿＿月＿＿日"),
          height=34, border=False)
    ws.cell(row=r, column=1).alignment = Alignment(vertical="bottom")
    ws.freeze_panes = ws.cell(row=head + 1, column=1)
    ws.print_area = f"A1:{get_column_letter(NCOL)}{r}"
    _print_setup(ws, landscape=True, header_rows=f"{head}:{head}")
    ws.sheet_view.zoomScale = 90


SUMMARY = [(gettext_lazy("名次"), 6), (gettext_lazy("单位"), 20), (gettext_lazy("总分"), 9),
           (gettext_lazy("基本分"), 9), (gettext_lazy("加分"), 7), (gettext_lazy("等次"), 8),
           (gettext_lazy("结论"), 10), (gettext_lazy("一票否决事项"), 24),
           (gettext_lazy("预警指标"), 9), (gettext_lazy("上年总分"), 9), (gettext_lazy("比上年"), 9)]


def write_summary(ws: Worksheet, data: ExportData) -> None:
    n = len(SUMMARY)
    for i, (_label, width) in enumerate(SUMMARY, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    _cell(ws, 1, 1, _("%(year)s 年度%(standard)s考核汇总表") % {
        "year": data.year, "standard": data.standard.name},
        bold=True, align=CENTER, font=HEAD, size=16, border=False)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n)
    ws.row_dimensions[1].height = 34
    _cell(ws, 2, 1, _("考核范围：%(u)s　　考核类型：%(k)s　　数据截至：%(d)s") % {
        "u": data.unit.name, "k": data.kind_label, "d": data.run.as_of.isoformat()},
        border=False)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=n)
    head = 3
    for i, (heading, _w) in enumerate(SUMMARY, start=1):
        _cell(ws, head, i, str(heading), bold=True, align=CENTER, font=HEAD, fill=GREY)
    ws.row_dimensions[head].height = 24
    cards = {c.unit.pk: c for c in data.cards}
    r = head + 1
    for row in data.league:
        card = cards.get(row.unit.pk)
        change = (None if row.total is None or row.previous_total is None
                  else round(row.total - row.previous_total, 2))
        values = [row.rank, row.unit.name, _num(row.total),
                  _num(card.base_total) if card else None, _num(card.bonus) if card else None,
                  row.tier or "—",
                  verdict_of(row.result, run=row.run).label,
                  "；".join(card.veto_names) if card and card.vetoed else "",
                  row.at_risk, _num(row.previous_total), change]
        for i, v in enumerate(values, start=1):
            _cell(ws, r, i, v, align=WRAP if i in (2, 8) else CENTER)
        ws.row_dimensions[r].height = 20
        r += 1
    passed = sum(1 for row in data.league if row.passed)
    _cell(ws, r, 1, _("合计"), bold=True, align=CENTER, fill=GREY)
    _merge(ws, r, 1, r, 2)
    _cell(ws, r, 3, _("%(n)s 个单位，合格 %(p)s 个，一票否决 %(v)s 个") % {
        "n": len(data.league), "p": passed, "v": sum(1 for x in data.league if x.vetoed)},
        fill=GREY)
    _merge(ws, r, 3, r, n)
    r += 1
    rate = data.pass_rate
    if rate is not None and rate.rate is not None:
        text = _("下级单位达标率：%(r)s%%") % {"r": _num(rate.rate)}
        if rate.target is not None:
            text += _("（年度目标 %(t)s%%，%(m)s）") % {
                "t": _num(rate.target), "m": _("已达到") if rate.met else _("未达到")}
        _cell(ws, r, 1, text, bold=True)
        _merge(ws, r, 1, r, n)
        r += 1
    _cell(ws, r, 1, _("填表人：＿＿＿＿＿＿＿＿　　　审核人：＿＿＿＿＿＿＿＿　　　日期：＿＿＿＿年＿＿月＿＿日"),
          border=False)
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=n)
    ws.row_dimensions[r].height = 34
    ws.freeze_panes = ws.cell(row=head + 1, column=1)
    ws.print_area = f"A1:{get_column_letter(n)}{r}"
    _print_setup(ws, landscape=False, header_rows=f"{head}:{head}")


def build(data: ExportData, progress: Report | None = None) -> bytes:
    wb = Workbook()
    used: set[str] = set()
    first = wb.worksheets[0]
    sheets: list[Worksheet] = []
    if data.cards:
        first.title = _sheet_title(_("汇总"), used)
        write_summary(first, data)
        sheets.append(first)
    cards = data.all_cards
    for n, card in enumerate(cards, start=1):
        if progress and (n == 1 or n % 5 == 0):
            progress(60 + int(35 * n / len(cards)), _("正在生成评分表（%(n)s/%(t)s）") % {
                "n": n, "t": len(cards)})
        ws = first if not sheets else wb.create_sheet()
        ws.title = _sheet_title(card.unit.name, used)
        write_card(ws, data, card)
        sheets.append(ws)
    wb.properties.title = data.title
    wb.properties.creator = "社区创建工作管理平台"
    out = io.BytesIO()
    guard_workbook(wb)
    wb.save(out)
    return out.getvalue()
