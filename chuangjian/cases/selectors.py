"""Reads of the case register, already limited to what the reader may see.

A case list holds only the cases the reader works (``access.py``); everyone who may
see a unit gets its counts and rates (``counts``), never a name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import Http404

from chuangjian.cases.access import Access, access_to
from chuangjian.cases.models import (
    Alert,
    Case,
    CaseAccess,
    Referral,
    TeamMember,
    Transfer,
    TransferState,
    UrineTest,
    Visit,
)
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Cap, Scope

# How far ahead the 社工's inbox looks for visits and tests coming due.
UPCOMING_DAYS = 7


def _named_q(scope: Scope, today: dt.date) -> Q:
    if scope.user_id is None:
        return Q() if scope.is_global else Q(pk__in=[])
    uid = scope.user_id
    live = Q(referrals__recipient_id=uid, referrals__revoked_at__isnull=True,
             referrals__expires_on__gte=today)
    return (Q(caseworker_id=uid) | Q(team__user_id=uid) | Q(leader_id=uid) | live
            | scope.q(Cap.SUPERVISE_CASES, field_name="unit__path"))


def visible_cases(*, scope: Scope, today: dt.date) -> QuerySet[Case]:
    """The cases whose identity the scope may read, open ones first."""
    ids = (Case.objects.filter(_named_q(scope, today), anonymised_at__isnull=True)
           .values("pk"))
    return (Case.objects.filter(pk__in=ids)
            .select_related("person", "unit", "registered_unit", "caseworker", "leader")
            .prefetch_related(Prefetch("team", queryset=TeamMember.objects.all()),
                              Prefetch("referrals", queryset=Referral.objects.all())))


def case_for(*, scope: Scope, pk: int, today: dt.date) -> tuple[Case, Access]:
    """One case and what the scope may do on it; 404 when it may not even know it exists."""
    case = visible_cases(scope=scope, today=today).filter(pk=pk).first()
    if case is None:
        raise Http404
    access = access_to(case, scope=scope, today=today)
    if not access.any:
        raise Http404
    return case, access


def search(*, scope: Scope, today: dt.date, name: str = "", id_hash: str = ""
           ) -> QuerySet[Case]:
    qs = visible_cases(scope=scope, today=today)
    if id_hash:
        qs = qs.filter(person__id_number_hash=id_hash)
    if name:
        qs = qs.filter(person__name__icontains=name)
    return qs


# -- counts for everyone who sees the unit ------------------------------------------------
@dataclass
class UnitCounts:
    unit: Unit
    open_cases: int = 0
    with_leader: int = 0
    tests_due: int = 0
    tests_done: int = 0
    certified: int = 0
    relapses: int = 0

    @property
    def test_rate(self) -> float | None:
        return None if not self.tests_due else round(100 * self.tests_done / self.tests_due, 1)

    @property
    def leader_rate(self) -> float | None:
        return None if not self.open_cases else round(100 * self.with_leader / self.open_cases, 1)


def counts(*, scope: Scope, year: int, today: dt.date) -> list[UnitCounts]:
    """Per community in the scope's view: open cases, leaders, tests due and done in
    ``year`` (done never above due: a test counts as done only when it was due),
    脱毒认定 and relapses. Numbers only."""
    from chuangjian.cases import figures

    units = list(scope.units(Cap.VIEW).filter(cases__isnull=False).distinct()
                 .order_by("path"))
    ids = [u.pk for u in units]
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)
    values = {code: figures.values(code, start, end, ids) for code in (
        "registered_open", "drug_users_with_leader", "urine_tests_due", "urine_tests_done",
        "detox_certified", "relapsed_drug_users")}
    return [UnitCounts(unit=u, open_cases=values["registered_open"].get(u.pk, 0),
                       with_leader=values["drug_users_with_leader"].get(u.pk, 0),
                       tests_due=values["urine_tests_due"].get(u.pk, 0),
                       tests_done=values["urine_tests_done"].get(u.pk, 0),
                       certified=values["detox_certified"].get(u.pk, 0),
                       relapses=values["relapsed_drug_users"].get(u.pk, 0)) for u in units]


# -- the 社工's inbox -----------------------------------------------------------------------
@dataclass
class DueItem:
    case: Case
    what: str          # "visit" or "test"
    due_on: dt.date
    overdue: bool
    test: UrineTest | None = None


@dataclass
class Inbox:
    overdue: list[DueItem] = field(default_factory=list)
    upcoming: list[DueItem] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    incoming: list[Transfer] = field(default_factory=list)


def next_visit_due(case: Case, last: dt.date | None, *, scope: Scope) -> dt.date:
    return (last or case.order_start) + dt.timedelta(days=case.visit_every_days)


def inbox(*, scope: Scope, user: User, today: dt.date) -> Inbox:
    """Visits and tests due within a week or overdue, for the cases the user works;
    unread alerts; transfers waiting for the user's unit."""
    box = Inbox()
    horizon = today + dt.timedelta(days=UPCOMING_DAYS)
    mine = (Case.objects.filter(Q(caseworker=user) | Q(team__user=user),
                                closed_on__isnull=True, anonymised_at__isnull=True)
            .distinct().select_related("person", "unit"))
    cases = {c.pk: c for c in mine}
    last_visits = dict(Visit.objects.filter(case_id__in=list(cases)).values("case_id")
                       .annotate(last=Max("date")).values_list("case_id", "last"))
    for case in cases.values():
        due = next_visit_due(case, last_visits.get(case.pk), scope=scope)
        if due <= horizon:
            item = DueItem(case=case, what="visit", due_on=due, overdue=due < today)
            (box.overdue if item.overdue else box.upcoming).append(item)
    for test in (UrineTest.objects.filter(case_id__in=list(cases), recorded=False,
                                          due_on__lte=horizon).order_by("due_on")):
        item = DueItem(case=cases[test.case_id], what="test", due_on=test.due_on,
                       overdue=test.due_on < today, test=test)
        (box.overdue if item.overdue else box.upcoming).append(item)
    box.overdue.sort(key=lambda i: i.due_on)
    box.upcoming.sort(key=lambda i: i.due_on)
    box.alerts = list(Alert.objects.filter(recipient=user, read_at__isnull=True)
                      .select_related("case__person", "test")[:100])
    box.incoming = list(transfers_waiting(scope=scope))
    return box


