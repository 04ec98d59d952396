"""Small python-docx helpers shared by every Word export (report, ledger, bulletin)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from chuangjian.lib.pages import page_of_pages


def set_font(element: Any, font: str) -> None:
    """Set ``font`` on a run or style element for Latin and Chinese text alike.

    python-docx writes only the Latin font from ``font.name``; Word needs rFonts
    eastAsia for Chinese characters (TECH_NOTES).
    """
    fonts = element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)


def add_field(run: Any, code: str) -> None:
    """Append a Word field (PAGE, NUMPAGES) that Word fills in when it lays out the pages."""
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {code} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    shown = OxmlElement("w:t")
    shown.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for part in (begin, instr, separate, shown, end):
        run._r.append(part)


def add_page_numbers(paragraph: Any, styled: Callable[[Any], None]) -> None:
    """Write 「第 N 页 共 M 页」 into ``paragraph`` (a footer) from one translated sentence,
    the numbers as PAGE / NUMPAGES fields; ``styled`` sets the font and size of each run."""
    for text, field in page_of_pages():
        run = paragraph.add_run(text or "")
        if field:
            add_field(run, field)
        styled(run)
