"""The surveys pages: the public answer page and its submissions, enumerator entry,
review, the results page, exports; the command line and the API."""

from __future__ import annotations

import io
import json
import uuid
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.surveys import actions
from chuangjian.surveys.models import Response
from chuangjian.surveys.testing import AWARE, UNAWARE, drug_survey, submit

pytestmark = pytest.mark.django_db


def _post(client: Client, url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = client.post(url, data=json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def test_the_public_page_opens_without_login_and_a_resend_is_stored_once(world: World) -> None:
    survey = drug_survey(world)
    link = actions.create_link(actor=None, scope=Scope.system(), survey=survey,
                               unit=world.community, group="urban")
    client = Client()
    page = client.get(reverse("wenjuan:answer", args=[link.token]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "每年的6月26日是什么日子？" in html and "幸福里社区 · 城镇居民" in html
    assert "<script>" not in html  # no inline script: the CSP allows none
    body = {"uuid": str(uuid.uuid4()), "answers": AWARE, "started_at": "2026-05-01T02:00:00Z",
            "ended_at": "2026-05-01T02:03:00Z", "page_seconds": [20, 90, 70]}
    url = reverse("wenjuan:submit", args=[link.token])
    status, data = _post(client, url, body)
    assert status == 201 and data["ok"] is True
    status, data = _post(client, url, body)
    assert status == 200 and data["created"] is False
    row = Response.objects.get()
    assert row.page_seconds == [20.0, 90.0, 70.0] and row.seconds == 180 and row.link == link


def test_the_public_submission_names_the_faults_in_chinese(world: World) -> None:
    survey = drug_survey(world)
    link = actions.create_link(actor=None, scope=Scope.system(), survey=survey,
                               unit=world.community, group="urban")
    status, data = _post(Client(), reverse("wenjuan:submit", args=[link.token]),
                         {"uuid": str(uuid.uuid4()), "answers": {**AWARE, "age": 2, "zz": 1}})
    assert status == 400
    assert "问卷中没有这些题目：zz" in data["errors"] and "年龄应在 6 到 100 岁之间" in data["errors"]
    assert Response.objects.count() == 0


def test_a_flood_from_one_client_is_refused(world: World) -> None:
    survey = drug_survey(world)
    link = actions.create_link(actor=None, scope=Scope.system(), survey=survey,
                               unit=world.community, group="urban")
    client = Client()
    url = reverse("wenjuan:submit", args=[link.token])
    from chuangjian.surveys.views import SUBMIT_RATE

    allowed = int(SUBMIT_RATE.split("/")[0])
    codes = []
    for _ in range(allowed):
        codes.append(client.post(url, data=json.dumps({"uuid": str(uuid.uuid4()),
                                                       "answers": AWARE}),
                                 content_type="application/json").status_code)
    refused = client.post(url, data="{}", content_type="application/json")
    assert set(codes) == {201} and refused.status_code == 429
    assert "频繁" in refused.content.decode() or "太多" in refused.content.decode()
    assert Response.objects.count() == allowed


def test_a_single_use_link_shows_that_it_was_used(world: World) -> None:
    survey = drug_survey(world)
    link = actions.create_link(actor=None, scope=Scope.system(), survey=survey,
                               unit=world.community, group="urban", single_use=True)
    client = Client()
    url = reverse("wenjuan:submit", args=[link.token])
    assert _post(client, url, {"uuid": str(uuid.uuid4()), "answers": AWARE})[0] == 201
    status, data = _post(client, url, {"uuid": str(uuid.uuid4()), "answers": AWARE})
    assert status == 400 and "只能填写一次" in data["errors"][0]
    page = client.get(reverse("wenjuan:answer", args=[link.token]))
    assert page.status_code == 410 and "只能填写一次" in page.content.decode()


def test_an_enumerator_enters_a_response_for_a_place_in_scope(world: World) -> None:
    survey = drug_survey(world)
    client = world.client_for(world.community_worker)
    assert client.get(reverse("surveys:enter", args=[survey.code])).status_code == 200
    url = reverse("surveys:enter_submit", args=[survey.code])
    status, _data = _post(client, url, {"uuid": str(uuid.uuid4()), "answers": AWARE,
                                        "unit": world.community.pk, "group": "urban"})
    assert status == 201
    assert Response.objects.get().enumerator == world.community_worker
    status, data = _post(client, url, {"uuid": str(uuid.uuid4()), "answers": AWARE,
                                       "unit": world.community.pk, "group": "students"})
    assert status == 400 and "抽样配额" in data["errors"][0]
    outsider = world.client_for(world.outsider)
    assert outsider.get(reverse("surveys:enter", args=[survey.code])).status_code == 404


def test_review_and_results_pages(world: World) -> None:
    survey = drug_survey(world)
    rows = [submit(survey, world, a)[0] for a in (AWARE, AWARE, UNAWARE)]
    leader = world.client_for(world.street_leader)
    for row in rows:
        page = leader.post(reverse("surveys:response", args=[row.pk]), {"state": "approved"})
        assert page.status_code == 302
    refused = leader.post(reverse("surveys:response", args=[rows[0].pk]), {"state": "rejected"})
    assert refused.status_code == 400 and "审核意见" in refused.content.decode()
    detail = leader.get(reverse("surveys:detail", args=[survey.code]))
    html = detail.content.decode()
    assert detail.status_code == 200
    assert "66.7%" in html and "n=3" in html and "未达标" in html
    assert leader.get(reverse("surveys:responses", args=[survey.code])).status_code == 200


def test_the_responses_export_has_a_column_per_question_with_chinese_labels(world: World) -> None:
    survey = drug_survey(world)
    submit(survey, world, {**AWARE, "source": "other", "source_other": "=HYPERLINK(\"x\")"})
    leader = world.client_for(world.street_leader)
    response = leader.get(reverse("surveys:export", args=[survey.code]))
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    rows = list(wb.active.iter_rows(values_only=True))
    assert "每年的6月26日是什么日子？" in rows[0] and "您的年龄" in rows[0]
    assert "国际禁毒日" in rows[1] and "幸福里社区" in rows[1]
    assert "'=HYPERLINK(\"x\")" in rows[1]  # a formula typed by a respondent never runs


def test_the_command_line_imports_lists_and_prints_results(world: World, tmp_path,
                                                           capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    from chuangjian.surveys.tests.test_xlsform import HEAD, xlsx

    survey = drug_survey(world)
    for answers in (AWARE, AWARE, UNAWARE):
        row, _ = submit(survey, world, answers)
        actions.review_response(actor=None, scope=Scope.system(), response=row, state="approved")
    path = tmp_path / "t1.xlsx"
    path.write_bytes(xlsx([HEAD, ["integer", "age", "年龄", "yes", "", "", "", ""]]))
    call_command("surveys", "import", str(path), "--publish")
    call_command("surveys", "list")
    call_command("surveys", "results", "--survey", survey.code, "--unit", world.community.code,
                 "--json")
    out = capsys.readouterr().out
    assert "已导入「测试问卷」（t1）第 1 版，已发布" in out
    assert survey.code in out
    data = json.loads(out[out.index("["):])
    urban = next(g for g in data if g["group"] == "urban")
    assert set(urban) == {"group", "n", "aware", "rate", "ci_low", "ci_high", "target", "status"}
    assert (urban["n"], urban["aware"], urban["target"]) == (3, 2, 100.0)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([HEAD, ["select_one none", "a", "题", "", "", "", "", ""]]))
    with pytest.raises(Exception, match="选项列表「none」"):
        call_command("surveys", "import", str(bad))


def test_the_api_gives_the_same_results_and_takes_responses(world: World) -> None:
    survey = drug_survey(world)
    leader = world.client_for(world.street_leader)
    listed = leader.get("/api/surveys").json()
    assert [s["code"] for s in listed] == [survey.code]
    key = str(uuid.uuid4())
    body = {"uuid": key, "unit": world.community.code, "group": "urban", "answers": AWARE}
    first = leader.post(f"/api/surveys/{survey.code}/responses", data=json.dumps(body),
                        content_type="application/json")
    again = leader.post(f"/api/surveys/{survey.code}/responses", data=json.dumps(body),
                        content_type="application/json")
    assert first.status_code == 201 and again.status_code == 200 and again.json()["created"] is False
    actions.review_response(actor=None, scope=Scope.system(), response=Response.objects.get(),
                            state="approved")
    results = leader.get(f"/api/surveys/{survey.code}/results",
                         {"unit": world.community.code}).json()
    urban = next(g for g in results if g["group"] == "urban")
    assert urban["n"] == 1 and urban["status"] == "达标"
    outsider = world.client_for(world.outsider)
    assert outsider.get(f"/api/surveys/{survey.code}/results",
                        {"unit": world.community.code}).status_code == 404


def test_the_results_report_is_a_word_file_with_the_chart_and_the_tables(world: World) -> None:
    from docx import Document

    survey = drug_survey(world)
    for answers in (AWARE, AWARE, UNAWARE):
        row, _ = submit(survey, world, answers)
        actions.review_response(actor=None, scope=Scope.system(), response=row, state="approved")
    leader = world.client_for(world.street_leader)
    response = leader.get(reverse("surveys:report", args=[survey.code]),
                          {"unit": world.community.pk})
    assert response.status_code == 200
    doc = Document(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert "2026年禁毒知识知晓率调查结果报告" in text
    assert "城镇居民" in cells and "66.7%" in cells and "未达标" in cells
    assert len(doc.inline_shapes) == 1  # the chart of bars and intervals
    outsider = world.client_for(world.outsider)
    assert outsider.get(reverse("surveys:report", args=[survey.code])).status_code == 404


def test_a_questionnaire_is_imported_through_the_page_and_a_bad_one_is_refused(
        world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chuangjian.surveys.models import Questionnaire
    from chuangjian.surveys.tests.test_xlsform import HEAD, xlsx

    admin = world.client_for(world.district_admin)
    bad = xlsx([HEAD, ["calculate", "a", "", "", "", "", "${b}", ""],
                ["calculate", "b", "", "", "", "", "${a}", ""]])
    page = admin.post(reverse("surveys:index"), {"file": SimpleUploadedFile("坏问卷.xlsx", bad)})
    assert page.status_code == 400 and "循环" in page.content.decode()
    assert not Questionnaire.objects.filter(code="t1").exists()
    good = xlsx([HEAD, ["integer", "age", "年龄", "yes", "", "", "", ""]])
    page = admin.post(reverse("surveys:index"), {"file": SimpleUploadedFile("问卷.xlsx", good)})
    assert page.status_code == 302
    version = Questionnaire.objects.get(code="t1").versions.get()
    assert version.source_file is not None and version.state == "draft"
    # A street's administrator may not change the questionnaires the whole district uses.
    street_admin = world.client_for(world.street_leader)
    assert street_admin.post(reverse("surveys:publish", args=[version.pk])).status_code == 403


def test_a_street_leader_creates_a_survey_of_their_street_only(world: World) -> None:
    from chuangjian.surveys.models import Survey

    actions.load_builtin(scope=Scope.system())
    leader = world.client_for(world.street_leader)
    page = leader.post(reverse("surveys:create"), {"questionnaire": "chuangcheng_manyi",
                                                   "unit": world.street.pk, "year": "2026",
                                                   "margin": "5"})
    survey = Survey.objects.get()
    assert page.status_code == 302 and survey.unit == world.street and survey.margin == 0.05
    refused = leader.post(reverse("surveys:create"), {"questionnaire": "chuangcheng_manyi",
                                                      "unit": world.other_street.pk,
                                                      "year": "2026"})
    assert refused.status_code == 403 and Survey.objects.count() == 1
