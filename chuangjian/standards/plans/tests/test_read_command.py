"""`chuangjian plans read FILE` on good and bad files."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from chuangjian.standards.plans import plan_texts
from chuangjian.standards.plans.documents import (
    MAX_BYTES,
    PlanFileError,
    read_plan_bytes,
    read_plan_file,
)

ROOT = Path(__file__).resolve().parents[4]


def run_read(path: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "LANG": "C"}
    command = [sys.executable, str(ROOT / "manage.py"), "plans", "read", str(path)]
    # Our own interpreter and manage.py on a file the test wrote.
    return subprocess.run(command, capture_output=True, cwd=ROOT, env=env, timeout=300,  # noqa: S603
                          check=False)


def test_it_prints_only_a_utf8_json_list_of_the_targets_of_plan_13(tmp_path):
    plan = tmp_path / "篇13.txt"
    plan.write_text(plan_texts()["篇13"], encoding="utf-8")
    result = run_read(plan)
    assert result.returncode == 0
    targets = json.loads(result.stdout.decode("utf-8"))
    assert "每年至少测量1次血压" in targets[0]["quote"]
    assert {t["value"] for t in targets} >= {1, 10, 3, 30}
    assert set(targets[0]) == {"quote", "metric", "op", "value", "unit", "period", "category", "year",
                               "span_years"}


@pytest.mark.parametrize(("content", "message"), [
    (b"", "空的"),
    (b"This plan aims to raise awareness to 90 percent by 2026.", "几乎没有中文"),
    ("一、指导思想\n加强领导，落实责任。".encode(), "没有在计划中找到量化目标"),
])
def test_readable_files_without_targets_print_an_empty_list_and_say_why(tmp_path, content, message):
    plan = tmp_path / "plan.txt"
    plan.write_bytes(content)
    result = run_read(plan)
    assert result.returncode == 0
    assert json.loads(result.stdout) == []
    assert message in result.stderr.decode("utf-8")


def test_a_binary_file_renamed_txt_is_refused_with_a_chinese_message(tmp_path):
    plan = tmp_path / "plan.txt"
    plan.write_bytes(bytes(range(256)) * 20)
    result = run_read(plan)
    assert result.returncode == 2
    assert result.stdout == b""
    assert "不是文本文件" in result.stderr.decode("utf-8")
    assert "Traceback" not in result.stderr.decode("utf-8")


def test_a_50_mb_file_is_refused_by_its_size_before_it_is_read(tmp_path, monkeypatch):
    plan = tmp_path / "big.txt"
    with plan.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    opened: list[Path] = []
    real_open = Path.open

    def recording_open(self: Path, *args: object, **kwargs: object) -> object:
        opened.append(self)
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", recording_open)
    with pytest.raises(PlanFileError) as error:
        read_plan_file(plan)
    assert error.value.unreadable and "超过" in error.value.message
    assert opened == []


def test_a_docx_with_paragraphs_is_read_and_one_with_only_a_table_is_explained():
    document = docx.Document()
    document.add_paragraph("居民群众安全感在90%以上。")
    buffer = io.BytesIO()
    document.save(buffer)
    assert "90%以上" in read_plan_bytes(buffer.getvalue(), "plan.docx").text

    tables_only = docx.Document()
    tables_only.add_table(rows=1, cols=1).cell(0, 0).text = "安全感90%"
    for paragraph in list(tables_only.paragraphs):
        paragraph._element.getparent().remove(paragraph._element)
    buffer = io.BytesIO()
    tables_only.save(buffer)
    with pytest.raises(PlanFileError) as error:
        read_plan_bytes(buffer.getvalue(), "plan.docx")
    assert "只有表格或图片" in error.value.message and not error.value.unreadable


def test_a_pdf_with_a_text_layer_is_read_and_a_scanned_one_is_refused():
    from weasyprint import HTML

    text_pdf = HTML(string="<p>矛盾纠纷调解成功率达到98%以上。</p>").write_pdf()
    assert "98%" in read_plan_bytes(text_pdf, "plan.pdf").text
    scanned = HTML(string='<div style="width:200px;height:200px;background:#000"></div>').write_pdf()
    with pytest.raises(PlanFileError) as error:
        read_plan_bytes(scanned, "scan.pdf")
    assert "没有文字层" in error.value.message and error.value.unreadable


def test_a_damaged_docx_or_pdf_and_an_unknown_type_are_refused_in_chinese():
    for name in ("plan.docx", "plan.pdf", "plan.xls"):
        with pytest.raises(PlanFileError) as error:
            read_plan_bytes(b"not really a document", name)
        assert error.value.unreadable
        assert any("\u4e00" <= ch <= "\u9fff" for ch in error.value.message)


def test_uploads_over_the_limit_are_refused_before_parsing():
    with pytest.raises(PlanFileError):
        read_plan_bytes(b"x" * (MAX_BYTES + 1), "plan.txt")


def test_a_gbk_text_file_is_read():
    assert "安全感" in read_plan_bytes("居民安全感在90%以上".encode("gb18030"), "plan.txt").text


def test_all_thirteen_plans_read_together_give_their_targets():
    from chuangjian.standards.plans.reader import read_targets

    text = "\n".join(plan_texts().values())  # all thirteen plans: about 30,000 characters, 20 pages
    read_targets("无计划外生育，宣传面要达100%。")
    assert len(read_targets(text)) >= 80
