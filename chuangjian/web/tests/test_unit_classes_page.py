"""The unit classes page: see each unit's class, set it, import it, run 动态升降."""

from __future__ import annotations

import io

from openpyxl import Workbook

from chuangjian.assessment.compute import unit_classes
from chuangjian.assessment.tests.conftest import Small, small  # noqa: F401 - the fixture


def test_an_admin_sets_a_class_on_the_page_and_sees_it_listed(small: Small) -> None:  # noqa: F811
    w = small.world
    client = w.client_for(w.district_admin)
    url = f"/units/{w.street.code}/classes/?standard=test_small&year=2026"
    page = client.get(url)
    assert page.status_code == 200
    assert "幸福里社区" in page.content.decode() and "未设置" in page.content.decode()
    done = client.post(url, {"action": "set", "unit": w.community.code, "unit_class": "大社区",
                             "period": "2026", "reason": "年初评定"}, follow=True)
    assert "自 2026 起为「大社区」" in done.content.decode()
    assert unit_classes("test_small", 2026, unit_ids=[w.community.pk]) == {w.community.pk: "大社区"}
    # A wrong period is refused with its reason, nothing saved.
    bad = client.post(url, {"action": "set", "unit": w.community2.code, "unit_class": "小社区",
                            "period": "明年"}, follow=True)
    assert "起始期间「明年」" in bad.content.decode()
    assert unit_classes("test_small", 2026, unit_ids=[w.community2.pk]) == {}


def test_the_page_runs_dynamic_promotion_and_confirms_it(small: Small) -> None:  # noqa: F811
    w = small.world
    small.report(w.community, t_total=150)
    client = w.client_for(w.district_admin)
    url = f"/units/{w.street.code}/classes/?standard=test_small&year=2026"
    proposed = client.post(url, {"action": "propose"}, follow=True)
    assert "建议" in proposed.content.decode() and "大社区" in proposed.content.decode()
    assert unit_classes("test_small", 2027, unit_ids=[w.community.pk]) == {}
    client.post(url, {"action": "confirm"})
    assert unit_classes("test_small", 2027, unit_ids=[w.community.pk]) == {w.community.pk: "大社区"}


def test_a_bad_import_file_saves_nothing_and_says_which_row(small: Small) -> None:  # noqa: F811
    w = small.world
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["单位编码", "标准", "起始期间", "单位类别", "依据"])
    ws.append([w.community.code, "test_small", "2026", "无此类", ""])
    data = io.BytesIO()
    wb.save(data)
    upload = io.BytesIO(data.getvalue())
    upload.name = "类别.xlsx"
    client = w.client_for(w.district_admin)
    url = f"/units/{w.street.code}/classes/?standard=test_small&year=2026"
    page = client.post(url, {"action": "import", "file": upload}, follow=True)
    assert "第2行" in page.content.decode() and "无此类" in page.content.decode()
    assert unit_classes("test_small", 2026, unit_ids=[w.community.pk]) == {}


def test_only_managers_change_classes_and_outsiders_see_nothing(small: Small) -> None:  # noqa: F811
    w = small.world
    url = f"/units/{w.street.code}/classes/?standard=test_small&year=2026"
    leader = w.client_for(w.street_leader)
    assert leader.get(url).status_code == 200
    assert "设置一个单位的类别" not in leader.get(url).content.decode()
    refused = leader.post(url, {"action": "set", "unit": w.community.code,
                                "unit_class": "大社区", "period": "2026"})
    assert refused.status_code == 403
    assert w.client_for(w.outsider).get(url).status_code == 404
