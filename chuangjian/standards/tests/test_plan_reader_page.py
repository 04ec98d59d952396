"""The plan reader page: who may use it, reading, reviewing, the draft and its download."""

from __future__ import annotations

import io
import re

import docx
import pytest
import yaml

from chuangjian.audit.models import AuditEntry
from chuangjian.org.testing import world  # noqa: F401 - the fixture
from chuangjian.standards.plans import plan_texts
from chuangjian.standards.plans.drafting import check_draft
from chuangjian.standards.plans.reader import read_targets

URL = "/standards/plan-reader/"


@pytest.mark.parametrize("persona", ["street_leader", "community_worker", "outsider", "inspector",
                                     "readonly"])
def test_only_people_who_may_author_standards_open_the_page(world, persona):  # noqa: F811
    client = world.client_for(getattr(world, persona))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"step": "read", "text": "安全感在90%以上"}).status_code == 403


def test_it_reads_a_pasted_plan_and_highlights_every_quote(world):  # noqa: F811
    client = world.client_for(world.district_admin)
    assert client.get(URL).status_code == 200
    response = client.post(URL, {"step": "read", "text": plan_texts()["篇13"]})
    assert response.status_code == 200
    html = response.content.decode()
    n = len(read_targets(plan_texts()["篇13"]))
    assert html.count('<mark id="quote-') == n
    assert f'name="count" value="{n}"' in html
    assert "每年至少测量1次血压" in html
    assert "<script>" not in html  # the CSP forbids inline script


def accept_all(html: str) -> dict[str, str]:
    """The review form as a browser would post it with every proposal accepted."""
    data: dict[str, str] = {"step": "draft"}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        data[name] = value.replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', options) or re.search(
            r'<option value="([^"]*)"', options)
        data[name] = chosen.group(1).replace("&gt;", ">").replace("&lt;", "<") if chosen else ""
    for key in list(data):
        if key.endswith("-decision"):
            data[key] = "accept"
    data["step"] = "draft"
    return data


def test_accepted_targets_become_a_draft_the_loader_accepts_with_a_source_on_each(world):  # noqa: F811
    client = world.client_for(world.district_admin)
    html = client.post(URL, {"step": "read", "text": plan_texts()["篇13"], "name": "健康社区草稿",
                             "campaign": "健康社区", "year": "2026"}).content.decode()
    data = accept_all(html)
    n = int(data["count"])
    data["p-0-metric"] = "35岁以上居民测量血压"  # an edit before accepting
    data["p-1-decision"] = "reject"
    response = client.post(URL, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="draft-ok"' in page, page[:3000]
    found = re.search(r'<textarea name="yaml" hidden>(.*?)</textarea>', page, re.S)
    assert found is not None
    text = found.group(1)
    text = text.replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    assert check_draft(text) == []
    standard = yaml.safe_load(text)
    indicators = standard["items"][0]["contents"][0]["indicators"]
    assert len(indicators) == n - 1
    assert indicators[0]["name"] == "35岁以上居民测量血压"
    assert all(i["source"]["plan"] == "篇13" and i["source"]["quote"] in plan_texts()["篇13"] for i in indicators)
    assert AuditEntry.objects.filter(action="standards.draft.written").count() == 1

    download = client.post(URL, {"step": "download", "yaml": text, "filename": "draft_篇13.yaml"})
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert download.content.decode("utf-8") == text


def test_a_draft_from_a_text_outside_the_packaged_plans_is_refused_with_the_reason(world):  # noqa: F811
    client = world.client_for(world.district_admin)
    html = client.post(URL, {"step": "read", "text": "辖区居民群众安全感在90%以上。"}).content.decode()
    response = client.post(URL, accept_all(html))
    assert 'id="draft-errors"' in response.content.decode()
    assert "十三篇计划" in response.content.decode()


def test_a_word_file_is_uploaded_through_the_files_app_and_read(world):  # noqa: F811
    from chuangjian.files.models import StoredFile

    document = docx.Document()
    document.add_paragraph("矛盾纠纷调解成功率达到98%以上。")
    buffer = io.BytesIO()
    document.save(buffer)
    buffer.seek(0)
    buffer.name = "计划.docx"
    client = world.client_for(world.district_admin)
    response = client.post(URL, {"step": "read", "file": buffer})
    assert response.status_code == 200
    assert "矛盾纠纷调解成功率达到98%以上" in response.content.decode()
    assert StoredFile.objects.filter(name="计划.docx").exists()


def test_bad_inputs_get_a_chinese_message_and_no_crash(world):  # noqa: F811
    client = world.client_for(world.district_admin)
    binary = io.BytesIO(bytes(range(256)) * 10)
    binary.name = "plan.txt"
    response = client.post(URL, {"step": "read", "file": binary})
    assert response.status_code == 400 and "不是文本文件" in response.content.decode()
    response = client.post(URL, {"step": "read", "text": "字" * 200_001})
    assert response.status_code == 400 and "超过" in response.content.decode()
    response = client.post(URL, {"step": "read", "text": "   "})
    assert response.status_code == 400 and "请粘贴计划正文" in response.content.decode()
    response = client.post(URL, {"step": "draft", "count": "1", "p-0-decision": "accept", "p-0-op": ">=",
                                 "p-0-value": "abc", "p-0-quote": "x", "p-0-metric": "y"})
    assert response.status_code == 400 and "第 1 条" in response.content.decode()
