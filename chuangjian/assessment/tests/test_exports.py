"""Exports: the 考核评分表 xlsx, the report as PDF and Word, the CLI and the background job."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm
from openpyxl import load_workbook

from chuangjian.assessment import selectors
from chuangjian.assessment.exports import report, scoresheet
from chuangjian.assessment.exports.data import ExportError, collect
from chuangjian.assessment.tests import dashboards_fixtures
from chuangjian.assessment.tests.conftest import Small
from chuangjian.jobs.actions import start_job
from chuangjian.jobs.models import JobStatus
from chuangjian.org.scope import Scope

assessed = dashboards_fixtures.assessed


def street_data(small: Small, year: int = 2027) -> Any:
    w = small.world
    return collect(Scope.system(), unit_code=w.street.code, standard_code="test_small",
                   year=year, kind="考核")


def poppler(tool: str, *args: str) -> str:
    """Run one of poppler-utils (installed with the system packages) and return its output."""
    return subprocess.run([f"/usr/bin/{tool}", *args], capture_output=True, text=True,  # noqa: S603 - fixed tools, test files
                          check=True).stdout


def merged(ws: Any) -> set[str]:
    return {str(r) for r in ws.merged_cells.ranges}


def test_the_street_scoresheet_has_a_summary_and_a_sheet_per_community(assessed: Small) -> None:
    data = street_data(assessed)
    wb = load_workbook(io.BytesIO(scoresheet.build(data)))
    # The street is scored itself on its street-level item: its own sheet comes first.
    assert wb.sheetnames == ["汇总", "城关街道", "幸福里社区", "南门社区"]
    assert wb["城关街道"]["C5"].value == "下级完成率达标占比"
    # Its own sheet's mark: 60 of 100 scaled to the sheet's 10 points.
    assert wb["城关街道"]["G3"].value == "合格分：6 分　满分：10 分"
    summary = wb["汇总"]
    assert summary["A1"].value == "2027 年度测试用小标准考核汇总表"
    assert [summary.cell(row=r, column=2).value for r in (4, 5)] == ["幸福里社区", "南门社区"]
    assert summary.page_setup.orientation == "portrait"


def test_a_unit_sheet_is_laid_out_like_the_government_form(assessed: Small) -> None:
    w = assessed.world
    data = street_data(assessed)
    ws = load_workbook(io.BytesIO(scoresheet.build(data)))["幸福里社区"]
    # Title merged across the ten columns; the header lines; the column heads.
    assert "A1:J1" in merged(ws)
    assert ws["A1"].value == "2027 年度测试用小标准考核评分表"
    assert ws["A1"].font.name == "黑体" and ws["A1"].font.b
    assert ws["A2"].value == "被考核单位：幸福里社区" and ws["G2"].value == "考核类型：考核"
    assert [ws.cell(row=4, column=c).value for c in range(1, 11)] == [
        "测评项目", "测评内容", "测评标准", "分值", "测评方法", "目标", "完成值", "得分", "扣分说明",
        "备注"]
    # 项目 and 内容 span their six indicator rows (the street-level item is not on this sheet).
    assert {"A5:A10", "B5:B10"} <= merged(ws)
    assert ws["A5"].value == "基本项目" and ws["C5"].value == "完成率"
    assert ws["G5"].value == "86%" and ws["C5"].alignment.wrap_text
    assert ws["C5"].font.name == "宋体" and ws["C5"].border.left.style == "thin"
    review = next(r for r in range(5, 11) if ws.cell(row=r, column=3).value == "制度落实")
    assert ws.cell(row=review, column=8).value == 24
    assert ws.cell(row=review, column=9).value == "会议纪要缺第三季度"
    # Totals: base maximum and points, bonus, total — the engine's figures.
    card = next(c for c in data.cards if c.unit == w.community)
    rows = {ws.cell(row=r, column=1).value: r for r in range(11, 20)}
    assert ws.cell(row=rows["基本分合计"], column=4).value == card.base_max == 100
    assert ws.cell(row=rows["基本分合计"], column=8).value == round(card.base_total, 2)
    assert ws.cell(row=rows["加分"], column=8).value == card.bonus == 5
    assert ws.cell(row=rows["总分"], column=8).value == round(card.total, 2)
    assert f"A{rows['总分']}:C{rows['总分']}" in merged(ws)
    lines = [ws.cell(row=r, column=1).value for r in range(rows["总分"] + 1, rows["总分"] + 4)]
    assert lines[0].startswith("考核结论：")
    assert lines[1] == "一票否决：无"
    assert lines[2].startswith("评分人：") and "审核人" in lines[2] and "日期" in lines[2]
    # Print: A4 landscape, one page wide, the column heads on every page, numbered pages.
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) == 9
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$4:$4"
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert ws.page_margins.left == 0.5


def test_a_vetoed_unit_sheet_names_the_veto_item(assessed: Small) -> None:
    ws = load_workbook(io.BytesIO(scoresheet.build(street_data(assessed))))["南门社区"]
    lines = [ws.cell(row=r, column=1).value for r in range(11, 20)]
    assert "一票否决：无火灾" in lines
    assert any(str(v).startswith("考核结论：一票否决") for v in lines if v)


def test_the_pdf_report_has_the_sections_the_units_and_page_numbers(assessed: Small,
                                                                    tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(report.build_pdf(street_data(assessed)))
    text = poppler("pdftotext", "-layout", str(pdf), "-")
    for heading in ("考核报告", "一、总体情况", "二、排名情况", "三、各单位评分", "幸福里社区",
                    "南门社区", "一票否决：无火灾"):
        assert heading in text, heading
    flat = re.sub(r"\s+", "", text)
    pages = int(next(line.split()[-1] for line in poppler("pdfinfo", str(pdf)).splitlines()
                     if line.startswith("Pages:")))
    assert pages >= 3 and f"第2页共{pages}页" in flat and f"第{pages}页共{pages}页" in flat
    assert "2027年度测试用小标准考核报告" in flat  # the running header
    fonts = poppler("pdffonts", str(pdf))
    assert "Noto-Sans-CJK-SC" in fonts and "Noto-Serif-CJK-SC" in fonts  # embedded
    poppler("pdftoppm", "-r", "40", "-png", "-f", "2", "-l", "2", str(pdf), str(tmp_path / "page"))
    png = next(tmp_path.glob("page*.png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5_000


def test_the_word_report_is_a4_with_chinese_fonts_and_page_numbers(assessed: Small) -> None:
    doc = Document(io.BytesIO(report.build_docx(street_data(assessed))))
    section = doc.sections[0]
    width, height = section.page_width, section.page_height
    assert width is not None and height is not None
    assert abs(width - Mm(210)) < Mm(1) and abs(height - Mm(297)) < Mm(1)
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "宋体"
    assert doc.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    headings = [p.text for p in doc.paragraphs
                if p.style is not None and str(p.style.name).startswith("Heading")]
    assert headings[:2] == ["一、总体情况", "二、排名情况"] and "幸福里社区" in headings
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer and "第 " in footer
    league = doc.tables[0]
    assert [c.text for c in league.rows[0].cells][:3] == ["名次", "单位", "总分"]
    assert league.rows[1].cells[1].text == "幸福里社区"


def test_a_single_community_gets_its_own_sheet_only(assessed: Small) -> None:
    w = assessed.world
    data = collect(Scope.system(), unit_code=w.community.code, standard_code="test_small",
                   year=2027, kind="review")
    assert data.own is not None and not data.cards
    assert load_workbook(io.BytesIO(scoresheet.build(data))).sheetnames == ["幸福里社区"]


def test_the_cli_writes_each_format(assessed: Small, tmp_path: Path) -> None:
    w = assessed.world
    for what, name in (("scoresheet", "s.xlsx"), ("report", "r.pdf"), ("report", "r.docx")):
        out = tmp_path / name
        call_command("export", what, "--standard", "test_small", "--year", "2027", "--unit",
                     w.street.code, "--kind", "考核", "-o", str(out), stdout=io.StringIO())
        assert out.stat().st_size > 5_000


@pytest.mark.parametrize(("args", "message"), [
    (["--standard", "nope", "--year", "2027", "--unit", "T-01", "-o", "x.xlsx"], "未知的标准「nope」"),
    (["--standard", "test_small", "--year", "2027", "--unit", "NOPE", "-o", "x.xlsx"],
     "未知的单位「NOPE」"),
    (["--standard", "test_small", "--year", "2030", "--unit", "T-01", "-o", "x.xlsx"],
     "没有 2030 年度「测试用小标准」的考核结果"),
    (["--standard", "test_small", "--year", "2027", "--unit", "T-01", "--kind", "抽查", "-o",
      "x.xlsx"], "的抽查结果"),
    (["--standard", "test_small", "--year", "2027", "--unit", "T-01", "--kind", "互查", "-o",
      "x.xlsx"], "未知的考核类型「互查」"),
    (["--standard", "test_small", "--year", "2027", "--unit", "T-01", "-o", "x.pdf"],
     "扩展名应为 .xlsx"),
])
def test_the_cli_refuses_bad_input_in_chinese(assessed: Small, tmp_path: Path, args: list[str],
                                              message: str) -> None:
    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    with pytest.raises(CommandError) as error:
        call_command("export", "scoresheet", *args)
    assert message in str(error.value) and error.value.returncode == 1
    assert not list(tmp_path.iterdir())


def test_the_report_cli_wants_pdf_or_docx(assessed: Small, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=re.escape("扩展名应为 .pdf 或 .docx")):
        call_command("export", "report", "--standard", "test_small", "--year", "2027",
                     "--unit", "T-01", "-o", str(tmp_path / "r.xlsx"))


def test_the_report_job_runs_in_the_background_with_the_users_scope(
        assessed: Small, django_capture_on_commit_callbacks: Any) -> None:
    w = assessed.world
    params = {"standard": "test_small", "year": 2027, "kind": "review", "unit": w.street.code}
    with django_capture_on_commit_callbacks(execute=True):
        mine = start_job(kind_code="assessment.report", user=w.street_leader,
                         params={**params, "user": w.street_leader.pk, "format": "pdf"}, scope=Scope.system())
        word = start_job(kind_code="assessment.report", user=w.street_leader,
                         params={**params, "user": w.street_leader.pk, "format": "docx"}, scope=Scope.system())
        theirs = start_job(kind_code="assessment.scoresheet", user=w.outsider,
                           params={**params, "user": w.outsider.pk}, scope=Scope.system())
    for job in (mine, word, theirs):
        job.refresh_from_db()
    assert mine.status == word.status == JobStatus.DONE
    assert mine.filename.endswith("考核报告.pdf") and mine.file.read()[:5] == b"%PDF-"
    assert word.filename.endswith(".docx")
    assert theirs.status == JobStatus.FAILED
    assert theirs.message == "未知的单位「T-01」，或不在您的权限范围内"


def test_an_export_of_a_unit_without_results_says_so(assessed: Small) -> None:
    with pytest.raises(ExportError, match="「城关街道」没有 2026 年度「测试用小标准」的抽查结果"):
        collect(Scope.system(), unit_code="T-01", standard_code="test_small", year=2026,
                kind="spot")
    assert selectors.current_run(scope=Scope.system(), unit=assessed.world.street,
                                 standard_code="test_small", year=2026, kind="review")
