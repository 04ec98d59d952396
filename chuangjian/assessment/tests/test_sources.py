"""Sources: computed elements leave the report forms; 信息报送 counts come from news items."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from chuangjian import sources
from chuangjian.assessment.tests.conftest import Small
from chuangjian.engine.periods import Period
from chuangjian.org.scope import Scope
from chuangjian.reporting import datasets
from chuangjian.reporting.sources import NEWS_ELEMENT, NewsSource


class _BonusSource(sources.Source):
    key = "test_bonus"
    label = "测试来源"
    elements = {"t_bonus": "测试"}

    def values(self, element_code: str, period: Period, unit_ids: list[int]  # type: ignore[override]
               ) -> dict[int, float]:
        return {}


@pytest.fixture
def bonus_source() -> Iterator[None]:
    sources.register(_BonusSource)
    datasets._catalog = None
    yield
    sources._SOURCES.pop("test_bonus", None)
    sources._BY_ELEMENT.pop("t_bonus", None)
    datasets._catalog = None


def test_report_forms_leave_out_elements_a_source_computes(small: Small, bonus_source: None
                                                           ) -> None:
    ds = datasets.catalog().dataset(small.world.community, "community-year", 2026)
    assert ds is not None
    codes = [e.code for e in ds.elements]
    assert "t_bonus" not in codes and "t_done" in codes


def test_news_items_sent_are_counted_per_unit_and_period(small: Small) -> None:
    from chuangjian.reporting import actions

    w = small.world
    at = dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC)
    actions.submit_news(actor=w.community_worker, unit=w.community, kind="news", title="道德讲堂", body="内容",
                        now=at, scope=Scope.for_user(w.community_worker))
    actions.submit_news(actor=w.community_worker, unit=w.community, kind="experience", title="经验", body="内容",
                        now=at, scope=Scope.for_user(w.community_worker))
    source = NewsSource()
    got = source.values(NEWS_ELEMENT, Period.year(2026), [w.community.pk, w.community2.pk])
    assert got == {w.community.pk: 2.0, w.community2.pk: 0.0}
    assert source.values(NEWS_ELEMENT, Period.year(2025), [w.community.pk]) == {w.community.pk: 0.0}
    records = source.records(NEWS_ELEMENT, Period.year(2026), w.community.pk)
    assert len(records) == 2 and "待采用" in records[0].label
    assert sources.source_for(NEWS_ELEMENT) is not None


def test_the_news_source_lists_only_the_units_own_items_never_a_siblings(small: Small) -> None:
    from chuangjian.reporting import actions

    w = small.world
    at = dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC)
    actions.submit_news(actor=w.community_worker, unit=w.community, kind="news", title="本社区动态",
                        body="内容", now=at, scope=Scope.for_user(w.community_worker))
    actions.submit_news(actor=w.district_admin, unit=w.community2, kind="news",
                        title="南门社区动态", body="内容", now=at, scope=Scope.system())
    source = NewsSource()
    labels = [r.label for r in source.records(NEWS_ELEMENT, Period.year(2026), w.community.pk)]
    assert len(labels) == 1 and "本社区动态" in labels[0]
    assert source.values(NEWS_ELEMENT, Period.year(2026), [w.community.pk]) == {w.community.pk: 1}


def test_a_draft_report_never_reaches_the_rollups_the_assessment_reads(small: Small) -> None:
    from chuangjian.reporting import actions
    from chuangjian.reporting.models import Rollup

    w = small.world
    before = Rollup.objects.filter(unit=w.community).count()
    actions.save_draft(actor=w.community_worker, unit=w.community, dataset_code="community-year",
                       period="2026", values={"t_done": "5"},
                       scope=Scope.for_user(w.community_worker))
    assert Rollup.objects.filter(unit=w.community).count() == before
