"""The demo's surveys: every community surveyed with its groups, some responses flagged
and rejected, and the approved ones feeding the county 无毒 standard's elements."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from chuangjian import sources
from chuangjian.engine.periods import Period
from chuangjian.org.testing import World
from chuangjian.surveys import demo
from chuangjian.surveys.models import Response, Survey

pytestmark = pytest.mark.django_db


def test_the_demo_surveys_every_community_and_feeds_the_standards(world: World) -> None:
    out = io.StringIO()
    demo.run(out, today=dt.date(2026, 12, 2))
    drug = Survey.objects.get(code="jindu-2026")
    groups = set(drug.quotas.filter(unit=world.village).values_list("group", flat=True))
    assert groups == {"rural", "migrants", "venue_staff", "students"}
    assert set(drug.quotas.filter(unit=world.community).values_list("group", flat=True)) == {
        "urban", "migrants", "venue_staff", "students"}
    rows = Response.objects.filter(survey=drug)
    assert rows.count() > 80  # four communities here; the demo district has sixteen
    assert rows.filter(state=Response.State.REJECTED).exists()
    assert rows.exclude(flags=[]).exists()
    assert any("duplicate" in r.flags for r in rows)
    year = Period.parse("2026")
    source = sources.source_for("drug_surveyed_migrants")
    assert source is not None
    surveyed = source.values("drug_surveyed_migrants", year, [world.community.pk])
    assert surveyed[world.community.pk] == rows.filter(
        unit=world.community, group="migrants", state=Response.State.APPROVED).count()
    assert Survey.objects.filter(code="manyi-2026").exists()
    again = io.StringIO()
    demo.run(again, today=dt.date(2026, 12, 2))  # repeatable: nothing added
    assert Response.objects.filter(survey=drug).count() == rows.count()


def test_the_source_answers_every_element_at_once_as_it_answers_each(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chuangjian.surveys.sources import ELEMENTS

    demo.run(io.StringIO(), today=dt.date(2026, 12, 2))
    Response.objects.filter(unit=world.village, group="students").update(positive=False)
    source = sources.source_for("drug_surveyed_migrants")
    assert source is not None
    codes = sorted(ELEMENTS)
    periods = [Period.parse("2025"), Period.parse("2026"), Period.parse("2026Q4")]
    units = [world.community.pk, world.community2.pk, world.village.pk, world.street.pk]
    with CaptureQueriesContext(connection) as asked:
        together = source.values_of(codes, periods, units)
    assert len(asked.captured_queries) == 1
    one_by_one = {code: source.values_by_period(code, periods, units) for code in codes}
    assert together == one_by_one
    assert any(answer for code in codes for answer in together[code])  # not all empty
