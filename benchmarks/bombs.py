"""Bomb files: small inputs that would cost gigabytes or minutes if read naively.

    python -m benchmarks.bombs

builds each file in memory and prints how long the product takes to refuse it and
how much its memory grows (peak resident size, and Python's tracemalloc peak). The
CPU seconds are printed beside the wall-clock ones: on a shared, loaded machine the
wall clock says as much about the other processes as about this one.
The aim is under 2 s and under 100 MB each. The builders are also used, at a
smaller size, by the tests of the readers (``chuangjian/lib/tests``).
"""

from __future__ import annotations

import io
import os
import resource
import sys
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from typing import Any

from openpyxl import Workbook

# -- builders ----------------------------------------------------------------------------


def _sheet_xml_replaced(body: bytes, *, meta: dict[str, str] | None = None) -> bytes:
    """An xlsx made by openpyxl whose first sheet's XML is ``body`` (a full document),
    with a ``_meta`` sheet like the report templates' when ``meta`` is given."""
    wb = Workbook()
    wb.active.title = "Sheet"
    wb.active.append(["x"])
    if meta:
        sheet = wb.create_sheet("_meta")
        for key, value in meta.items():
            sheet.append([key, value])
    source = io.BytesIO()
    wb.save(source)
    out = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED,
                                                         compresslevel=9) as zout:
        for info in zin.infolist():
            data = body if info.filename == "xl/worksheets/sheet1.xml" else zin.read(info)
            zout.writestr(info.filename, data)
    return out.getvalue()


_SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def xlsx_without_refs(cells: int, *, per_row: int = 100, dimension: str = "A1",
                      meta: dict[str, str] | None = None) -> bytes:
    """``cells`` numeric cells in rows of ``per_row``, no ``r=`` attributes anywhere."""
    rows, rest = divmod(cells, per_row)
    row = b"<row>" + b"<c><v>1</v></c>" * per_row + b"</row>"
    tail = b"<row>" + b"<c><v>1</v></c>" * rest + b"</row>" if rest else b""
    body = (_SHEET_HEAD + f'<dimension ref="{dimension}"/>'.encode() + b"<sheetData>"
            + row * rows + tail + b"</sheetData></worksheet>")
    return _sheet_xml_replaced(body, meta=meta)


def xlsx_one_long_row(cells: int) -> bytes:
    """One ``<row>`` holding ``cells`` cells: a row-by-row reader still holds it all."""
    body = (_SHEET_HEAD + b"<sheetData><row>" + b"<c><v>1</v></c>" * cells
            + b"</row></sheetData></worksheet>")
    return _sheet_xml_replaced(body)


def units_xlsx_with_huge_dimension(rows: int = 3) -> bytes:
    """A valid 组织架构 sheet of a few rows that declares ``A1:XFD1048576``."""
    from chuangjian.org.io import COLUMNS

    wb = Workbook()
    ws = wb.active
    ws.title = "组织架构"
    ws.append([h for h, _w in COLUMNS])
    for n in range(rows):
        ws.append([f"B-{n:03d}", f"炸弹社区{n}", "社区", "T-01-A"])
    source = io.BytesIO()
    wb.save(source)
    out = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                start = data.index(b"<dimension ref=\"") + len(b"<dimension ref=\"")
                end = data.index(b"\"", start)
                data = data[:start] + b"A1:XFD1048576" + data[end:]
            zout.writestr(info.filename, data)
    return out.getvalue()


def png_of(width: int, height: int) -> bytes:
    """A valid PNG header and a tiny compressed body claiming ``width`` × ``height`` RGB."""
    import struct

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    # The rows are never written out: the IDAT holds only the start of the first row.
    body = zlib.compress(b"\0" + b"\0" * min(width * 3, 4096))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body)
            + chunk(b"IEND", b""))


def billion_laughs(levels: int = 9, fan: int = 10) -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * fan) + "]"]
    for n in range(1, levels + 1):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * fan) + "]")
    return "\n".join(lines) + "\n"


def deep_yaml(depth: int = 100_000) -> str:
    return "code: x\nname: " + "[" * depth + "]" * depth + "\n"


def long_expression(terms: int = 10_000) -> str:
    return " + ".join(f"e{n}" for n in range(terms))


def deep_expression(depth: int = 10_000) -> str:
    return "(" * depth + "a" + ")" * depth


