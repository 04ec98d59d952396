"""The ledger as Word: A4, Chinese fonts set through rFonts eastAsia, page numbers in the footer."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.image.image import Image
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.shape import CT_Inline
from docx.parts.image import ImagePart
from docx.shared import Cm, Length, Pt, RGBColor

from chuangjian.evidence.ledger.collect import Entry, Ledger, Progress
from chuangjian.files.models import StoredFile
from chuangjian.lib.word import add_page_numbers, set_font

FONT = "宋体"
HEADING_FONT = "黑体"
RED = RGBColor(0xB0, 0x1E, 0x23)
GREY = RGBColor(0x66, 0x66, 0x66)
PHOTO_WIDTH = Cm(3.7)


class _Pictures:
    """Places stored photos in the document, each image stored once in the package.

    ``Run.add_picture`` does the same in time that grows with the pictures already
    placed: for each picture it hashes every image part to find a duplicate, lists
    every part name to pick the next one and searches the whole document for the next
    shape id, so 1,000 photos took most of the ledger's 10-20 s. Here the duplicate is
    found by the stored file's own content hash, and part numbers and shape ids are
    counted; the XML written is the one ``add_picture`` writes.
    """

    def __init__(self, doc: Any) -> None:
        self._part = doc.part
        self._placed: dict[str, tuple[str, str, Length, Length]] = {}
        self._next_id = 0
        self._next_image = len(self._part.package.image_parts) + 1

    def add(self, run: Any, photo: StoredFile, width: int) -> None:
        if photo.sha256 not in self._placed:
            field = photo.thumb or photo.display or photo.original
            with field.open("rb") as handle:
                image = Image.from_blob(handle.read())
            partname = PackURI(f"/word/media/image{self._next_image}.{image.ext}")
            self._next_image += 1
            image_part = ImagePart.from_image(image, partname)
            self._part.package.image_parts.append(image_part)
            rid = self._part.relate_to(image_part, RT.IMAGE)
            cx, cy = image.scaled_dimensions(width, None)
            self._placed[photo.sha256] = (rid, image.filename, cx, cy)
        rel, name, width_emu, height_emu = self._placed[photo.sha256]
        if not self._next_id:
            self._next_id = self._part.next_id  # once: ids already in the document
        run._r.add_drawing(CT_Inline.new_pic_inline(self._next_id, rel, name, width_emu,
                                                    height_emu))
        self._next_id += 1


def _styles(doc: Any) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10.5)
    set_font(normal.element, FONT)
    for name, size in (("Title", 26), ("Heading 1", 16), ("Heading 2", 13), ("Heading 3", 11)):
        style = doc.styles[name]
        style.font.name = HEADING_FONT
        style.font.size = Pt(size)
        style.font.color.rgb = RED if name in ("Title", "Heading 1") else RGBColor(0, 0, 0)
        set_font(style.element, HEADING_FONT)


def _run(paragraph: Any, text: str, *, bold: bool = False, size: float | None = None,
         color: RGBColor | None = None, font: str = FONT) -> Any:
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.name = font
    set_font(run._r, font)
    if size:
        run.font.size = Pt(size)
    if color is not None:
        run.font.color.rgb = color
    return run


def _shade(cell: Any, fill: str) -> None:
    props = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), fill)
    props.append(shading)


def _header_footer(section: Any, ledger: Ledger) -> None:
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(header, ledger.title, size=8.5, color=GREY)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_page_numbers(footer, _footer_style)


def _footer_style(run: Any) -> None:
    run.font.name = FONT
    set_font(run._r, FONT)
    run.font.size = Pt(9)


def _cover(doc: Any, ledger: Ledger) -> None:
    for _i in range(5):
        doc.add_paragraph()
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, ledger.standard.campaign, size=16, color=RED, font=HEADING_FONT)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, _("创建工作台账"), bold=True, size=32, font=HEADING_FONT)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, _("%(year)s 年度") % {"year": ledger.year}, size=16)
    for _i in range(5):
        doc.add_paragraph()
    table = doc.add_table(rows=0, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    rows = [(_("单位"), ledger.unit.name), (_("依据标准"), ledger.standard.name),
            (_("年度"), _("%(year)s 年（%(start)s—%(end)s）") % {
                "year": ledger.year, "start": ledger.start.strftime("%Y.%m.%d"),
                "end": ledger.end.strftime("%Y.%m.%d")}),
            (_("编制单位"), ledger.compiler),
            (_("编制日期"), f"{ledger.compiled_on.year} 年 {ledger.compiled_on.month} 月 "
                           f"{ledger.compiled_on.day} 日")]
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].width, cells[1].width = Cm(3.5), Cm(9)
        _run(cells[0].paragraphs[0], label, size=13)
        _run(cells[1].paragraphs[0], value, size=13)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _contents(doc: Any, ledger: Ledger) -> None:
    heading = doc.add_heading(_("目　录"), level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for item in ledger.items:
        p = doc.add_paragraph()
        _run(p, f"{item.number}　{item.name}", bold=True)
        for content in item.contents:
            p = doc.add_paragraph()
            p.paragraph_format.left_indent = Cm(0.8)
            _run(p, f"{content.number}　{content.name}")
            for ind in content.indicators:
                p = doc.add_paragraph()
                p.paragraph_format.left_indent = Cm(1.6)
                p.paragraph_format.space_after = Pt(0)
                _run(p, f"{ind.number}　{ind.indicator.name}", size=9, color=GREY)


def _summary(doc: Any, ledger: Ledger) -> None:
    doc.add_heading(_("台账概况"), level=1)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    total = (f"{ledger.total}（{ledger.tier}）" if ledger.tier else ledger.total) \
        if ledger.assessed else _("尚未考核")
    for label, value in ((_("单位"), f"{ledger.unit.name}（{ledger.unit.code}）"),
                         (_("依据标准"), ledger.standard.name),
                         (_("佐证时间范围"), f"{ledger.start:%Y-%m-%d} {_('至')} {ledger.end:%Y-%m-%d}"),
                         (_("考核得分"), total), (_("结论"), ledger.passed or "—"),
                         (_("佐证要求"), _("共 %(n)s 项") % {"n": ledger.required}),
                         (_("缺少材料"), _("%(n)s 项") % {"n": ledger.missing} if ledger.missing
                          else _("无"))):
        cells = table.add_row().cells
        _shade(cells[0], "F1ECE4")
        _run(cells[0].paragraphs[0], label, bold=True)
        _run(cells[1].paragraphs[0], value)


def _entry(doc: Any, entry: Entry, pictures: _Pictures) -> None:
    p = doc.add_paragraph()
    p.paragraph_format.left_indent = Cm(0.5)
    date = entry.date.strftime("%Y-%m-%d") if entry.date else ""
    _run(p, f"{date}　{entry.label}", bold=True)
    meta = entry.kind + (f" · {entry.detail}" if entry.detail else "")
    p = doc.add_paragraph()
    p.paragraph_format.left_indent = Cm(0.5)
    _run(p, meta, size=9, color=GREY)
    if entry.photos:
        table = doc.add_table(rows=1, cols=4)
        for cell, photo in zip(table.rows[0].cells, entry.photos, strict=False):
            pictures.add(cell.paragraphs[0].add_run(), photo, PHOTO_WIDTH)
        if entry.more_photos:
            p = doc.add_paragraph()
            _run(p, _("另有 %(n)s 张照片") % {"n": entry.more_photos}, size=9, color=GREY)
    if entry.documents:
        p = doc.add_paragraph()
        p.paragraph_format.left_indent = Cm(0.5)
        _run(p, _("附件：") + "、".join(entry.documents), size=9)


def render_docx(ledger: Ledger, progress: Progress | None = None) -> bytes:
    doc = Document()
    _styles(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2.4), Cm(2.0)
    section.left_margin, section.right_margin = Cm(2.0), Cm(1.8)
    _header_footer(section, ledger)
    _cover(doc, ledger)
    _contents(doc, ledger)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _summary(doc, ledger)
    pictures = _Pictures(doc)
    items = ledger.items
    for n, item in enumerate(items):
        if progress:
            progress(45 + int(45 * n / max(1, len(items))), _("正在写出 Word"))
        new = doc.add_section(WD_SECTION.NEW_PAGE)
        new.different_first_page_header_footer = False
        doc.add_heading(f"{item.number}　{item.name}", level=1)
        for content in item.contents:
            doc.add_heading(f"{content.number}　{content.name}", level=2)
            for ind in content.indicators:
                doc.add_heading(f"{ind.number}　{ind.indicator.name}", level=3)
                table = doc.add_table(rows=2, cols=4)
                table.style = "Table Grid"
                cells = [(_("目标"), ind.target), (_("测评方法"), ind.indicator.method),
                         (_("计算值"), ind.value), (_("状态 / 得分"), f"{ind.status} {ind.score}")]
                for i, (label, value) in enumerate(cells):
                    row, col = divmod(i, 2)
                    _shade(table.cell(row, col * 2), "F1ECE4")
                    _run(table.cell(row, col * 2).paragraphs[0], label, bold=True, size=9.5)
                    _run(table.cell(row, col * 2 + 1).paragraphs[0], value, size=9.5)
                for req in ind.requirements:
                    p = doc.add_paragraph()
                    _run(p, "▍" + req.text, bold=True, color=RED)
                    if req.missing:
                        p = doc.add_paragraph()
                        p.paragraph_format.left_indent = Cm(0.5)
                        _run(p, "✗ " + _("缺少材料") + "：" + req.text, bold=True, color=RED)
                    for entry in req.entries:
                        _entry(doc, entry, pictures)
                if ind.others:
                    p = doc.add_paragraph()
                    _run(p, "▍" + _("其他佐证"), bold=True)
                    for entry in ind.others:
                        _entry(doc, entry, pictures)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
