"""Responses as a spreadsheet: one row per response, one column per question, Chinese
labels; every text cell passes through ``safe_cell`` so nothing typed can run."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from openpyxl import Workbook

from chuangjian.lib.xlsx import safe_row
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.surveys import selectors
from chuangjian.surveys.models import Survey
from chuangjian.surveys.selectors import GroupResult

MAX_ROWS = 100_000


def responses_xlsx(*, scope: Scope, survey: Survey) -> bytes:
    version = survey.questionnaire.published() or survey.questionnaire.versions.first()
    questions = [q for q in (version.definition["questions"] if version else [])
                 if q["type"] != "note" and not q.get("repeat")]
    choices = version.definition.get("choices", {}) if version else {}
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("答卷")
    ws.append(["答卷编号", "地点", "调查对象", "审核状态", "标记", "审核意见", "答对题数",
               "知晓或满意", "开始时间", "结束时间", "用时（秒）", "调查员", "问卷版本",
               *[q["label"] or q["name"] for q in questions]])
    rows = selectors.responses(scope=scope, survey=survey).select_related("version")
    for r in rows.iterator(chunk_size=2000):
        answers = []
        for q in questions:
            value = r.answers.get(q["name"], "")
            options = {c["name"]: c["label"] for c in choices.get(q.get("list", ""), [])}
            answers.append("、".join(options.get(v, v) for v in str(value).split())
                           if options and value != "" else value)
        ws.append(safe_row([str(r.uuid), r.unit.name, r.get_group_display(),
                            r.get_state_display(), "、".join(map(str, r.flag_labels())),
                            r.reason, r.correct, "是" if r.positive else "否",
                            timezone.localtime(r.started_at).replace(tzinfo=None) if r.started_at else "",
                            timezone.localtime(r.ended_at).replace(tzinfo=None) if r.ended_at else "",
                            r.seconds if r.seconds is not None else "",
                            r.enumerator.display_name if r.enumerator else "",
                            r.version.number, *answers]))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# -- the results report (Word) ------------------------------------------------------------

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def _chart(groups: list[GroupResult]) -> bytes:
    """Each group's rate as a bar, its Wilson 95% interval as a whisker, its target as a
    blue mark; drawn with Pillow at print resolution."""
    from PIL import Image, ImageDraw, ImageFont

    row, left, width = 90, 430, 1250
    image = Image.new("RGB", (left + width + 80, 60 + row * max(1, len(groups)) + 50), "white")
    draw = ImageDraw.Draw(image)
    font: Any
    small: Any
    try:
        font = ImageFont.truetype(FONT, 30)
        small = ImageFont.truetype(FONT, 24)
    except OSError:  # no CJK font installed: still draw, with the default font
        font = small = ImageFont.load_default()
    top = 40
    for tick in range(0, 101, 20):
        x = left + width * tick / 100
        draw.line([(x, top - 10), (x, top + row * len(groups))], fill="#dddddd", width=2)
        draw.text((x - 20, top + row * len(groups) + 8), f"{tick}%", fill="#555555", font=small)
    for i, g in enumerate(groups):
        y = top + i * row + 15
        draw.text((20, y + 5), g.label[:12], fill="black", font=font)
        draw.rectangle([left, y, left + width, y + 44], fill="#eef0f2")
        if g.n and g.rate is not None and g.ci_low is not None and g.ci_high is not None:
            colour = {"达标": "#4f9a6a", "未达标（差异不显著）": "#e0a800"}.get(g.status, "#c0504d")
            draw.rectangle([left, y, left + width * g.rate / 100, y + 44], fill=colour)
            lo, hi = left + width * g.ci_low / 100, left + width * g.ci_high / 100
            draw.line([(lo, y + 22), (hi, y + 22)], fill="black", width=5)
            draw.line([(lo, y + 8), (lo, y + 36)], fill="black", width=5)
            draw.line([(hi, y + 8), (hi, y + 36)], fill="black", width=5)
        if g.target is not None:
            x = left + width * g.target / 100
            draw.line([(x, y - 8), (x, y + 52)], fill="#0d6efd", width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def results_docx(*, scope: Scope, survey: Survey, unit: Unit) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    from chuangjian.lib.word import add_page_numbers, set_font

    result = selectors.results(scope=scope, survey=survey, unit=unit)
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "宋体", Pt(10.5)
    set_font(normal.element, "宋体")
    for name in ("Title", "Heading 1", "Table Grid"):
        set_font(doc.styles[name].element, "黑体" if name != "Table Grid" else "宋体")
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_page_numbers(footer, lambda run: set_font(run.element, "宋体"))

    title = doc.add_paragraph(style="Title")
    title.add_run(f"{survey.title}结果报告")
    doc.add_paragraph(f"调查范围：{unit.name}　问卷：{survey.questionnaire.title}　"
                      f"年度：{survey.year}　允许误差：±{survey.margin * 100:.0f}%")
    doc.add_paragraph("只统计审核通过的答卷。比率附 Wilson 95% 置信区间和样本数 n；低于目标但区间仍覆盖目标的，"
                      "结论为“未达标（差异不显著）”，即样本不足以断定未达标。")
    doc.add_heading("各类人群结果", level=1)
    if result.groups:
        doc.add_picture(io.BytesIO(_chart(result.groups)), width=Mm(165))
        doc.add_paragraph("横条为比率，黑色细线为 95% 置信区间，蓝色竖线为目标。")
    table = doc.add_table(rows=1, cols=7)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("调查对象", "样本数", "知晓/满意", "比率",
                                                "95% 置信区间", "目标", "结论"), strict=True):
        cell.text = text
    for g in result.groups:
        cells = table.add_row().cells
        values = (g.label, str(g.n), str(g.aware),
                  f"{g.rate:.1f}%" if g.rate is not None else "—",
                  f"{g.ci_low:.1f}%–{g.ci_high:.1f}%" if g.ci_low is not None else "—",
                  f"{g.target:g}%" if g.target is not None else "—", g.status)
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    if result.combined is not None:
        doc.add_paragraph(f"按人群规模加权的综合比率：{result.combined:.1f}%"
                          f"（{result.combined_low:.1f}%–{result.combined_high:.1f}%，n={result.n}）")
    places = [r for r in selectors.results_by_place(scope=scope, survey=survey)
              if r.unit.path.startswith(unit.path)]
    if places:
        doc.add_heading("各地点结果", level=1)
        grid = doc.add_table(rows=1, cols=5)
        grid.style = "Table Grid"
        for cell, text in zip(grid.rows[0].cells, ("地点", "调查对象", "n", "比率（95% 置信区间）",
                                                   "结论"), strict=True):
            cell.text = text
        for r in places:
            for g in r.groups:
                cells = grid.add_row().cells
                rate = (f"{g.rate:.1f}%（{g.ci_low:.1f}%–{g.ci_high:.1f}%）"
                        if g.rate is not None and g.ci_low is not None else "—")
                for cell, text in zip(cells, (r.unit.name, g.label, str(g.n), rate, g.status),
                                      strict=True):
                    cell.text = text
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
