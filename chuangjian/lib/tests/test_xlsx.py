"""Uploaded xlsx files are read within caps counted while streaming, and exported text
never becomes a live formula."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from benchmarks.bombs import xlsx_one_long_row, xlsx_without_refs
from chuangjian.lib.xlsx import XlsxRefused, guard_workbook, read_workbook, safe_cell


def workbook(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_small_sheet_is_read_with_row_and_column_numbers() -> None:
    sheets = read_workbook(workbook([["编码", "名称"], ["A-01", "幸福里社区"]]))
    rows = sheets.first()
    assert [[c.value for c in r] for r in rows] == [["编码", "名称"], ["A-01", "幸福里社区"]]
    assert (rows[1][1].row, rows[1][1].column_letter) == (2, "B")


def test_a_sheet_of_ten_million_cells_without_references_is_refused_at_once() -> None:
    data = xlsx_without_refs(10_000_000)
    assert len(data) < 1_000_000
    with pytest.raises(XlsxRefused, match="超过 400000 个单元格"):
        read_workbook(data)


def test_one_row_of_a_million_cells_is_refused() -> None:
    with pytest.raises(XlsxRefused, match="个单元格"):
        read_workbook(xlsx_one_long_row(1_000_000))


def test_the_row_cap_counts_rows_not_the_declared_dimension() -> None:
    data = xlsx_without_refs(3000, per_row=1, dimension="A1:XFD1048576")
    assert len(read_workbook(data, max_rows=3000).first()) == 3000
    with pytest.raises(XlsxRefused, match="超过 2999 行"):
        read_workbook(data, max_rows=2999)


def test_a_jump_to_the_last_row_is_counted_while_reading() -> None:
    wb = Workbook()
    wb.active["A1"] = "表头"
    wb.active["A1048576"] = "末行"
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(XlsxRefused, match="超过 100 行"):
        read_workbook(out.getvalue(), max_rows=100)


def test_a_cell_far_to_the_right_is_refused() -> None:
    wb = Workbook()
    wb.active["XFD1"] = "远处"
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(XlsxRefused, match="超过 500 列"):
        read_workbook(out.getvalue())


@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1",
                                  '=HYPERLINK("http://evil","点我")'])
def test_formula_looking_text_is_exported_as_plain_text(text: str) -> None:
    wb = Workbook()
    wb.active.append([text, 3, "幸福里社区"])
    guard_workbook(wb)
    out = io.BytesIO()
    wb.save(out)
    cell = load_workbook(io.BytesIO(out.getvalue())).active["A1"]
    assert cell.data_type == "s"
    assert cell.value == text
    assert cell.quotePrefix
    assert safe_cell(text) == "'" + text


def test_ordinary_values_are_left_alone() -> None:
    assert safe_cell("幸福里社区") == "幸福里社区"
    assert safe_cell(-3) == -3


def _as_openpyxl_reads_it(data: bytes) -> dict[str, list[list[tuple[object, str]]]]:
    wb = load_workbook(io.BytesIO(data), read_only=True)
    out = {}
    for ws in wb.worksheets:
        ws.reset_dimensions()
        out[ws.title] = [[(getattr(c, "value", None), getattr(c, "data_type", "n") or "n")
                          for c in row] for row in ws.iter_rows()]
    wb.close()
    return out


def test_cells_mean_what_openpyxl_says_they_mean() -> None:
    import datetime as dt

    wb = Workbook()
    ws = wb.active
    ws.title = "组织架构"
    ws["A1"], ws["C1"], ws["D1"] = "编码", 3, 2.5
    ws["B3"], ws["E3"] = True, dt.datetime(2024, 3, 1, 8, 30)  # noqa: DTZ001 - a naive Excel date
    ws["A4"], ws["B4"] = "=SUM(C1:D1)", dt.date(2020, 1, 31)
    ws["C4"].value, ws["C4"].number_format = 1.5, "[h]:mm"
    ws["A6"] = "空行之后"
    other = wb.create_sheet("_meta")
    other.append(["dataset", "community-day"])
    buffer = io.BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()

    sheets = read_workbook(data)
    expected = _as_openpyxl_reads_it(data)
    assert sheets.names == ["组织架构", "_meta"]
    for name in sheets.names:
        got = [[(c.value, c.data_type) for c in row] for row in sheets.rows[name]]
        assert got == expected[name], name
    assert sheets.rows["组织架构"][3][0].is_formula
    assert sheets.rows["组织架构"][0][2].column_letter == "C"


def test_inline_strings_and_cells_without_references_are_read_as_openpyxl_does() -> None:
    from benchmarks.bombs import _SHEET_HEAD, _sheet_xml_replaced

    body = _SHEET_HEAD + ("<sheetData>"
            '<row><c t="inlineStr"><is><t>幸福里</t></is></c><c><v>7</v></c></row>'
            '<row r="3"><c r="B3" t="inlineStr"><is><r><t>南</t></r><r><t>门</t></r>'
            '<rPh sb="0" eb="1"><t>nan</t></rPh></is></c><c t="str"><v>文本</v></c><c t="b"><v>0</v></c>'
            '<c t="e"><v>#N/A</v></c></row>'
            "</sheetData></worksheet>").encode()
    data = _sheet_xml_replaced(body)
    got = [[(c.value, c.data_type) for c in row] for row in read_workbook(data).rows["Sheet"]]
    assert got == _as_openpyxl_reads_it(data)["Sheet"]
    assert got[2][1] == ("南门", "s")


def test_the_largest_sheet_the_caps_allow_is_read_whole() -> None:
    # How long it takes is measured by ``python -m benchmarks.bombs`` (docs/benchmarks.md),
    # never asserted here.
    data = xlsx_without_refs(399_000, per_row=30)
    sheets = read_workbook(data)
    assert sum(len(row) for row in sheets.first()) == 399_000
