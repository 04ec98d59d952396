"""「第 N 页 共 M 页」 is one translated sentence that each document format fills in."""

from __future__ import annotations

import io

from django.utils import translation
from docx import Document

from chuangjian.lib.pages import css_page_counter, page_of_pages
from chuangjian.lib.word import add_page_numbers, set_font


def test_the_footer_is_one_chinese_sentence_with_two_word_fields() -> None:
    with translation.override("zh-hans"):
        assert page_of_pages() == [("第 ", "PAGE"), (" 页 共 ", "NUMPAGES"), (" 页", None)]


def test_the_english_footer_keeps_its_own_word_order() -> None:
    with translation.override("en"):
        assert page_of_pages() == [("Page ", "PAGE"), (" of ", "NUMPAGES"), ("", None)]
        assert css_page_counter() == '"Page " counter(page) " of " counter(pages)'


def test_the_css_footer_cannot_end_its_string() -> None:
    with translation.override("zh-hans"):
        css = css_page_counter()
    assert css == '"第 " counter(page) " 页 共 " counter(pages) " 页"'


def test_a_word_footer_gets_page_fields_and_the_chinese_font_on_every_run() -> None:
    doc = Document()
    footer = doc.sections[0].footer.paragraphs[0]
    with translation.override("zh-hans"):
        add_page_numbers(footer, lambda run: set_font(run._element, "宋体"))
    out = io.BytesIO()
    doc.save(out)
    xml = footer._p.xml
    assert xml.count("PAGE") == 2 and "NUMPAGES" in xml  # PAGE and NUMPAGES
    assert footer.text.startswith("第 ") and footer.text.endswith(" 页")
    assert all('w:eastAsia="宋体"' in run._element.xml for run in footer.runs)
