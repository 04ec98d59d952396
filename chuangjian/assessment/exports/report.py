"""The assessment report (考核报告) as PDF (WeasyPrint, Noto CJK) and Word (python-docx).

Both tell the same story from ``ExportData``: a cover, the summary, the ranking with
a bar chart, each unit's score sheet and the early-warning list. The PDF's chart
is an inline SVG drawn by the template from the bar geometry computed here, so
the PDF needs no JavaScript and no network.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from chuangjian.assessment.dashboards.charts import AMBER, GREEN, GREY, RED, verdict_colour
from chuangjian.assessment.exports.data import ExportData, Report
from chuangjian.assessment.exports.layout import deduction, remark, sheet_rows
from chuangjian.assessment.verdicts import verdict_of
from chuangjian.lib.pages import css_page_counter
from chuangjian.lib.word import add_page_numbers, set_font

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class Bar:
    y: float
    width: float
    label: str
    value: str
    colour: str
    left: float = 0

    @property
    def inside(self) -> bool:
        """Long bars carry their figure inside, clear of the pass-mark line."""
        return self.width > 40

    @property
    def end(self) -> float:
        return round(self.left + self.width - (4 if self.inside else 0), 1)


@dataclass
class BarChart:
    width: int
    height: int
    left: int
    plot: int
    bars: list[Bar]
    marks: list[tuple[float, str, str]]  # x, label, colour
    ticks: list[tuple[float, str]]
    bar_height: float


def bar_chart(data: ExportData, *, width: int = 640) -> BarChart | None:
    """Horizontal bars of the league: one row per unit, the pass mark as a line."""
    rows = data.league
    if not rows:
        return None
    top = max([100.0, *(r.total or 0 for r in rows)])
    left, row_h, pad = 120, 22, 24
    plot = width - left - 48
    bars = []
    for i, r in enumerate(rows):
        total = r.total or 0.0
        bars.append(Bar(y=pad + i * row_h + 3, width=round(plot * total / top, 1),
                        label=r.unit.name,
                        value="—" if r.total is None else f"{r.total:.2f}".rstrip("0").rstrip("."),
                        colour=verdict_colour(verdict_of(r.result, run=r.run)), left=left))
    marks = [(left + plot * data.standard.pass_mark / top,
              _("合格 %(m)s") % {"m": f"{data.standard.pass_mark:g}"}, RED)]
    ticks = [(left + plot * t / top, f"{t:g}") for t in range(0, int(top) + 1, 20)]
    height = pad + len(rows) * row_h + 24
    return BarChart(width, height, left, plot, bars, marks, ticks, row_h - 6)


def _css_string(text: str) -> SafeString:
    """Text for a CSS string literal in the page margin boxes: backslash, quote and "<" as
    CSS escapes, so no name can end the string or the <style> element."""
    escaped = (text.replace("\\", "\\5C ").replace('"', "\\22 ").replace("<", "\\3C ")
               .replace("\n", " "))
    return mark_safe(escaped)  # escaped for CSS just above


def context(data: ExportData) -> dict[str, Any]:
    cards = [(card, sheet_rows(card)) for card in data.all_cards]
    notes = {id(sr): (deduction(sr.row), remark(sr.row)) for _c, rows in cards for sr in rows}
    return {
        "d": data, "cards": [(c, [(sr, *notes[id(sr)]) for sr in rows]) for c, rows in cards],
        "chart": bar_chart(data), "colours": {"green": GREEN, "amber": AMBER, "red": RED,
                                              "grey": GREY},
        "passed": sum(1 for r in data.league if r.passed),
        "vetoed": sum(1 for r in data.league if r.vetoed),
        "risk_units": len({r.unit.pk for r in data.risks}),
        "css_unit": _css_string(data.unit.name),
        "css_title": _css_string(_("%(t)s报告") % {"t": data.title}),
        "css_pages": css_page_counter(),
    }


def build_pdf(data: ExportData, progress: Report | None = None) -> bytes:
    from weasyprint import HTML

    html = render_to_string("exports/report.html", context(data))
    if progress:
        progress(75, _("正在排版 PDF"))
    # No base URL: the report loads nothing, every style and chart is inline.
    return HTML(string=html).write_pdf()


# -- Word ---------------------------------------------------------------------------------


def _east_asia(run_or_style: Any, font: str) -> None:
    set_font(run_or_style.element, font)


def _shade(cell: Any, colour: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


def build_docx(data: ExportData, progress: Report | None = None) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Mm, Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin, section.bottom_margin = Mm(22), Mm(20)
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = "宋体"
    normal.font.size = Pt(10.5)
    _east_asia(normal, "宋体")
    for name, size in (("Title", 22), ("Heading 1", 16), ("Heading 2", 13), ("Heading 3", 12)):
        style = styles[name]
        style.font.name = "黑体"
        style.font.size = Pt(size)
        style.font.bold = name != "Title"
        style.font.color.rgb = RGBColor(0, 0, 0)
        _east_asia(style, "黑体")
    for table_style in ("Table Grid",):
        _east_asia(styles[table_style], "宋体")

    # Header and footer: the report's name, then 第 N 页 共 M 页.
    header = section.header.paragraphs[0]
    header.text = _("%(t)s报告") % {"t": data.title}
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in header.runs:
        run.font.size = Pt(9)
        _east_asia(run, "宋体")
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_page_numbers(footer, lambda run: _east_asia(run, "宋体"))

    # Cover.
    for _i in range(6):
        doc.add_paragraph()
    title = doc.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run(f"{data.year} 年度\n{data.standard.name}\n{data.kind_label}{_('报告')}")
    for line in (data.unit.name,
                 _("数据截至 %(d)s") % {"d": data.run.as_of.isoformat()},
                 _("生成于 %(d)s") % {"d": data.generated_at.strftime("%Y-%m-%d %H:%M")}):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(line)
        run.font.size = Pt(14 if line == data.unit.name else 11)
        _east_asia(run, "宋体")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def table(headers: list[str], rows: list[list[str]], widths: list[float]) -> Any:
        t = doc.add_table(rows=1, cols=len(headers))
        t.style = styles["Table Grid"]
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        for i, h in enumerate(headers):
            cell = t.rows[0].cells[i]
            cell.text = h
            _shade(cell, "F2F2F2")
            for run in cell.paragraphs[0].runs:
                run.font.bold = True
                run.font.size = Pt(9.5)
                _east_asia(run, "黑体")
        for values in rows:
            cells = t.add_row().cells
            for i, v in enumerate(values):
                cells[i].text = v
                for run in cells[i].paragraphs[0].runs:
                    run.font.size = Pt(9)
                    _east_asia(run, "宋体")
        for row in t.rows:
            for i, w in enumerate(widths):
                row.cells[i].width = Mm(w)
        return t

    ctx = context(data)
    doc.add_heading(_("一、总体情况"), level=1)
    if data.own is not None:
        own = data.own
        verdict = verdict_of(own.result, run=own.run).label
        doc.add_paragraph(_("%(unit)s %(year)s 年度%(kind)s总分 %(total)s 分（满分 %(max)s 分），"
                            "结论：%(v)s%(tier)s。") % {
            "unit": own.unit.name, "year": data.year, "kind": data.kind_label,
            "total": own.total_display, "max": f"{own.base_max:g}", "v": verdict,
            "tier": _("，等次：%(t)s") % {"t": own.tier} if own.tier else ""})
    if data.league:
        doc.add_paragraph(_("参加考核的下级单位 %(n)s 个，合格 %(p)s 个，一票否决 %(v)s 个，"
                            "有预警指标的单位 %(r)s 个。") % {
            "n": len(data.league), "p": ctx["passed"], "v": ctx["vetoed"],
            "r": ctx["risk_units"]})
        rate = data.pass_rate
        if rate is not None and rate.rate is not None:
            text = _("下级单位达标率 %(r)s%%") % {"r": f"{rate.rate:g}"}
            if rate.target is not None:
                text += _("，年度目标 %(t)s%%，%(m)s。") % {
                    "t": f"{rate.target:g}", "m": _("已达到") if rate.met else _("未达到")}
            doc.add_paragraph(text)

        doc.add_heading(_("二、排名情况"), level=1)
        table([_("名次"), _("单位"), _("总分"), _("等次"), _("结论"), _("预警")],
              [[str(r.rank), r.unit.name, r.total_display, r.tier or "—",
                verdict_of(r.result, run=r.run).label, str(r.at_risk)] for r in data.league],
              [14, 56, 22, 22, 30, 18])
    if progress:
        progress(75, _("正在生成各单位评分表"))
    doc.add_heading(_("三、各单位评分") if data.league else _("二、评分明细"), level=1)
    for card, rows in ctx["cards"]:
        doc.add_heading(card.unit.name, level=2)
        verdict = (_("一票否决：%(v)s") % {"v": "；".join(card.veto_names)} if card.vetoed
                   else verdict_of(card.result, run=card.run).label)
        doc.add_paragraph(_("总分 %(t)s 分（基本分 %(b)s，加分 %(x)s）；%(v)s%(tier)s") % {
            "t": card.total_display, "b": f"{card.base_total or 0:g}", "x": f"{card.bonus:g}",
            "v": verdict, "tier": _("；等次：%(t)s") % {"t": card.tier} if card.tier else ""})
        t = table([_("测评项目"), _("测评标准"), _("分值"), _("完成值"), _("得分"), _("说明")],
                  [[sr.row.item_name if sr.item_span else "", sr.row.name,
                    f"{sr.row.max_score:g}", sr.shown, sr.row.score_display,
                    "；".join(x for x in (ded, rem) if x)] for sr, ded, rem in rows],
                  [24, 62, 12, 20, 12, 40])
        # 测评项目 merged down its rows, as on the paper form.
        r = 1
        for sr, _d, _r in rows:
            if sr.item_span > 1:
                t.cell(r, 0).merge(t.cell(r + sr.item_span - 1, 0))
            r += 1
    if data.risks:
        doc.add_heading(_("四、预警事项") if data.league else _("三、预警事项"), level=1)
        table([_("单位"), _("指标"), _("目前"), _("预计年底"), _("目标")],
              [[r.unit.name, r.name, r.display or "—", r.projected_display or "—",
                r.target_text] for r in data.risks],
              [30, 56, 22, 22, 40])
    doc.core_properties.title = data.title
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
