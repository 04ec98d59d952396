"""The ledger as PDF: an HTML page printed by WeasyPrint with Noto CJK, A4, numbered pages."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from chuangjian.evidence.ledger.collect import Ledger, Progress
from chuangjian.files.models import StoredFile
from chuangjian.lib.pages import css_page_counter

_SCHEME = "stored:"


def _fetcher(photos: dict[str, StoredFile]) -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StoredFetcher(URLFetcher):
        """Thumbnails of the ledger's own photos, from the file store (a folder or S3), never
        from the network; the rows were read with the ledger, so a photo costs no query."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith(_SCHEME):
                stored = photos.get(url[len(_SCHEME):])
                if stored is not None:
                    field = stored.thumb or stored.display or stored.original
                    with field.open("rb") as handle:
                        return URLFetcherResponse(url, body=handle.read(),
                                                  headers={"Content-Type": "image/jpeg"})
            raise ValueError(f"ledger may only load its own stored photos, not {url!r}")

    return StoredFetcher()


def render_pdf(ledger: Ledger, progress: Progress | None = None) -> bytes:
    from weasyprint import HTML

    html = render_to_string("evidence/ledger_pdf.html", {"ledger": ledger, "scheme": _SCHEME,
                                                         "css_pages": css_page_counter()})
    if progress:
        progress(50, "正在排版 PDF")
    document = HTML(string=html, url_fetcher=_fetcher(ledger.photos), base_url="/").render()
    if progress:
        progress(85, "正在写出 PDF")
    return bytes(document.write_pdf())
