"""The ledger (台账): PDF and Word from the same data, built in the background or by the CLI."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm

from chuangjian.evidence import actions
from chuangjian.evidence.ledger.build import LedgerError, build
from chuangjian.evidence.tests.conftest import YEAR, activity, photo
from chuangjian.jobs.models import Job, JobStatus
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(world: World, standards: object) -> None:
    dance = activity(world.community_worker, world.community, title="重阳节趣味运动会",
                     uploads=[photo("1.jpg", "red"), photo("2.jpg", "green")])
    meeting = activity(world.community_worker, world.community, code="regular_meeting",
                       title="三月份创建工作例会", minutes="通报进展")
    for req in ("活动照片", "活动签到表"):
        actions.link_evidence(actor=world.community_worker, unit=world.community,
                              standard_code="wenming_shequ",
                              indicator_code="small_activities_per_year", year=YEAR,
                              requirement=req, activity=dance, scope=Scope.for_user(world.community_worker))
    actions.link_evidence(actor=world.community_worker, unit=world.community,
                          standard_code="wenming_shequ", indicator_code="security_rules",
                          year=YEAR, requirement="例会记录", activity=meeting, scope=Scope.for_user(world.community_worker))


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "ledger.pdf"
    path.write_bytes(pdf)
    # poppler-utils of the machine, on a file this test wrote.
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,  # noqa: S603,S607
                          capture_output=True, text=True).stdout


def test_the_pdf_ledger_has_cover_contents_evidence_gaps_and_page_numbers(
        world: World, linked: None, tmp_path: Path) -> None:
    built = build(Scope.for_user(world.street_leader), unit_code=world.community.code,
                  standard_code="wenming_shequ", year=YEAR, fmt="pdf")
    assert built.content.startswith(b"%PDF") and built.filename.endswith(".pdf")
    text = _text(built.content, tmp_path)
    for heading in ("创建工作台账", "幸福里社区", "编制单位", "台账概况", "治安与安全",
                    "文化体育活动", "小型文体活动次数", "重阳节趣味运动会", "三月份创建工作例会"):
        assert heading in text, heading
    assert re.search(r"目\s*录", text)
    assert "缺少材料：活动简报" in text
    # Names, never codes: not the unit's (T-01-A-01) nor an indicator's or element's.
    assert world.community.code not in text
    assert not re.findall(r"\b[a-z]+_[a-z0-9_]+\b", text)
    pages = subprocess.run(["pdfinfo", str(tmp_path / "ledger.pdf")], capture_output=True,  # noqa: S603,S607
                           text=True, check=True).stdout
    count = int(next(line.split()[-1] for line in pages.splitlines() if line.startswith("Pages")))
    assert count > 3
    assert f"第 2 页 共 {count} 页" in text and f"第 {count} 页 共 {count} 页" in text


def test_the_word_ledger_is_a4_with_chinese_fonts_and_photos(world: World, linked: None) -> None:
    built = build(Scope.system(), unit_code=world.community.code, standard_code="wenming_shequ",
                  year=YEAR, fmt="docx")
    doc = Document(io.BytesIO(built.content))
    section = doc.sections[0]
    assert section.page_width is not None and section.page_height is not None
    assert abs(section.page_width - Cm(21)) < Cm(0.05)
    assert abs(section.page_height - Cm(29.7)) < Cm(0.05)
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "宋体"
    assert doc.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "创建工作台账" in text and "重阳节趣味运动会" in text and "缺少材料：活动简报" in text
    # Two photos under each of the two requirements the activity proves.
    assert len(doc.inline_shapes) == 4
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer


def test_a_ledger_is_built_in_the_background_for_the_asker_only(
        world: World, linked: None, django_capture_on_commit_callbacks) -> None:
    client = world.client_for(world.community_worker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evidence:ledger"), {
            "unit": world.community.code, "standard": "wenming_shequ", "year": YEAR,
            "format": "docx"})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.filename.endswith(".docx")
    assert job.params["user_id"] == world.community_worker.pk
    outsider = world.client_for(world.outsider)
    with django_capture_on_commit_callbacks(execute=True):
        refused = outsider.post(reverse("evidence:ledger"), {
            "unit": world.community.code, "standard": "wenming_shequ", "year": YEAR})
    assert refused.status_code == 302 and Job.objects.count() == 1


def test_the_job_rechecks_the_scope_of_the_asker(world: World, linked: None,
                                                 django_capture_on_commit_callbacks) -> None:
    from chuangjian.jobs.actions import start_job

    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(kind_code="evidence.ledger", user=world.outsider,
                        params={"unit": world.community.code, "standard": "wenming_shequ",
                                "year": YEAR, "format": "pdf", "user_id": world.outsider.pk}, scope=Scope.system())
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "不在您的权限范围内" in job.message


def test_the_cli_writes_a_ledger_and_names_each_mistake_in_chinese(
        world: World, linked: None, tmp_path: Path) -> None:
    out = tmp_path / "台账.pdf"
    call_command("ledger", unit=world.community.code, standard="wenming_shequ", year=YEAR,
                 output=str(out), stdout=io.StringIO())
    assert out.read_bytes().startswith(b"%PDF")
    cases: list[tuple[dict[str, Any], str]] = [({"unit": "NOPE"}, "单位编码「NOPE」不存在"),
             ({"standard": "nope"}, "没有编码为「nope」的创建标准"),
             ({"unit": world.village.code}, "不适用于「上林村」"),
             ({"output": str(tmp_path / "台账.txt")}, "后缀不对"),
             ({"year": 1990}, "年度「1990」不正确")]
    for change, message in cases:
        options: dict[str, Any] = {"unit": world.community.code, "standard": "wenming_shequ", "year": YEAR,
                   "output": str(tmp_path / "x.pdf"), **change}
        with pytest.raises(CommandError) as error:
            call_command("ledger", **options)
        assert message in str(error.value), message


def test_the_cli_exits_with_1_on_an_error(world: World, standards: object) -> None:
    from chuangjian.evidence.management.commands.ledger import Command

    with pytest.raises(SystemExit) as stop:
        Command(stdout=io.StringIO(), stderr=io.StringIO()).run_from_argv(
            ["chuangjian", "ledger", "--unit", "NOPE", "--standard", "wenming_shequ",
             "--year", str(YEAR), "-o", "x.pdf"])
    assert stop.value.code == 1


def test_a_bad_format_is_refused(world: World, standards: object) -> None:
    with pytest.raises(LedgerError):
        build(Scope.system(), unit_code=world.community.code, standard_code="wenming_shequ",
              year=YEAR, fmt="xls")
