"""Reading uploaded xlsx files within fixed bounds, and writing cells that cannot run.

An xlsx file is a zip of XML: 340 KB can hold ten million cells, and the
``<dimension>`` a sheet declares (``A1:XFD1048576``) can lie. ``read_workbook``
therefore first streams every sheet's raw XML, counting rows and cells as they
go by and stopping at the first cap passed. Only then is the (now known to be
small) file read: openpyxl in read-only mode gives the sheet names, shared strings
and date styles, and each sheet's cells stream through expat into plain tuples
(openpyxl's own cell parser took 22 s for the 399,000 cells the caps allow; lxml's
iterparse, which builds an element per tag, about as long as expat here), with the
declared dimension ignored. Errors are ``XlsxRefused`` with a Chinese message.

``safe_cell`` escapes text that a spreadsheet would take as a formula
(``=``, ``+``, ``-``, ``@``, tab, carriage return at the start): every export of
text typed by users writes its cells through it.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import IO, Any, NamedTuple
from xml.parsers import expat

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import from_excel, from_ISO8601

MAX_ROWS = 20_000
MAX_CELLS = 400_000
MAX_COLUMNS = 500
# Shared strings and styles are loaded whole by openpyxl: their unpacked size is capped.
MAX_PART_BYTES = 30 * 1024 * 1024
_CHUNK = 64 * 1024


class XlsxRefused(ValueError):
    """The file is not a readable xlsx, or is larger than the caps allow."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Cell(NamedTuple):
    """One cell: a tuple, because a sheet at the caps holds 400,000 of them."""

    row: int
    column: int
    value: Any
    data_type: str = "n"

    @property
    def column_letter(self) -> str:
        return get_column_letter(self.column)

    @property
    def is_formula(self) -> bool:
        return self.data_type == "f"


@dataclass
class Sheets:
    """The sheets of a workbook in order: name → rows (lists of cells, row 1 first)."""

    names: list[str]
    rows: dict[str, list[list[Cell]]]

    def first(self) -> list[list[Cell]]:
        return self.rows[self.names[0]] if self.names else []


def _corrupt() -> XlsxRefused:
    return XlsxRefused(_("无法读取文件：不是有效的 xlsx 文件，或文件已损坏或不完整"))


# Every tag whose name starts with "c" is counted as a cell (<col>, <cfRule> too): the
# count can only be too high, never too low, whatever whitespace follows the name.
_CELL_TAGS = (b"<c", b":c")
_ROW_TAGS = (b"<row", b":row")
_FORBIDDEN = (b"<!DOCTYPE", b"<!ENTITY")
_TAIL = 16


class _Counter:
    """Counts rows and cells of a sheet's XML as it streams; stops at a cap.

    The counting runs on the raw bytes (``bytes.count`` per chunk, in C), so refusing
    ten million cells costs milliseconds, not a Python call per element. Rows that a
    sheet skips with ``r="1048576"`` and columns placed far right are counted again
    while the cells are read (``_rows``).
    """

    def __init__(self, sheet: str, max_rows: int, max_cells: int) -> None:
        self.sheet, self.max_rows, self.max_cells = sheet, max_rows, max_cells
        self.rows = self.cells = 0

    def feed(self, buffer: bytes) -> None:
        if any(marker in buffer for marker in _FORBIDDEN):
            # A sheet never needs a DOCTYPE; refusing it refuses every entity trick.
            raise XlsxRefused(_("文件含有不允许的 XML 声明（DOCTYPE），无法读取"))
        self.cells += sum(buffer.count(tag) for tag in _CELL_TAGS)
        self.rows += sum(buffer.count(tag) for tag in _ROW_TAGS)
        if self.rows > self.max_rows:
            raise _too_many_rows(self.sheet, self.max_rows)
        if self.cells > self.max_cells:
            raise XlsxRefused(_("工作表「%(sheet)s」超过 %(limit)d 个单元格，请拆分后分批导入")
                              % {"sheet": self.sheet, "limit": self.max_cells})