# -- running -----------------------------------------------------------------------------


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def _measure(name: str, build: Callable[[], Any], refuse: Callable[[Any], str]) -> dict[str, Any]:
    data = build()
    size = len(data)
    # Timed without tracing (tracemalloc slows every allocation), then traced for the peak.
    before = _rss_mb()
    start, cpu = time.perf_counter(), time.process_time()
    message = refuse(data)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    grown = max(0.0, _rss_mb() - before)
    tracemalloc.start()
    refuse(data)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"name": name, "size": size, "seconds": seconds, "cpu": cpu,
            "traced_mb": peak / 1024 / 1024,
            "rss_mb": grown, "message": message}


def _cases() -> list[tuple[str, Callable[[], Any], Callable[[Any], str]]]:
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chuangjian.engine.expressions import ExpressionError, parse
    from chuangjian.files.storing import store_file
    from chuangjian.lib.xlsx import XlsxRefused
    from chuangjian.org.io import import_tree
    from chuangjian.org.scope import Scope
    from chuangjian.reporting.xlsx import import_workbook
    from chuangjian.standards import loader

    def report_import(data: bytes) -> str:
        result = import_workbook(data, actor=None, scope=Scope.system())
        return str(result.errors[0]) if result.errors else "accepted"

    def units_import(data: bytes) -> str:
        result = import_tree(actor=None, scope=Scope.system(), data=data, filename="units.xlsx")
        return str(result.errors[0]) if result.errors else "accepted"

    def photos(data: bytes) -> str:
        messages = []
        for n in range(3):
            try:
                store_file(SimpleUploadedFile(f"p{n}.png", data), user=None)
            except ValidationError as error:
                messages.append(error.messages[0])
        return messages[0] if messages else "accepted"

    def standard(text: str) -> str:
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bomb.yaml"
            path.write_text(text, encoding="utf-8")
            result = loader.load_paths([path], builtin_elements=False)
        return str(result.errors[0]) if result.errors else "accepted"

    def expression(text: str) -> str:
        try:
            parse(text)
        except ExpressionError as error:
            return str(error)
        return "accepted"

    _ = XlsxRefused
    return [
        ("报表 xlsx：1000 万单元格，无 r= 属性", lambda: xlsx_without_refs(10_000_000),
         report_import),
        ("报表 xlsx：一行 1000 万单元格", lambda: xlsx_one_long_row(10_000_000), report_import),
        # Not a bomb: the largest file the caps let through, read in full, then refused
        # (it has no _meta sheet). The true worst case a hostile user can send.
        ("报表 xlsx：上限内 39.9 万单元格", lambda: xlsx_without_refs(399_000, per_row=30),
         report_import),
        ("报表 xlsx：同上，带 _meta 工作表", lambda: xlsx_without_refs(
            399_000, per_row=30, meta={"dataset": "community-day", "period": "2026-03-16"}),
         report_import),
        ("组织架构 xlsx：声明 A1:XFD1048576", units_xlsx_with_huge_dimension, units_import),
        ("随手拍：3 张 12000×12000 PNG", lambda: png_of(12000, 12000), photos),
        ("标准 YAML：billion laughs", billion_laughs, standard),
        ("标准 YAML：嵌套 10 万层", deep_yaml, standard),
        ("表达式：10000 项", long_expression, expression),
        ("表达式：嵌套 10000 层", deep_expression, expression),
    ]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangjian.settings")
    import tempfile

    import django
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    folder = tempfile.mkdtemp(prefix="bombs-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bombs.sqlite3"
    os.environ["MEDIA_ROOT"] = f"{folder}/media"
    django.setup()
    setup_test_environment()
    call_command("migrate", verbosity=0)
    assert str(settings.DATABASES["default"]["NAME"]).startswith(folder)

    print(f"{'input':<34} {'bytes':>9} {'seconds':>8} {'CPU s':>6} {'traced MB':>10} "
          f"{'RSS +MB':>8}  message")
    worst_seconds = worst_mb = 0.0
    for name, build, refuse in _cases():
        row = _measure(name, build, refuse)
        worst_seconds = max(worst_seconds, row["seconds"])
        worst_mb = max(worst_mb, row["traced_mb"], row["rss_mb"])
        print(f"{row['name']:<34} {row['size']:>9} {row['seconds']:>8.3f} {row['cpu']:>6.2f} "
              f"{row['traced_mb']:>10.1f} {row['rss_mb']:>8.1f}  {row['message'][:60]}")
        sys.stdout.flush()
    print(f"worst: {worst_seconds:.3f} s, {worst_mb:.1f} MB, load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          f"(peak RSS of the process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
