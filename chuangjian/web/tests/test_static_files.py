"""The static files: every one a page links is found, and of the npm packages only the
files the pages link (and the fonts their stylesheets load) are collected."""

from __future__ import annotations

import re
from pathlib import Path

from django.contrib.staticfiles import finders

CHUANGJIAN = Path(__file__).resolve().parents[2]
STATIC_TAG = re.compile(r"""\{%\s*static\s+['"]([^'"]+)['"]\s*%\}""")


def _linked() -> set[str]:
    return {path for template in CHUANGJIAN.rglob("templates/**/*.html")
            for path in STATIC_TAG.findall(template.read_text(encoding="utf-8"))}


def _collected_vendor_files() -> set[str]:
    return {
        str(Path(getattr(storage, "prefix", "") or "", path))
        for finder in finders.get_finders()
        for path, storage in finder.list(["CVS", ".*", "*~"])
        if str(Path(getattr(storage, "prefix", "") or "", path)).startswith("vendor/")
    }


def test_every_file_a_template_links_is_found() -> None:
    linked = _linked()
    assert {p for p in linked if p.startswith("vendor/")} >= {
        "vendor/bootstrap/dist/css/bootstrap.min.css", "vendor/echarts/dist/echarts.min.js"}
    assert [path for path in sorted(linked) if not finders.find(path)] == []


def test_only_the_linked_vendor_files_and_the_icon_fonts_are_collected() -> None:
    collected = _collected_vendor_files()
    fonts = {p for p in collected if p.startswith("vendor/bootstrap-icons/font/fonts/")}
    assert {Path(p).suffix for p in fonts} == {".woff", ".woff2"}
    assert collected - fonts == {p for p in _linked() if p.startswith("vendor/")}
    # None of the unminified bundles, other variants or source maps of the packages.
    assert not finders.find("vendor/echarts/dist/echarts.js")
    assert not finders.find("vendor/bootstrap/dist/css/bootstrap.min.css.map")


def test_the_icon_fonts_the_stylesheet_asks_for_are_found() -> None:
    found = finders.find("vendor/bootstrap-icons/font/bootstrap-icons.min.css")
    assert isinstance(found, str), found
    css = Path(found).read_text(encoding="utf-8")
    urls = re.findall(r'url\("?([^"?)]+)', css)
    assert urls, "the icons stylesheet names no font"
    assert [u for u in urls if not finders.find(f"vendor/bootstrap-icons/font/{u}")] == []