def _too_many_rows(sheet: str, limit: int) -> XlsxRefused:
    return XlsxRefused(_("工作表「%(sheet)s」超过 %(limit)d 行，请拆分后分批导入")
                       % {"sheet": sheet, "limit": limit})


def _scan(stream: IO[bytes], counter: _Counter) -> None:
    # Each buffer is the previous tail plus a chunk; the tail is shorter than any tag,
    # so a tag split across two chunks is counted once, in the buffer that completes it.
    tail = b""
    while chunk := stream.read(_CHUNK):
        buffer = tail + chunk
        counter.feed(buffer[: len(buffer) - _TAIL] if len(chunk) == _CHUNK else buffer)
        tail = buffer[len(buffer) - _TAIL:] if len(chunk) == _CHUNK else b""
    if tail:
        counter.feed(tail)


def check_workbook(data: bytes, *, max_rows: int = MAX_ROWS, max_cells: int = MAX_CELLS) -> None:
    """Refuse a file whose sheets pass a cap, counting while streaming the XML."""
    if not data.startswith(b"PK\x03\x04"):
        raise XlsxRefused(_("不是有效的 xlsx 文件：请用 Excel 或 WPS 另存为“Excel 工作簿（*.xlsx）”后上传"))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise _corrupt() from None
    with archive:
        cells = 0
        for info in infos:
            if not info.filename.endswith((".xml", ".rels")):
                continue
            is_sheet = info.filename.startswith("xl/worksheets/")
            if not is_sheet and info.file_size > MAX_PART_BYTES:
                raise XlsxRefused(_("文件内容过大（解压后超过 %(mb)d MB），无法读取")
                                  % {"mb": MAX_PART_BYTES // 1024 // 1024})
            counter = _Counter(info.filename.rsplit("/", 1)[-1].rsplit(".", 1)[0],
                               max_rows if is_sheet else 1 << 62,
                               max_cells - cells if is_sheet else 1 << 62)
            try:
                with archive.open(info) as stream:
                    _scan(stream, counter)
            except XlsxRefused:
                raise
            except (zipfile.BadZipFile, ValueError, OSError, EOFError, zlib.error):
                raise _corrupt() from None
            if is_sheet:
                cells += counter.cells


def read_workbook(data: bytes, *, max_rows: int = MAX_ROWS, max_cells: int = MAX_CELLS,
                  max_columns: int = MAX_COLUMNS,
                  wanted: Callable[[list[str]], Collection[str]] | None = None) -> Sheets:
    """The cells of every sheet (or of the ``wanted`` ones), after ``check_workbook``.

    Raises ``XlsxRefused``. ``wanted`` receives the sheet names in order and returns the
    names to read, so a caller can check a small sheet before reading a large one.
    """
    check_workbook(data, max_rows=max_rows, max_cells=max_cells)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    # openpyxl raises many different exceptions for a broken file; all mean the same.
    except Exception:
        raise _corrupt() from None
    try:
        sheets = Sheets(names=list(wb.sheetnames), rows={})
        chosen = set(wanted(sheets.names)) if wanted is not None else set(sheets.names)
        styles = _Styles(dates=set(wb._date_formats), durations=set(wb._timedelta_formats),
                         epoch=wb.epoch)
        for ws in wb.worksheets:
            if ws.title not in chosen:
                continue
            # openpyxl's read-only sheet knows its part in the archive and the shared
            # strings; the cells themselves are read below, the <dimension> ignored.
            with wb._archive.open(ws._worksheet_path) as stream:
                sheets.rows[ws.title] = list(_rows(
                    ws.title, _parse_sheet(stream, ws._shared_strings, styles),
                    max_rows=max_rows, max_cells=max_cells, max_columns=max_columns))
    except XlsxRefused:
        raise
    except Exception:  # a truncated sheet may fail only when it is read
        raise _corrupt() from None
    finally:
        wb.close()
    return sheets


_make = tuple.__new__
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main "
_ROW, _CELL, _VALUE, _FORMULA = f"{_NS}row", f"{_NS}c", f"{_NS}v", f"{_NS}f"
_INLINE, _TEXT, _PHONETIC = f"{_NS}is", f"{_NS}t", f"{_NS}rPh"


@dataclass(frozen=True)
class _Styles:
    dates: set[int]       # style ids whose number format is a date or time
    durations: set[int]   # … a duration ([h]:mm)
    epoch: dt.datetime


class _SheetHandler:
    """Collects the rows of a sheet's XML as expat streams it: for each ``<row>``, its
    number and [(column, value, data type)], with openpyxl's meaning of each cell
    (numbers, shared strings, dates by style, booleans, inline strings; a formula is its
    text with data type "f"). Expat calls these in C; there is no tree to build."""

    def __init__(self, shared: list[Any], styles: _Styles) -> None:
        self.shared, self.styles = shared, styles
        self.done: list[tuple[int, list[Cell]]] = []
        self.number = 0
        self.cells: list[Cell] = []
        self.column = 0
        self.kind, self.style = "n", 0
        self.formula: list[str] | None = None
        self.text: list[str] | None = None   # the characters being collected, if any
        self.value: list[str] = []
        self.inline: list[str] | None = None
        self.phonetic = False

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == _CELL:
            ref = attrs.get("r")
            self.column = _column(ref) if ref else self.column + 1
            self.kind = attrs.get("t", "n")
            self.style = int(attrs.get("s") or 0)
            self.formula, self.value, self.inline = None, [], None
        elif tag == _VALUE:
            self.value = self.text = []
        elif tag == _FORMULA:
            self.formula = []
            self.text = self.formula
        elif tag == _ROW:
            ref = attrs.get("r")
            self.number = int(ref) if ref else self.number + 1
            self.cells, self.column = [], 0
        elif tag == _INLINE:
            self.inline = []
        elif tag == _TEXT and self.inline is not None and not self.phonetic:
            self.text = self.inline
        elif tag == _PHONETIC:
            self.phonetic = True

    def data(self, text: str) -> None:
        if self.text is not None:
            self.text.append(text)

    def end(self, tag: str) -> None:
        if tag == _CELL:
            value, kind = self._cell()
            # tuple.__new__ is Cell(...) without its Python-level __new__: 400,000 add up.
            self.cells.append(_make(Cell, (self.number, self.column, value, kind)))
        elif tag in (_VALUE, _FORMULA, _TEXT):
            self.text = None
        elif tag == _ROW:
            self.done.append((self.number, self.cells))
        elif tag == _PHONETIC:
            self.phonetic = False

    def _cell(self) -> tuple[Any, str]:
        if self.formula is not None:
            return "=" + "".join(self.formula), "f"
        kind = self.kind
        if kind == "inlineStr":
            return ("".join(self.inline), "s") if self.inline is not None else (None, "n")
        value: Any = "".join(self.value) or None
        if value is None:
            return None, kind
        if kind == "n":
            value = float(value) if ("." in value or "e" in value or "E" in value) else int(value)
            if self.style in self.styles.dates:
                try:
                    return from_excel(value, self.styles.epoch,
                                      timedelta=self.style in self.styles.durations), "d"
                except (OverflowError, ValueError):
                    return "#VALUE!", "e"
            return value, kind
        if kind == "s":
            return self.shared[int(value)], kind
        if kind == "b":
            return bool(int(value)), kind
        if kind == "str":
            return value, "s"
        if kind == "d":
            return from_ISO8601(value), kind
        return value, kind


def _parse_sheet(stream: IO[bytes], shared: list[Any], styles: _Styles
                 ) -> Iterator[tuple[int, list[Cell]]]:
    """The rows of a sheet's XML as they stream by (see ``_SheetHandler``)."""
    handler = _SheetHandler(shared, styles)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.data
    # No DTD reaches here (check_workbook refuses DOCTYPE); never fetch anything outside.
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    while chunk := stream.read(_CHUNK):
        parser.Parse(chunk, False)
        yield from handler.done
        handler.done.clear()
    parser.Parse(b"", True)
    yield from handler.done


def _column(ref: str) -> int:
    letters = ref.rstrip("0123456789")
    return column_index_from_string(letters) if letters else 0


def _rows(sheet: str, raw: Iterator[tuple[int, list[Cell]]], *,
          max_rows: int, max_cells: int, max_columns: int) -> Iterator[list[Cell]]:
    """Rows 1, 2, … with skipped rows as empty lists and gaps in a row as empty cells;
    a jump to row 1048576 or column XFD is refused before anything is filled in."""
    count = 0
    expected = 1
    for number, cells in raw:
        if number > max_rows:
            raise _too_many_rows(sheet, max_rows)
        width = max((c.column for c in cells), default=0)
        if width > max_columns:
            raise XlsxRefused(_("工作表「%(sheet)s」第 %(row)d 行超过 %(limit)d 列")
                              % {"sheet": sheet, "row": number, "limit": max_columns})
        count += width
        if count > max_cells:
            raise XlsxRefused(_("工作表「%(sheet)s」超过 %(limit)d 个单元格，请拆分后分批导入")
                              % {"sheet": sheet, "limit": max_cells})
        if number < expected:
            continue  # a row repeated or out of order: openpyxl skips it too
        while expected < number:
            expected += 1
            yield []
        expected += 1
        if width == len(cells) and cells[-1].column == width and cells[0].column == 1 \
                and all(c.column == i for i, c in enumerate(cells, start=1)):
            yield cells
            continue
        row = [_make(Cell, (number, column, None, "n")) for column in range(1, width + 1)]
        for cell in cells:
            if cell.column >= 1:
                row[cell.column - 1] = cell
        yield row


# -- writing -----------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A cell value that Excel, WPS and LibreOffice show as text, never run as a formula.

    Text starting with ``= + - @``, a tab or a carriage return gets a leading
    apostrophe-like quote (OWASP's advice for CSV injection); numbers and dates pass.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def safe_row(values: Any) -> list[Any]:
    return [safe_cell(v) for v in values]


def guard_workbook(wb: Workbook) -> Workbook:
    """Make every formula-looking text cell of ``wb`` plain text; call it before saving.

    openpyxl turns a string starting with ``=`` into a live formula; Excel and WPS
    evaluate ``+ - @`` when a cell is edited. Such cells are stored as strings with
    Excel's quote prefix, so the name shows as typed and never runs. Our exports
    write no formulas of their own, so every such cell is the user's text.
    """
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and value.startswith(_FORMULA_START):
                    cell.data_type = "s"
                    cell.quotePrefix = True
    return wb


_MERGE_REF = re.compile(rb'<mergeCell\s+ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')


def merged_ranges(data: bytes, *, limit: int = 5) -> list[str]:
    """The first ``limit`` merged ranges of the workbook's sheets (``["A3:B4"]``).

    openpyxl's read-only mode does not report merged cells, and an import that reads
    them gets the value in the first cell and blanks in the others; callers refuse such
    a file. Call after ``check_workbook`` (the sizes are known to be within bounds)."""
    found: list[str] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if not info.filename.startswith("xl/worksheets/"):
                    continue
                tail = b""
                with archive.open(info) as stream:
                    while chunk := stream.read(_CHUNK):
                        buffer = tail + chunk
                        found += [m.decode() for m in _MERGE_REF.findall(buffer)
                                  if m.decode() not in found]
                        tail = buffer[-64:]
                        if len(found) >= limit:
                            return found[:limit]
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, zlib.error):
        raise _corrupt() from None
    return found
