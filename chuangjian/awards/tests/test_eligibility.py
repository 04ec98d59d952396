"""A unit's eligibility read from the product: its 考核 passed and not vetoed this year, and
no rectification order open for longer than the scheme allows; the reason is named."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from chuangjian.assessment.models import AssessmentRun, Kind, UnitResult
from chuangjian.awards import actions
from chuangjian.awards.models import Nomination, Round
from chuangjian.awards.tests.conftest import NOW
from chuangjian.inspections.actions.findings import create_finding
from chuangjian.inspections.models import RectificationOrder, State
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader
from chuangjian.standards.models import ProblemCategory, StandardVersion


def _jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 60, 60)).save(buffer, "JPEG")
    return SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")


def _nominate(world: World, round_: Round) -> Nomination:
    return actions.nominate(scope=Scope.for_user(world.community_worker),
                            actor=world.community_worker, round=round_, unit=world.community,
                            nominee=world.community, name="幸福里社区", reasons="创建成效显著",
                            now=NOW)


@pytest.mark.django_db
def test_a_unit_needs_its_assessment_passed_and_no_old_open_order(world: World) -> None:
    standards_actions.load_standards(actor=None, scope=Scope.system(),
                                     result=loader.load_builtin().raise_for_errors())
    version = StandardVersion.objects.filter(code="wenming_danwei").first()
    assert version is not None
    round_ = actions.open_round(scope=Scope.for_user(world.street_leader), actor=world.street_leader,
                                scheme_code="wenming_danwei", organiser=world.street, year=2026,
                                now=NOW - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        _nominate(world, round_)
    assert "幸福里社区 2026年度《" in str(error.value) and "考核尚无结果" in str(error.value)

    run = AssessmentRun.objects.create(standard=version, standard_code="wenming_danwei", year=2026,
                                       kind=Kind.REVIEW, root=world.street, current=True,
                                       status="done", as_of=dt.date(2026, 12, 31))
    result = UnitResult.objects.create(run=run, unit=world.community, passed=False, vetoed=True)
    with pytest.raises(ValidationError) as error:
        _nominate(world, round_)
    assert "考核被一票否决" in str(error.value)

    UnitResult.objects.filter(pk=result.pk).update(passed=True, vetoed=False)
    finding = create_finding(actor=world.inspector, scope=Scope.for_user(world.inspector),
                             unit=world.community, description="幸福里占道经营",
                             category=ProblemCategory.objects.filter(
                                 code="disorderly_parking").first(),
                             photos=[_jpeg()], now=NOW - dt.timedelta(days=40),
                             dispatch=True)[0]
    order = RectificationOrder.objects.get(finding=finding)
    RectificationOrder.objects.filter(pk=order.pk).update(
        created_at=NOW - dt.timedelta(days=40), assignee_unit=world.community)
    with pytest.raises(ValidationError) as error:
        _nominate(world, round_)
    assert "幸福里社区有1张整改单下达超过30天仍未销号" in str(error.value)
    assert not Nomination.objects.exists()

    RectificationOrder.objects.filter(pk=order.pk).update(state=State.CLOSED,
                                                          closed_at=timezone.now())
    n = _nominate(world, round_)
    assert [c["ok"] for c in n.eligibility] == [True, True]
    assert n.way == "self"  # 幸福里社区 put itself forward: 文明单位 takes 申报
    assert "考核通过，未被一票否决" in n.eligibility[0]["reason"]
