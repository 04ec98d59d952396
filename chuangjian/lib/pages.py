"""「第 N 页 共 M 页」 for every printed document, from one translated sentence.

Translators see the whole sentence (an English footer reads "Page N of M"), and each
format (Word fields, CSS page counters) fills the two numbers in its own way.
"""

from __future__ import annotations

import re

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

_SLOT = re.compile(r"\{(page|pages)\}")
_FIELD = {"page": "PAGE", "pages": "NUMPAGES"}


def page_of_pages() -> list[tuple[str, str | None]]:
    """The footer as (text, field) pieces: the text before each number and the Word field
    (PAGE or NUMPAGES) that stands for it, the last piece without a field."""
    sentence = _("第 {page} 页 共 {pages} 页")
    pieces: list[tuple[str, str | None]] = []
    start = 0
    for match in _SLOT.finditer(sentence):
        pieces.append((sentence[start:match.start()], _FIELD[match.group(1)]))
        start = match.end()
    pieces.append((sentence[start:], None))
    return pieces


def css_page_counter() -> SafeString:
    """The same footer as the value of a CSS ``content`` property in an @page margin box."""
    parts: list[str] = []
    for text, field in page_of_pages():
        if text:
            parts.append('"' + _css_text(text) + '"')
        if field:
            parts.append("counter(page)" if field == "PAGE" else "counter(pages)")
    return mark_safe(" ".join(parts))  # every text piece escaped by _css_text


def _css_text(text: str) -> str:
    return (text.replace("\\", "\\5C ").replace('"', "\\22 ").replace("<", "\\3C ")
            .replace("\n", " "))
