"""The assessment pages: index, run, scorecard, explanation, reviewer scores."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from chuangjian.assessment import actions
from chuangjian.assessment.models import AssessmentRun, ReviewerScore
from chuangjian.assessment.tests.conftest import Small
from chuangjian.org.scope import Scope

TODAY = dt.date(2027, 1, 5)


@pytest.fixture
def run(small: Small) -> AssessmentRun:
    small.report(small.world.community, t_done=45, t_total=50, t_events=2)
    return actions.start_run(actor=None, standard_code="test_small", year=2026, today=TODAY, scope=Scope.system())


def test_pages_open_for_the_street_leader(small: Small, run: AssessmentRun,
                                          django_assert_max_num_queries: Any) -> None:
    w = small.world
    client = w.client_for(w.street_leader)
    assert "测试用小标准" in client.get("/assessment/").content.decode()
    # One of them asks whether the figures wait for a refresh (「数据更新中」).
    with django_assert_max_num_queries(13):
        page = client.get(f"/assessment/runs/{run.pk}/")
    assert "幸福里社区" in page.content.decode()
    card = client.get(f"/assessment/runs/{run.pk}/u/{w.community.pk}/")
    assert "完成率" in card.content.decode() and "90%" in card.content.decode()
    explain = client.get(f"/assessment/runs/{run.pk}/u/{w.community.pk}/i/done_rate/")
    body = explain.content.decode()
    assert "测试完成数 ÷ 测试总数 × 100%" in body and "45 ÷ 50 × 100% = 90" in body
    shown = re.sub(r'title="[^"]*"', "", body)  # codes may stay in tooltips, nowhere else
    assert "ratio(" not in shown and "t_done" not in shown
    # The report behind the figure by its name and period; its code only in the link.
    assert "社区/村年报" in shown and "2026年" in shown
    assert "community-year" not in re.sub(r'href="[^"]*"', "", shown)


def test_an_outsider_gets_404_everywhere(small: Small, run: AssessmentRun) -> None:
    w = small.world
    client = w.client_for(w.outsider)
    for url in (f"/assessment/runs/{run.pk}/u/{w.community.pk}/review/",
                f"/assessment/runs/{run.pk}/u/{w.community.pk}/",
                f"/assessment/runs/{run.pk}/u/{w.community.pk}/i/done_rate/"):
        assert client.get(url).status_code == 404
    page = client.get(f"/assessment/runs/{run.pk}/").content.decode()
    assert "湖滨社区" in page and "幸福里社区" not in page


def test_a_community_worker_cannot_score_its_own_review(small: Small, run: AssessmentRun) -> None:
    w = small.world
    client = w.client_for(w.community_worker)
    assert client.get(f"/assessment/runs/{run.pk}/u/{w.community.pk}/review/").status_code == 403


def test_reviewer_scores_validate_inline_over_htmx(small: Small, run: AssessmentRun) -> None:
    w = small.world
    client = w.client_for(w.street_leader)
    url = f"/assessment/runs/{run.pk}/u/{w.community.pk}/review/"
    assert "制度落实" in client.get(url).content.decode()
    bad = client.post(url, {"indicator": "rules_review", "rules_review-score": "35"},
                      HTTP_HX_REQUEST="true")
    assert "超过满分 30" in bad.content.decode()
    bad = client.post(url, {"indicator": "rules_review", "rules_review-score": "20"},
                      HTTP_HX_REQUEST="true")
    assert "须填写评审意见" in bad.content.decode()
    ok = client.post(url, {"indicator": "rules_review", "rules_review-score": "20",
                           "rules_review-comment": "记录不全",
                           "rules_review-evidence": "会议纪要 /evidence/3/"},
                     HTTP_HX_REQUEST="true")
    assert "已保存" in ok.content.decode()
    row = ReviewerScore.objects.get()
    assert row.score == 20 and row.evidence == [{"label": "会议纪要", "url": "/evidence/3/"}]


def test_a_user_with_the_right_starts_a_run_from_the_index(small: Small) -> None:
    w = small.world
    client = w.client_for(w.district_admin)
    page = client.post("/assessment/", {"standard": "test_small", "year": "2026",
                                        "kind": "review", "unit": w.district.pk})
    assert page.status_code == 302
    assert AssessmentRun.objects.filter(kind="review", current=True).exists()
    bad = client.post("/assessment/", {"standard": "test_small", "year": "2031",
                                       "kind": "review", "unit": w.district.pk})
    assert "在 2031 年不适用" in bad.content.decode()


def test_a_run_page_is_paged_and_searchable_in_a_constant_number_of_queries(
        small: Small, run: AssessmentRun, monkeypatch: pytest.MonkeyPatch,
        django_assert_max_num_queries: Any) -> None:
    from chuangjian.assessment import views

    w = small.world
    client = w.client_for(w.street_leader)
    monkeypatch.setattr(views, "RUN_PAGE_SIZE", 2)
    with django_assert_max_num_queries(13):
        first = client.get(f"/assessment/runs/{run.pk}/").content.decode()
    with django_assert_max_num_queries(13):
        second = client.get(f"/assessment/runs/{run.pk}/?page=2").content.decode()
    assert "第 1 / " in first and "第 2 / " in second
    assert first.count("评分表</a>") == 2
    found = client.get(f"/assessment/runs/{run.pk}/", {"q": w.community.code}).content.decode()
    assert w.community.name in found and w.community2.name not in found
    none = client.get(f"/assessment/runs/{run.pk}/", {"q": "没有这个单位"}).content.decode()
    assert "没有符合条件的单位" in none