# -- transfers ---------------------------------------------------------------------------
def transfers_waiting(*, scope: Scope) -> QuerySet[Transfer]:
    """Requests waiting for a unit where the scope works cases (to accept or reject)."""
    return (Transfer.objects.filter(scope.q(Cap.VIEW_CASES, field_name="to_unit__path"),
                                    state=TransferState.REQUESTED)
            .select_related("case__person", "from_unit", "to_unit", "requested_by"))


def transfer_history(*, scope: Scope) -> QuerySet[Transfer]:
    """Every transfer in or out of a unit where the scope works cases (both sides)."""
    return (Transfer.objects.filter(scope.q(Cap.VIEW_CASES, field_name="to_unit__path")
                                    | scope.q(Cap.VIEW_CASES, field_name="from_unit__path"))
            .select_related("case__person", "from_unit", "to_unit", "requested_by",
                            "decided_by"))


def transfer_for(*, scope: Scope, pk: int) -> Transfer:
    transfer = transfer_history(scope=scope).filter(pk=pk).first()
    if transfer is None:
        raise Http404
    return transfer


# -- the access log ------------------------------------------------------------------------
def looks_at_my_cases(*, scope: Scope, user: User) -> QuerySet[CaseAccess]:
    """Who looked at the cases this user leads or works (包帮领导, 社工)."""
    if scope.user_id != user.pk:
        return CaseAccess.objects.none()
    return (CaseAccess.objects.filter(Q(case__leader=user) | Q(case__caseworker=user))
            .select_related("user", "case__person").order_by("-at", "-id"))


def access_log(*, scope: Scope) -> QuerySet[CaseAccess]:
    """The whole log, where the scope may read it (安全管理员: ``VIEW_CASE_LOG``)."""
    return (CaseAccess.objects.filter(scope.q(Cap.VIEW_CASE_LOG, field_name="unit_path"))
            .select_related("user", "case__person").order_by("-at", "-id"))


def alert_count(*, scope: Scope, user: User) -> int:
    if scope.user_id != user.pk:
        return 0
    return Alert.objects.filter(recipient=user, read_at__isnull=True).aggregate(
        n=Count("pk"))["n"]
