"""The yearly re-check in the one inbox: the naming unit is asked to confirm 摘牌 (or keep
the title), and the people of the holder's unit learn that their title was found no
longer qualifying and, later, that it was withdrawn. Nobody else hears of it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chuangjian.audit.models import AuditEntry
from chuangjian.awards import actions, selectors
from chuangjian.awards.models import Title, TitleState
from chuangjian.awards.tests.conftest import family
from chuangjian.awards.tests.test_titles import _record
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.web.inbox import Inbox, Item, collect


def _inbox(user: object) -> Inbox:
    return collect(scope=Scope.for_user(user), user=user, now=timezone.now())  # type: ignore[arg-type]


def _ours(items: list[Item]) -> list[str]:
    return [i.title for i in items if i.kind == "称号复查"]


def _flagged(world: World) -> Title:
    """Last year's city 健康家庭 of a family that has since moved away, flagged."""
    leaves = family(world.community, "李", since=2024, living=False)
    _record(world, "jiankang_jiating", leaves, "李建国家庭", year=2025)
    [found] = selectors.recheck(scope=Scope.system(), year=2025)
    return actions.flag_recheck(scope=Scope.system(), title=found.title, year=2025,
                                reasons=found.reasons)


def test_a_flagged_title_asks_the_naming_unit_and_tells_the_holders_unit(world: World) -> None:
    title = _flagged(world)
    district = _inbox(world.district_admin)
    assert _ours(district.decide) == ["待确认摘牌：2025年市级健康家庭 · 李建国家庭"]
    [item] = [i for i in district.decide if i.kind == "称号复查"]
    assert item.note == "该户已无成员在册居住" and item.url == reverse("awards:title", args=[title.pk])
    community = _inbox(world.community_worker)
    assert _ours(community.changed) == ["复查不再符合条件：2025年市级健康家庭 · 李建国家庭"]
    assert "待市爱卫会确认是否摘牌" in community.changed[0].note
    assert _ours(community.decide) == []
    # The street sees the title on its pages, but it neither names it nor holds it.
    street = _inbox(world.street_leader)
    assert _ours(street.decide) == [] and _ours(street.changed) == []
    outsider = _inbox(world.outsider)
    assert _ours(outsider.decide) == [] and _ours(outsider.changed) == []


def test_once_withdrawn_the_decision_leaves_the_inbox_and_the_holder_is_told(world: World) -> None:
    title = _flagged(world)
    actions.withdraw_title(scope=Scope.for_user(world.district_admin), actor=world.district_admin,
                           title=title, reason="该户已迁出本社区", on=timezone.localdate())
    assert _ours(_inbox(world.district_admin).decide) == []
    community = _inbox(world.community_worker)
    assert _ours(community.changed) == ["已摘牌：2025年市级健康家庭 · 李建国家庭"]
    assert community.changed[0].note == "该户已迁出本社区"
    # A withdrawal of long ago is no news any more.
    Title.objects.filter(pk=title.pk).update(withdrawn_on=timezone.localdate() - dt.timedelta(days=60))
    assert _ours(_inbox(world.community_worker).changed) == []


def test_a_flagged_title_can_be_kept_with_a_reason_on_its_page(world: World) -> None:
    title = _flagged(world)
    url = reverse("awards:title", args=[title.pk])
    district = Client()
    district.force_login(world.district_admin)
    page = district.get(url).content.decode()
    assert "2025 年度复查：不再符合条件：该户已无成员在册居住" in page and "核实后保留称号" in page
    refused = district.post(url, {"decision": "keep", "reason": " "})
    assert refused.status_code == 400 and "请填写保留称号的理由" in refused.content.decode()
    with pytest.raises(PermissionDenied):
        actions.keep_title(scope=Scope.for_user(world.street_leader), actor=world.street_leader,
                           title=title, reason="核实")
    kept = district.post(url, {"decision": "keep", "reason": "该户只是暂住外地，户籍与住房仍在本社区"})
    assert kept.status_code == 302
    title.refresh_from_db()
    assert title.state == TitleState.ACTIVE and not title.awaiting_withdrawal
    entry = AuditEntry.objects.get(action="awards.title.kept")
    assert entry.data["reasons"] == ["该户已无成员在册居住"]
    assert _ours(_inbox(world.district_admin).decide) == []
    assert _ours(_inbox(world.community_worker).changed) == []
    with pytest.raises(ValidationError) as error:
        actions.keep_title(scope=Scope.for_user(world.district_admin), actor=world.district_admin,
                           title=title, reason="再次保留")
    assert "没有待确认的复查结果" in str(error.value)


def test_the_home_page_shows_the_pending_withdrawal(world: World) -> None:
    _flagged(world)
    client = Client()
    client.force_login(world.district_admin)
    page = client.get(reverse("web:home")).content.decode()
    assert "待确认摘牌：2025年市级健康家庭 · 李建国家庭" in page
