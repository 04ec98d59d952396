"""Collecting responses: checked again on the server, stored once per UUID, flagged,
reviewed with reasons; only approved responses count and feed the standards."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chuangjian import sources
from chuangjian.audit.models import AuditEntry
from chuangjian.engine.periods import Period
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.surveys import actions, forms_io, selectors
from chuangjian.surveys.models import FormVersion, Response
from chuangjian.surveys.testing import AWARE, UNAWARE, drug_survey, submit

pytestmark = pytest.mark.django_db


def test_a_resend_with_the_same_uuid_is_stored_once(world: World) -> None:
    survey = drug_survey(world)
    key = str(uuid.uuid4())
    first, created = submit(survey, world, AWARE, key=key)
    again, created_again = submit(survey, world, AWARE, key=key)
    assert created and not created_again and first.pk == again.pk
    assert Response.objects.count() == 1
    assert first.correct == 5 and first.positive and first.state == Response.State.RECEIVED


def test_answers_to_unknown_questions_and_broken_constraints_are_refused(world: World) -> None:
    survey = drug_survey(world)
    with pytest.raises(ValidationError) as caught:
        submit(survey, world, {**AWARE, "age": 300, "hacked": "1"})
    text = " ".join(caught.value.messages)
    assert "没有这些题目：hacked" in text and "年龄应在 6 到 100 岁之间" in text
    with pytest.raises(ValidationError, match="不在可选范围内"):
        submit(survey, world, {**AWARE, "q_day": "christmas"})
    assert Response.objects.count() == 0


def test_a_group_without_a_quota_is_refused(world: World) -> None:
    survey = drug_survey(world)
    with pytest.raises(ValidationError, match="没有「中小学生」的抽样配额"):
        submit(survey, world, AWARE, group="students")
    assert Response.objects.count() == 0


def test_a_single_use_link_cannot_be_used_twice(world: World) -> None:
    survey = drug_survey(world)
    link = actions.create_link(actor=None, scope=Scope.system(), survey=survey,
                               unit=world.community, group="urban", single_use=True)
    submit(survey, world, AWARE, link=link, scope=Scope(user_id=None))
    link.refresh_from_db()
    with pytest.raises(ValidationError, match="只能填写一次"):
        submit(survey, world, AWARE, link=link)
    assert Response.objects.count() == 1


def test_an_outsider_cannot_enter_responses_for_another_street(world: World) -> None:
    survey = drug_survey(world)
    with pytest.raises(PermissionDenied):
        actions.submit_response(scope=Scope.for_user(world.outsider), survey=survey,
                                unit=world.community, group="urban", uuid=uuid.uuid4(),
                                answers=AWARE)


def test_too_fast_straight_lined_and_duplicate_answers_are_flagged(world: World) -> None:
    survey = drug_survey(world)
    fast, _ = submit(survey, world, AWARE, seconds=5)
    assert "too_fast" in fast.flags and fast.state == Response.State.ISSUES
    same, _ = submit(survey, world, AWARE, client="c1")
    twin, _ = submit(survey, world, AWARE, client="c1")
    assert "duplicate" not in same.flags and "duplicate" in twin.flags


def test_review_needs_a_reason_and_only_approved_responses_count(world: World) -> None:
    survey = drug_survey(world)
    system = Scope.system()
    rows = [submit(survey, world, AWARE)[0] for _ in range(4)] + [submit(survey, world, UNAWARE)[0]]
    for row in rows[:3] + rows[4:]:
        actions.review_response(actor=None, scope=system, response=row, state="approved")
    with pytest.raises(ValidationError, match="审核意见"):
        actions.review_response(actor=None, scope=system, response=rows[3], state="rejected")
    actions.review_response(actor=None, scope=system, response=rows[3], state="rejected",
                            reason="受访者不在本社区居住")
    assert AuditEntry.objects.filter(action="surveys.response.reviewed").count() == 5
    result = selectors.results(scope=system, survey=survey, unit=world.community)
    urban = next(g for g in result.groups if g.group == "urban")
    assert (urban.n, urban.aware, urban.rate) == (4, 3, 75.0)
    assert urban.target == 100 and urban.status == "未达标"
    assert urban.ci_low is not None and urban.ci_low < 75 < urban.ci_high  # type: ignore[operator]


def test_the_results_feed_the_county_standard_through_the_source_registry(world: World) -> None:
    survey = drug_survey(world)
    system = Scope.system()
    for answers in (AWARE, AWARE, UNAWARE):
        row, _ = submit(survey, world, answers)
        actions.review_response(actor=None, scope=system, response=row, state="approved")
    submit(survey, world, AWARE, group="migrants")  # received, not approved: does not count
    source = sources.source_for("drug_aware_residents")
    assert source is not None and source.key == "surveys"
    year = Period.parse("2026")
    assert source.values("drug_surveyed_residents", year, [world.community.pk]) == {
        world.community.pk: 3.0}
    assert source.values("drug_aware_residents", year, [world.community.pk]) == {
        world.community.pk: 2.0}
    assert source.values("drug_surveyed_migrants", year, [world.community.pk]) == {}
    assert source.records("drug_aware_residents", year, world.community.pk)[0].value == 2.0


def test_a_change_after_responses_began_makes_a_new_version(world: World) -> None:
    survey = drug_survey(world)
    first = survey.questionnaire.published()
    assert first is not None
    parsed = forms_io.builtin()["jindu_zhishi"]
    changed = forms_io.Parsed({**parsed.definition, "title": "禁毒知识问卷（修订）"},
                              parsed.targets, parsed.feeds)
    same = actions.import_questionnaire(actor=None, scope=Scope.system(), parsed=changed)
    assert same.pk == first.pk  # nobody answered yet: changed in place
    row, _ = submit(survey, world, AWARE)
    again = forms_io.Parsed({**parsed.definition, "title": "禁毒知识问卷（第二次修订）"},
                            parsed.targets, parsed.feeds)
    new = actions.import_questionnaire(actor=None, scope=Scope.system(), parsed=again)
    assert new.number == 2 and new.state == FormVersion.State.DRAFT
    actions.publish_version(actor=None, scope=Scope.system(), version=new)
    row.refresh_from_db()
    assert row.version_id == first.pk
    first.refresh_from_db()
    assert first.state == FormVersion.State.RETIRED
    later, _ = submit(survey, world, AWARE)
    assert later.version_id == new.pk


def test_the_sample_size_is_proposed_with_the_finite_population_correction(world: World) -> None:
    survey = drug_survey(world)
    quotas = {q.group: q.target_n for q in survey.quotas.all()}
    assert quotas == {"urban": 94, "migrants": 78}  # ±10% at 95%: N=3000 → 94, N=400 → 78
    assert dt.date(2026, 1, 1)
