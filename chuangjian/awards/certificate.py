"""The certificate of a title (荣誉证书): A4 landscape PDF printed by WeasyPrint (as the
ledger and the bulletins), with the naming unit, the date and a QR code that leads to
the public check page (证书查验)."""

from __future__ import annotations

import base64
import io
from typing import Any

import segno
from django.template.loader import render_to_string

from chuangjian.awards.models import Title


def qr_svg(url: str, *, scale: int = 4) -> bytes:
    """The QR code as a standalone SVG document (with its namespace, for an <img>)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", xmldecl=False, scale=scale, border=1)
    return out.getvalue()


def qr_data_uri(url: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(url)).decode()


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    class InlineOnly(URLFetcher):
        """The certificate loads nothing but its own inline QR code: no network."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            raise ValueError(f"a certificate loads no remote resource: {url!r}")

    return InlineOnly()


def render_pdf(title: Title, check_url: str) -> bytes:
    from weasyprint import HTML

    html = render_to_string("awards/certificate_pdf.html", {
        "t": title, "qr": qr_data_uri(check_url), "check_url": check_url})
    return bytes(HTML(string=html, url_fetcher=_fetcher(), base_url="/").write_pdf())
