"""Cases, follow-up, transfers, referrals and retention: the rules of the register."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from chuangjian.cases import actions, figures, selectors
from chuangjian.cases.access import Access, access_to
from chuangjian.cases.models import (
    Alert,
    AlertKind,
    Case,
    CaseKind,
    CloseReason,
    Relapse,
    TransferState,
    UrineResult,
    UrineTest,
    Visit,
)
from chuangjian.cases.testing import ID_A, NOTE, PHONE_A, TODAY, CaseWorld, make_person
from chuangjian.org.models import User
from chuangjian.org.scope import Scope

pytestmark = pytest.mark.django_db


def _as(user: User) -> Scope:
    return Scope.for_user(user)


def test_opening_a_case_schedules_the_tests_of_the_order(cases: CaseWorld) -> None:
    tests = UrineTest.objects.filter(case=cases.case)
    # 社区戒毒: a test every 30 days across a two-year order.
    assert tests.count() == (dt.date(2028, 1, 9) - dt.date(2026, 1, 10)).days // 30
    assert tests.order_by("due_on").first().due_on == dt.date(2026, 2, 9)  # type: ignore[union-attr]


def test_a_second_open_case_of_the_same_kind_is_refused(cases: CaseWorld) -> None:
    w = cases.world
    with pytest.raises(ValidationError, match="已有一件未结案"):
        actions.open_case(actor=w.caseworker, scope=_as(w.caseworker), person=cases.person,
                          unit=w.community, kind=CaseKind.DETOX, order_start=dt.date(2026, 3, 1),
                          order_end=dt.date(2027, 3, 1), caseworker=w.caseworker, today=TODAY)
    assert Case.objects.count() == 1


def test_a_case_for_a_person_outside_scope_is_refused(cases: CaseWorld) -> None:
    w = cases.world
    stranger = make_person(w, "湖滨某", "110101199001010035", unit=w.other_community)
    with pytest.raises(ValidationError, match="不在您负责的范围"):
        actions.open_case(actor=w.caseworker, scope=_as(w.caseworker), person=stranger,
                          unit=w.community, kind=CaseKind.REHAB, order_start=dt.date(2026, 3, 1),
                          order_end=dt.date(2027, 3, 1), caseworker=w.caseworker, today=TODAY)
    # Neither may a plain worker open one in their own community.
    with pytest.raises(ValidationError, match="无权"):
        actions.open_case(actor=w.community_worker, scope=_as(w.community_worker),
                          person=cases.person, unit=w.community, kind=CaseKind.REHAB,
                          order_start=dt.date(2026, 3, 1), order_end=dt.date(2027, 3, 1),
                          caseworker=w.caseworker, today=TODAY)
    assert Case.objects.count() == 1


def test_a_test_result_in_the_future_is_refused_and_nothing_is_written(cases: CaseWorld) -> None:
    w = cases.world
    test = UrineTest.objects.filter(case=cases.case).order_by("due_on").first()
    assert test is not None
    with pytest.raises(ValidationError, match="不能晚于今天"):
        actions.record_test(actor=w.caseworker, scope=_as(w.caseworker), test=test,
                            result=UrineResult.NEGATIVE, tested_on=TODAY + dt.timedelta(days=1),
                            today=TODAY)
    test.refresh_from_db()
    assert not test.recorded


def test_a_missed_test_alerts_the_caseworker_and_the_leader(cases: CaseWorld) -> None:
    w = cases.world
    test = UrineTest.objects.filter(case=cases.case).order_by("due_on").first()
    assert test is not None
    actions.record_test(actor=w.caseworker, scope=_as(w.caseworker), test=test,
                        result=UrineResult.ABSENT, tested_on=None, today=TODAY)
    alerts = Alert.objects.filter(case=cases.case)
    assert {a.kind for a in alerts} == {AlertKind.MISSED}
    assert {a.recipient_id for a in alerts} == {w.caseworker.pk, cases.leader.pk}
    # The notification centre tells both, without the person's name or the result.
    from chuangjian.notify.models import Notification

    lines = Notification.objects.filter(kind="cases.alert")
    assert {n.user_id for n in lines} == {w.caseworker.pk, cases.leader.pk}
    assert all("陈" not in n.title and "未到场" not in n.title for n in lines)
    with pytest.raises(ValidationError, match="已登记过"):
        actions.record_test(actor=w.caseworker, scope=_as(w.caseworker), test=test,
                            result=UrineResult.NEGATIVE, tested_on=test.due_on, today=TODAY)


def test_a_positive_test_records_a_relapse_and_alerts(cases: CaseWorld) -> None:
    test = UrineTest.objects.filter(case=cases.case).order_by("due_on")[1]
    actions.record_test(actor=cases.team_user, scope=_as(cases.team_user), test=test,
                        result=UrineResult.POSITIVE, tested_on=test.due_on, today=TODAY)
    assert Relapse.objects.filter(case=cases.case, test=test).exists()
    assert [a.kind for a in Alert.objects.filter(recipient=cases.leader)] == [AlertKind.POSITIVE]


def test_the_leader_and_plain_workers_cannot_record_follow_up(cases: CaseWorld) -> None:
    w = cases.world
    for user in (cases.leader, w.community_worker, w.street_leader, w.outsider):
        with pytest.raises(ValidationError):
            actions.record_visit(actor=user, scope=_as(user), case=cases.case,
                                 date=TODAY, place="x", notes="y", today=TODAY)
    assert Visit.objects.filter(case=cases.case).count() == 1


def test_detox_certification_waits_for_the_rules_clean_period(cases: CaseWorld,
                                                             settings: Any) -> None:
    w = cases.world
    settings.CASES_DETOX_CLEAN_DAYS = 120
    relapse_day = dt.date(2026, 3, 1)
    actions.record_relapse(actor=w.caseworker, scope=_as(w.caseworker), case=cases.case,
                           found_on=relapse_day, note="自述复吸", today=TODAY)
    with pytest.raises(ValidationError, match="最早可在2026-06-30认定"):
        actions.close_case(actor=w.caseworker, scope=_as(w.caseworker), case=cases.case,
                           reason=CloseReason.DETOX_CERTIFIED, on=TODAY, today=TODAY)
    later = dt.date(2026, 7, 1)
    actions.close_case(actor=w.caseworker, scope=_as(w.caseworker), case=cases.case,
                       reason=CloseReason.DETOX_CERTIFIED, on=later, today=later)
    cases.case.refresh_from_db()
    assert cases.case.close_reason == CloseReason.DETOX_CERTIFIED
    # Tests after the close are no longer due.
    assert not UrineTest.objects.filter(case=cases.case, due_on__gt=later).exists()


def test_a_transfer_moves_the_case_only_on_accept_and_only_once(cases: CaseWorld) -> None:
    w = cases.world
    transfer = actions.request_transfer(actor=w.caseworker, scope=_as(w.caseworker),
                                        case=cases.case, to_unit=w.other_community,
                                        reason="人户分离，现住湖滨社区", today=TODAY)
    cases.case.refresh_from_db()
    assert cases.case.unit == w.community
    # The 社工 of 东湖街道 sees it waiting and accepts it.
    assert list(selectors.transfers_waiting(scope=_as(cases.other_caseworker))) == [transfer]
    actions.accept_transfer(actor=cases.other_caseworker, scope=_as(cases.other_caseworker),
                            transfer=transfer, caseworker=cases.other_caseworker, today=TODAY)
    cases.case.refresh_from_db()
    assert cases.case.unit == w.other_community
    assert cases.case.caseworker == cases.other_caseworker
    with pytest.raises(ValidationError, match="已经已接收"):
        actions.accept_transfer(actor=cases.other_caseworker, scope=_as(cases.other_caseworker),
                                transfer=transfer, caseworker=cases.other_caseworker,
                                today=TODAY)
    # Both sides keep the history; the old side no longer reads the case.
    assert transfer in selectors.transfer_history(scope=_as(w.caseworker))
    assert transfer in selectors.transfer_history(scope=_as(cases.other_caseworker))
    assert not access_to(cases.case, scope=_as(w.caseworker), today=TODAY).identity
    assert access_to(cases.case, scope=_as(cases.other_caseworker), today=TODAY).notes


def test_a_transfer_can_be_rejected_with_a_reason_or_revoked(cases: CaseWorld) -> None:
    w = cases.world
    t = actions.request_transfer(actor=w.caseworker, scope=_as(w.caseworker), case=cases.case,
                                 to_unit=w.other_community, reason="人户分离", today=TODAY)
    with pytest.raises(ValidationError, match="拒收理由"):
        actions.reject_transfer(actor=cases.other_caseworker, scope=_as(cases.other_caseworker),
                                transfer=t, note=" ", today=TODAY)
    actions.reject_transfer(actor=cases.other_caseworker, scope=_as(cases.other_caseworker),
                            transfer=t, note="查无此人", today=TODAY)
    t.refresh_from_db()
    assert t.state == TransferState.REJECTED
    t2 = actions.request_transfer(actor=w.caseworker, scope=_as(w.caseworker), case=cases.case,
                                  to_unit=w.other_community, reason="人户分离", today=TODAY)
    # The receiving side may not revoke; the sender may.
    with pytest.raises(ValidationError):
        actions.revoke_transfer(actor=cases.other_caseworker, scope=_as(cases.other_caseworker),
                                transfer=t2, today=TODAY)
    actions.revoke_transfer(actor=w.caseworker, scope=_as(w.caseworker), transfer=t2,
                            today=TODAY)
    with pytest.raises(ValidationError):
        actions.accept_transfer(actor=cases.other_caseworker, scope=_as(cases.other_caseworker),
                                transfer=t2, caseworker=cases.other_caseworker, today=TODAY)
    cases.case.refresh_from_db()
    assert cases.case.unit == w.community


def test_a_referral_shares_the_identity_until_it_expires_or_is_revoked(cases: CaseWorld) -> None:
    w = cases.world
    hospital = w.inspector  # any signed-in account of another body
    referral = actions.refer(actor=w.caseworker, scope=_as(w.caseworker), case=cases.case,
                             recipient=hospital, body="区人民医院美沙酮门诊", service="美沙酮维持治疗",
                             expires_on=TODAY + dt.timedelta(days=30), today=TODAY)
    seen = access_to(cases.case, scope=_as(hospital), today=TODAY)
    assert seen.identity and not seen.notes and not seen.reveal
    later = TODAY + dt.timedelta(days=31)
    assert not access_to(cases.case, scope=_as(hospital), today=later).identity
    actions.revoke_referral(actor=w.caseworker, scope=_as(w.caseworker), referral=referral,
                            today=TODAY)
    assert not access_to(Case.objects.get(pk=cases.case.pk), scope=_as(hospital),
                         today=TODAY).identity
    with pytest.raises(ValidationError, match="已经撤回"):
        actions.revoke_referral(actor=w.caseworker, scope=_as(w.caseworker), referral=referral,
                                today=TODAY)


def test_who_reads_what_field_by_field(cases: CaseWorld) -> None:
    w = cases.world
    def at(user: User) -> Access:
        return access_to(cases.case, scope=_as(user), today=TODAY)
    assert at(w.caseworker).notes and at(w.caseworker).reveal and at(w.caseworker).manage
    assert at(cases.team_user).notes and not at(cases.team_user).manage
    assert at(cases.supervisor).manage
    assert at(cases.leader).identity and not at(cases.leader).notes
    assert not at(cases.leader).reveal
    for nobody in (w.community_worker, cases.neighbour, w.street_leader, w.outsider,
                   w.district_admin, w.superuser, w.auditor, w.security_admin):
        assert not at(nobody).identity, nobody.username
        assert not selectors.visible_cases(scope=_as(nobody), today=TODAY).exists()


def _every_row_as_text() -> str:
    rows: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names from the schema
            rows.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(rows)


def test_the_database_holds_no_id_phone_note_or_result_in_plain_text(cases: CaseWorld) -> None:
    w = cases.world
    test = UrineTest.objects.filter(case=cases.case).order_by("due_on").first()
    assert test is not None
    actions.record_test(actor=w.caseworker, scope=_as(w.caseworker), test=test,
                        result=UrineResult.POSITIVE, tested_on=test.due_on,
                        note="阳性，已报派出所", today=TODAY)
    # Every row of every table, as the database holds it (SQLite and PostgreSQL alike).
    dump = _every_row_as_text()
    assert "陈帮教" in dump  # names are not encrypted; the dump does hold the rows
    for secret in (ID_A, PHONE_A, NOTE, "阳性", "'positive'", "陈母", "幸福里社区活动室"):
        assert secret not in dump, secret
    # …and the application reads them back.
    assert Visit.objects.get(case=cases.case).notes == NOTE
    assert UrineTest.objects.get(pk=test.pk).result == UrineResult.POSITIVE


def test_figures_count_by_hand(cases: CaseWorld) -> None:
    w = cases.world
    tests = list(UrineTest.objects.filter(case=cases.case).order_by("due_on"))
    actions.record_test(actor=w.caseworker, scope=_as(w.caseworker), test=tests[0],
                        result=UrineResult.NEGATIVE, tested_on=tests[0].due_on, today=TODAY)
    actions.record_test(actor=w.caseworker, scope=_as(w.caseworker), test=tests[1],
                        result=UrineResult.ABSENT, tested_on=None, today=TODAY)
    actions.record_test(actor=w.caseworker, scope=_as(w.caseworker), test=tests[2],
                        result=UrineResult.POSITIVE, tested_on=tests[2].due_on, today=TODAY)
    start, end = dt.date(2026, 1, 1), dt.date(2026, 6, 30)
    unit = w.community.pk
    due = [t for t in tests if start <= t.due_on <= end]

    def v(code: str) -> int:
        return figures.values(code, start, end, [unit])[unit]
    assert v("urine_tests_due") == len(due) == 5
    assert v("urine_tests_done") == 2  # 未到场 is not done
    assert v("relapsed_drug_users") == 1
    assert v("supervision_due") == 1 and v("supervision_implemented") == 1
    assert v("drug_users_with_leader") == 1 == v("registered_open")
    assert v("new_drug_users") == 1
    assert figures.values("new_drug_users", dt.date(2025, 1, 1), dt.date(2025, 12, 31),
                          [unit])[unit] == 0


def test_anonymising_cuts_old_closed_cases_from_their_person_and_keeps_counts(
        cases: CaseWorld) -> None:
    w = cases.world
    actions.close_case(actor=w.caseworker, scope=_as(w.caseworker), case=cases.case,
                       reason=CloseReason.EXPIRED, on=dt.date(2026, 6, 1), today=TODAY)
    before = figures.values("supervision_due", dt.date(2026, 1, 1), dt.date(2026, 12, 31),
                            [w.community.pk])
    now = dt.datetime(2031, 6, 2, 4, tzinfo=dt.UTC)
    assert actions.anonymise_closed(scope=Scope.system(), now=dt.datetime(2031, 5, 30, 4,
                                                                          tzinfo=dt.UTC)) == 0
    assert actions.anonymise_closed(scope=Scope.system(), now=now) == 1
    case = Case.objects.get(pk=cases.case.pk)
    assert case.person is None and case.anonymised_at is not None
    assert not Visit.objects.get(case=case).notes
    assert not case.team.exists()
    assert figures.values("supervision_due", dt.date(2026, 1, 1), dt.date(2026, 12, 31),
                          [w.community.pk]) == before
    # Before it closed the case was open: still a case to supervise then, but nobody
    # among the people (its person is gone), asked alone or with the other figures.
    spring = (dt.date(2026, 1, 1), dt.date(2026, 5, 31))
    assert figures.values("supervision_due", *spring, [w.community.pk]) == {w.community.pk: 1}
    assert figures.values("registered_open", *spring, [w.community.pk]) == {w.community.pk: 0}
    together = figures.values_many(["registered_open", "supervision_due"],
                                   [spring, (dt.date(2026, 1, 1), dt.date(2026, 12, 31))],
                                   [w.community.pk])
    assert together == {"registered_open": [{w.community.pk: 0}, {w.community.pk: 0}],
                        "supervision_due": [{w.community.pk: 1}, {w.community.pk: 1}]}
    with pytest.raises(PermissionError):
        actions.anonymise_closed(scope=_as(w.caseworker), now=now)


def test_the_anonymise_command_runs_from_cron(cases: CaseWorld) -> None:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("cases", "anonymise", stdout=out)
    assert "已匿名化 0 件" in out.getvalue()
    assert Case.objects.get(pk=cases.case.pk).person == cases.person


def test_the_leader_reads_notes_only_where_their_roles_say_so(cases: CaseWorld) -> None:
    from chuangjian.org import actions as org_actions
    from chuangjian.org.models import Role

    assert not access_to(cases.case, scope=_as(cases.leader), today=TODAY).notes
    org_actions.add_membership(actor=None, scope=Scope.system(), user=cases.leader,
                               unit=cases.world.community, role=Role.CASEWORKER)
    seen = access_to(cases.case, scope=_as(cases.leader), today=TODAY)
    assert seen.notes and not seen.manage
