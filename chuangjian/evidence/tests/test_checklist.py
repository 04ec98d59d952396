"""The evidence checklist: required evidence proposes activities; links fill it; gaps show."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chuangjian.evidence import actions, checklist
from chuangjian.evidence.models import EvidenceLink
from chuangjian.evidence.tests.conftest import YEAR, activity, pdf, photo
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.standards.models import StandardVersion

pytestmark = pytest.mark.django_db


def _sheet(world: World, code: str = "wenming_shequ") -> checklist.Checklist:
    standard = StandardVersion.objects.get(code=code)
    return checklist.build_checklist(Scope.system(), unit=world.community, standard=standard,
                                     year=YEAR)


def test_required_evidence_proposes_matching_activities_of_the_window(world: World,
                                                                      standards: object) -> None:
    dance = activity(world.community_worker, world.community, uploads=[photo()])
    activity(world.community_worker, world.community, title="去年的活动",
             date=dt.date(YEAR - 1, 12, 20), uploads=[photo("x.jpg", "blue")])
    activity(world.community_worker, world.community, code="regular_meeting", title="三月例会",
             date=dt.date(YEAR, 3, 2))
    sheet = _sheet(world)
    row = sheet.row("small_activities_per_year")
    assert row is not None and [r.text for r in row.requirements] == ["活动照片", "活动签到表", "活动简报"]
    assert [c.activity for c in row.requirements[0].proposals] == [dance]
    assert row.requirements[0].proposals[0].score == 3
    rules = sheet.row("security_rules")
    assert rules is not None
    assert [c.activity.title for c in rules.requirements[0].proposals] == ["三月例会"]
    # A register is not proven by any activity that merely shares a word with the indicator.
    space = sheet.row("activity_space")
    assert space is not None and space.requirements[0].proposals == []


def test_a_photo_requirement_only_proposes_activities_with_photos(world: World,
                                                                  standards: object) -> None:
    activity(world.community_worker, world.community, title="没有照片的文体活动")
    row = _sheet(world).row("small_activities_per_year")
    assert row is not None
    assert row.requirements[0].proposals == []
    assert [c.activity.title for c in row.requirements[1].proposals] == ["没有照片的文体活动"]


def test_linking_fills_the_checklist_and_one_record_proves_several_campaigns(
        world: World, standards: object) -> None:
    dance = activity(world.community_worker, world.community, uploads=[photo()])
    before = _sheet(world)
    for req in ("活动照片", "活动签到表"):
        actions.link_evidence(actor=world.community_worker, unit=world.community,
                              standard_code="wenming_shequ",
                              indicator_code="small_activities_per_year", year=YEAR,
                              requirement=req, activity=dance, scope=Scope.for_user(world.community_worker))
    again = actions.link_evidence(actor=world.community_worker, unit=world.community,
                                  standard_code="wenming_shequ",
                                  indicator_code="small_activities_per_year", year=YEAR,
                                  requirement="活动照片", activity=dance, scope=Scope.for_user(world.community_worker))
    assert EvidenceLink.objects.filter(activity=dance).count() == 2 and again.activity == dance
    after = _sheet(world)
    row = after.row("small_activities_per_year")
    assert row is not None and row.met == 2 and row.total == 3 and not row.complete
    assert [r.text for r in row.missing] == ["活动简报"]
    assert after.met == before.met + 2 and after.total == before.total
    item = next(i for i in after.items if i.code == "culture")
    assert item.met == 2
    # The same activity also proves a 公民道德建设 item: entered once, linked twice.
    standard = StandardVersion.objects.get(code="gongmin_daode")
    indicator = next(i for i in standard.indicators.all() if i.evidence)
    actions.link_evidence(actor=world.community_worker, unit=world.community,
                          standard_code="gongmin_daode", indicator_code=indicator.code, year=YEAR,
                          requirement=indicator.evidence[0], activity=dance, scope=Scope.for_user(world.community_worker))
    assert EvidenceLink.objects.filter(activity=dance).values("standard_code").distinct().count() == 2


def test_bad_links_are_refused_with_chinese_errors(world: World, standards: object) -> None:
    dance = activity(world.community_worker, world.community)
    old = activity(world.community_worker, world.community, date=dt.date(YEAR - 1, 6, 1))
    other = activity(world.outsider, world.other_community)
    common = {"unit": world.community, "standard_code": "wenming_shequ",
              "indicator_code": "small_activities_per_year", "year": YEAR}
    cases = [
        ({**common, "actor": world.community_worker, "activity": old, "requirement": "活动照片"},
         "不在佐证时间范围"),
        ({**common, "actor": world.community_worker, "activity": dance, "requirement": "锦旗"},
         "不要求「锦旗」"),
        ({**common, "actor": world.community_worker, "activity": dance, "indicator_code": "nope"},
         "没有测评标准「nope」"),
        ({**common, "actor": world.superuser, "activity": other}, "不属于「幸福里社区」"),
        ({**common, "actor": world.outsider, "activity": other}, "无权为「幸福里社区」"),
        ({**common, "actor": world.superuser, "unit": world.village, "activity": dance},
         "不适用于「上林村」"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValidationError) as error:
            actions.link_evidence(**kwargs, scope=Scope.for_user(kwargs["actor"]))  # type: ignore[arg-type]
        assert message in str(error.value), message
    assert not EvidenceLink.objects.exists()


def test_a_document_and_a_report_can_be_linked(world: World, standards: object) -> None:
    document = actions.upload_document(actor=world.community_worker, unit=world.community,
                                       title="火灾情况说明", date=dt.date(YEAR, 2, 1),
                                       upload=pdf("说明.pdf"), scope=Scope.for_user(world.community_worker))
    actions.link_evidence(actor=world.community_worker, unit=world.community,
                          standard_code="wenming_shequ", indicator_code="no_major_fire_3y",
                          year=YEAR, requirement="消防部门出具的火灾情况说明", document=document, scope=Scope.for_user(world.community_worker))
    # Any other record of the product goes through the generic relation (here a unit stands in).
    link = actions.link_evidence(actor=world.community_worker, unit=world.community,
                                 standard_code="wenming_shequ", indicator_code="mediation_rate",
                                 year=YEAR, requirement="调解登记台账", record=world.community2,
                                 label="调解登记台账（南门社区代管）", url="/units/T-01-A-02/",
                                 record_date=dt.date(YEAR, 9, 1), scope=Scope.for_user(world.community_worker))
    assert link.record == world.community2 and link.kind == "record"
    sheet = _sheet(world)
    assert sheet.row("no_major_fire_3y").complete  # type: ignore[union-attr]
    assert sheet.row("mediation_rate").met == 1  # type: ignore[union-attr]


def test_the_checklist_page_links_a_proposal_in_one_click(world: World, standards: object,
                                                          django_assert_max_num_queries) -> None:
    dance = activity(world.community_worker, world.community, uploads=[photo()])
    client = world.client_for(world.community_worker)
    url = reverse("evidence:checklist")
    params: dict[str, Any] = {"unit": world.community.code, "standard": "wenming_shequ",
                              "year": YEAR}
    with django_assert_max_num_queries(20):
        page = client.get(url, params)
    body = page.content.decode()
    assert page.status_code == 200 and "缺少材料" in body and "社区广场舞展演" in body
    response = client.post(reverse("evidence:link"), {
        **params, "indicator": "small_activities_per_year", "requirement": "活动照片",
        "kind": "activity", "activity": dance.pk})
    assert response.status_code == 302 and "#ind-small_activities_per_year" in response["Location"]
    assert EvidenceLink.objects.filter(activity=dance, requirement="活动照片").exists()
    picker = client.get(reverse("evidence:link"), {**params, "indicator": "no_major_fire_3y",
                                                   "requirement": "消防部门出具的火灾情况说明"})
    assert picker.status_code == 200
    upload = client.post(reverse("evidence:link"), {
        **params, "indicator": "no_major_fire_3y", "requirement": "消防部门出具的火灾情况说明",
        "kind": "upload", "title": "火灾情况说明", "date": f"{YEAR}-03-01", "file": pdf()})
    assert upload.status_code == 302
    link = EvidenceLink.objects.get(indicator_code="no_major_fire_3y")
    assert client.post(reverse("evidence:link_delete", args=[link.pk])).status_code == 302
    assert not EvidenceLink.objects.filter(pk=link.pk).exists()


def test_the_outsider_sees_no_checklist_and_cannot_link(world: World, standards: object) -> None:
    dance = activity(world.community_worker, world.community, uploads=[photo()])
    link = actions.link_evidence(actor=world.community_worker, unit=world.community,
                                 standard_code="wenming_shequ",
                                 indicator_code="small_activities_per_year", year=YEAR,
                                 requirement="活动照片", activity=dance, scope=Scope.for_user(world.community_worker))
    outsider = world.client_for(world.outsider)
    params: dict[str, Any] = {"unit": world.community.code, "standard": "wenming_shequ",
                              "year": YEAR}
    assert outsider.get(reverse("evidence:checklist"), params).status_code == 404
    assert outsider.get(reverse("evidence:link"), {**params, "indicator": "security_rules",
                                                   "requirement": "例会记录"}).status_code == 404
    assert outsider.post(reverse("evidence:link"), {
        **params, "indicator": "security_rules", "requirement": "例会记录", "kind": "activity",
        "activity": dance.pk}).status_code == 404
    assert outsider.post(reverse("evidence:link_delete", args=[link.pk])).status_code == 404
    assert outsider.post(reverse("evidence:activity_link", args=[dance.pk])).status_code == 404
    inspector = world.client_for(world.inspector)
    assert inspector.get(reverse("evidence:checklist"), params).status_code == 200
    assert inspector.post(reverse("evidence:link_delete", args=[link.pk])).status_code == 403
    assert EvidenceLink.objects.filter(pk=link.pk).exists()


def test_a_standard_that_does_not_apply_is_named_on_the_checklist(world: World,
                                                                  standards: object) -> None:
    client = world.client_for(world.superuser)
    page = client.get(reverse("evidence:checklist"), {"unit": world.village.code,
                                                      "standard": "wenming_shequ", "year": str(YEAR)})
    assert page.status_code == 400 and "不适用于「上林村」" in page.content.decode()
