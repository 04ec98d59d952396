"""Uploaded xlsx files are read within caps counted while streaming, and exported text
never becomes a live formula."""

from __future__ import annotations

import io
import time

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
    start = time.perf_counter()
    with pytest.raises(XlsxRefused, match="超过 400000 个单元格"):
        read_workbook(data)
    assert time.perf_counter() - start < 10  # generous for a loaded test machine


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
