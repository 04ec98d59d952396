"""Who sees what on every page of the case register, and the access-log row each read leaves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from chuangjian.cases import actions
from chuangjian.cases.models import AccessKind, CaseAccess, TransferState, Visit
from chuangjian.cases.testing import ID_A, NOTE, PHONE_A, CaseWorld
from chuangjian.org.models import User
from chuangjian.org.scope import Scope

pytestmark = pytest.mark.django_db

NAME = "陈帮教"


def _nobodies(cases: CaseWorld) -> list[User]:
    """The plain worker, the neighbouring community, the street leader without a case
    role, the outsider, and the administrators: counts only."""
    w = cases.world
    return [w.community_worker, cases.neighbour, w.street_leader, w.outsider,
            w.district_admin, w.superuser, w.security_admin, w.auditor, w.readonly]


def _rows(kind: str | None = None) -> int:
    qs = CaseAccess.objects.all()
    return qs.filter(kind=kind).count() if kind else qs.count()


def test_the_register_shows_names_only_to_the_people_of_the_case(cases: CaseWorld) -> None:
    url = reverse("cases:index")
    for user in (cases.world.caseworker, cases.team_user, cases.leader, cases.supervisor):
        body = cases.client_for(user).get(url).content.decode()
        assert NAME in body, user.username
    for user in _nobodies(cases):
        response = cases.client_for(user).get(url)
        body = response.content.decode()
        assert response.status_code == 200
        assert NAME not in body and ID_A[-4:] not in body, user.username
    # The street's leader sees the numbers of 幸福里社区.
    body = cases.client_for(cases.world.street_leader).get(url).content.decode()
    assert "幸福里社区" in body


def test_opening_a_case_shows_what_each_may_see_and_logs_one_row(cases: CaseWorld) -> None:
    url = reverse("cases:detail", args=[cases.case.pk])
    expect = {cases.world.caseworker: True, cases.team_user: True, cases.supervisor: True,
              cases.leader: False}
    for user, notes in expect.items():
        before = _rows(AccessKind.OPEN)
        response = cases.client_for(user).get(url)
        body = response.content.decode()
        assert response.status_code == 200
        assert NAME in body and (NOTE in body) is notes, user.username
        assert ID_A not in body and PHONE_A not in body
        assert _rows(AccessKind.OPEN) == before + 1
        assert CaseAccess.objects.filter(user=user, case=cases.case, kind="open").exists()
    before = _rows()
    for user in _nobodies(cases):
        response = cases.client_for(user).get(url)
        assert response.status_code == 404, user.username
        assert NAME not in response.content.decode()
    assert _rows() == before


def test_revealing_the_id_number_is_one_logged_row_and_only_for_the_case_team(
        cases: CaseWorld) -> None:
    url = reverse("cases:case_action", args=[cases.case.pk, "reveal"])
    response = cases.client_for(cases.world.caseworker).post(url)
    assert ID_A in response.content.decode() and PHONE_A in response.content.decode()
    assert _rows(AccessKind.REVEAL) == 1
    assert cases.client_for(cases.leader).post(url).status_code == 403
    for user in _nobodies(cases):
        assert cases.client_for(user).post(url).status_code == 404
    assert _rows(AccessKind.REVEAL) == 1


def test_printing_is_logged_and_watermarked(cases: CaseWorld) -> None:
    url = reverse("cases:print", args=[cases.case.pk])
    body = cases.client_for(cases.world.caseworker).get(url).content.decode()
    assert "打印人：何静" in body and NOTE in body
    assert _rows(AccessKind.PRINT) == 1
    for user in _nobodies(cases):
        assert cases.client_for(user).get(url).status_code == 404
    assert _rows(AccessKind.PRINT) == 1


def test_a_search_by_id_number_is_logged_masked_and_finds_nothing_for_others(
        cases: CaseWorld) -> None:
    url = reverse("cases:index") + "?q=" + ID_A
    body = cases.client_for(cases.world.caseworker).get(url).content.decode()
    assert NAME in body
    row = CaseAccess.objects.get(kind=AccessKind.SEARCH)
    assert row.case == cases.case and ID_A not in row.detail and ID_A[-4:] in row.detail
    for user in _nobodies(cases):
        body = cases.client_for(user).get(url).content.decode()
        assert NAME not in body
    by_name = cases.client_for(cases.world.caseworker).get(reverse("cases:index") + "?q=陈")
    assert NAME in by_name.content.decode()
    assert CaseAccess.objects.filter(kind=AccessKind.SEARCH, detail="姓名 陈").exists()


def test_follow_up_is_written_by_the_team_only(cases: CaseWorld) -> None:
    url = reverse("cases:case_action", args=[cases.case.pk, "visit"])
    data = {"visit-date": "2026-03-01", "visit-place": "家中", "visit-notes": "新的谈心"}
    for user in _nobodies(cases):
        assert cases.client_for(user).post(url, data).status_code == 404
    assert cases.client_for(cases.leader).post(url, data).status_code == 403
    assert Visit.objects.count() == 1
    cases.client_for(cases.team_user).post(url, data)
    assert Visit.objects.count() == 2
    # A date in the future: a Chinese error, nothing written.
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = cases.client_for(cases.team_user).post(url, {**data, "visit-date": future},
                                                       follow=True)
    assert "不能晚于今天" in response.content.decode()
    assert Visit.objects.count() == 2


def test_a_transfer_is_seen_and_accepted_by_the_receiving_side_only(cases: CaseWorld) -> None:
    w = cases.world
    t = actions.request_transfer(actor=w.caseworker, scope=Scope.for_user(w.caseworker),
                                 case=cases.case, to_unit=w.other_community,
                                 reason="人户分离", today=timezone.localdate())
    url = reverse("cases:transfer", args=[t.pk])
    for user in (w.outsider, w.community_worker, w.street_leader, w.district_admin):
        assert cases.client_for(user).get(url).status_code in (403, 404)
        assert cases.client_for(user).post(url, {"decision": "accept"}).status_code in (403, 404)
    other = cases.client_for(cases.other_caseworker)
    assert NAME in other.get(url).content.decode()
    # The sending side cannot accept its own request.
    cases.client_for(w.caseworker).post(url, {"decision": "accept",
                                              "caseworker": w.caseworker.pk})
    t.refresh_from_db()
    assert t.state == TransferState.REQUESTED
    other.post(url, {"decision": "accept", "caseworker": cases.other_caseworker.pk})
    t.refresh_from_db()
    assert t.state == TransferState.ACCEPTED
    again = other.post(url, {"decision": "accept", "caseworker": cases.other_caseworker.pk})
    assert "不能再处理" in again.content.decode()
    assert "湖滨社区" in cases.client_for(w.caseworker).get(
        reverse("cases:transfers")).content.decode()


def test_the_leader_sees_who_looked_at_the_case(cases: CaseWorld) -> None:
    cases.client_for(cases.team_user).get(reverse("cases:detail", args=[cases.case.pk]))
    body = cases.client_for(cases.leader).get(reverse("cases:looks")).content.decode()
    assert "赵民警" in body and "查看案件" in body
    body = cases.client_for(cases.world.outsider).get(reverse("cases:looks")).content.decode()
    assert "赵民警" not in body


def test_only_the_security_role_reads_the_whole_access_log(cases: CaseWorld) -> None:
    cases.client_for(cases.team_user).get(reverse("cases:detail", args=[cases.case.pk]))
    url = reverse("cases:log")
    response = cases.client_for(cases.world.security_admin).get(url)
    body = response.content.decode()
    assert response.status_code == 200 and "赵民警" in body
    assert NAME not in body  # the case by number, not by name
    for user in (cases.world.district_admin, cases.world.superuser, cases.world.auditor,
                 cases.world.caseworker, cases.world.outsider):
        assert cases.client_for(user).get(url).status_code == 403, user.username


def test_the_inbox_lists_overdue_tests_and_alerts(cases: CaseWorld) -> None:
    body = cases.client_for(cases.world.caseworker).get(reverse("cases:inbox")).content.decode()
    # The plan's tests since February are overdue by today.
    assert "已逾期" in body and NAME in body
    body = cases.client_for(cases.world.outsider).get(reverse("cases:inbox")).content.decode()
    assert NAME not in body


def test_opening_a_case_from_the_page(cases: CaseWorld) -> None:
    from chuangjian.cases.testing import make_person

    make_person(cases.world, "林新案", "110101199203070016")
    client = cases.client_for(cases.world.caseworker)
    assert client.get(reverse("cases:new")).status_code == 200
    response = client.post(reverse("cases:new"), {
        "id_number": "110101199203070016", "kind": "rehab", "order_start": "2026-01-01",
        "order_end": "2028-12-31", "risk": "low", "caseworker": cases.world.caseworker.pk})
    assert response.status_code == 302
    bad = client.post(reverse("cases:new"), {
        "id_number": "110101199203070017", "kind": "rehab", "order_start": "2026-01-01",
        "order_end": "2028-12-31", "risk": "low", "caseworker": cases.world.caseworker.pk})
    assert "校验位" in bad.content.decode()
    for user in _nobodies(cases):
        assert cases.client_for(user).get(reverse("cases:new")).status_code == 403


def test_the_home_inbox_lists_the_caseworkers_follow_ups_without_names(
        cases: CaseWorld) -> None:
    from chuangjian.web.inbox import providers

    items = list(providers()["cases"](scope=Scope.for_user(cases.world.caseworker),
                                      user=cases.world.caseworker, now=timezone.now()))
    assert items and all(NAME not in i.title for i in items)
    assert any(i.overdue for i in items)
    assert list(providers()["cases"](scope=Scope.for_user(cases.world.community_worker),
                                     user=cases.world.community_worker,
                                     now=timezone.now())) == []
