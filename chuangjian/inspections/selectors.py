"""Reads of inspection records, always through the reader's scope.

明察暗访: while a covert round is unpublished, the round and its findings are visible
only to its organisers (INSPECT or APPROVE at the organising unit) — never to the units
being inspected, whatever their role there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from chuangjian.audit.models import AuditEntry
from chuangjian.inspections.models import (
    OPEN_STATES,
    RUNNING_STATES,
    CitizenReport,
    Escalation,
    ExtensionRequest,
    Finding,
    FindingPhoto,
    Point,
    RectificationOrder,
    ReportPhoto,
    ReportStatus,
    Round,
    RoundPoint,
    State,
    SupervisionGroup,
)
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Cap, Scope


def _organisers(*, scope: Scope, field: str) -> Q:
    return scope.q(Cap.INSPECT, field_name=field) | scope.q(Cap.APPROVE, field_name=field)


# -- points -------------------------------------------------------------------------------

def points(*, scope: Scope, root: Unit | None = None, type: str = "",
           query: str = "", active_only: bool = False) -> QuerySet[Point]:
    qs = scope.filter(Point.objects.select_related("unit", "responsible_unit"),
                      field_name="unit__path")
    if root is not None:
        qs = qs.filter(unit__path__startswith=root.path)
    if type:
        qs = qs.filter(type=type)
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(address__icontains=query) |
                       Q(code__istartswith=query))
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("unit__path", "type", "code")


def point_for(*, scope: Scope, pk: int) -> Point:
    found = points(scope=scope).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


# -- rounds -------------------------------------------------------------------------------

def rounds(*, scope: Scope) -> QuerySet[Round]:
    qs = scope.filter(Round.objects.select_related("unit", "scope_unit", "standard"),
                      field_name="unit__path")
    visible = Q(covert=False) | Q(published_at__isnull=False) | _organisers(scope=scope, field="unit__path")
    return qs.filter(visible).annotate(
        n_points=Count("points", distinct=True),
        n_findings=Count("findings", distinct=True)).order_by("-starts_on", "-id")


def round_for(*, scope: Scope, pk: int) -> Round:
    found = rounds(scope=scope).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def round_points(round_: Round) -> QuerySet[RoundPoint]:
    return (round_.points.select_related("point", "point__unit", "group", "visited_by")
            .annotate(n_findings=Count("findings")).order_by("order"))


def groups(*, scope: Scope) -> QuerySet[SupervisionGroup]:
    return scope.filter(SupervisionGroup.objects.select_related("unit", "leader")
                        .prefetch_related("areas", "members"), field_name="unit__path")


# -- findings and orders -----------------------------------------------------------------

def findings(*, scope: Scope) -> QuerySet[Finding]:
    """Findings at places the scope sees or assigned to units it sees; hidden ones only for
    the organisers of their round."""
    base = scope.q(field_name="unit__path") | scope.q(field_name="order__assignee_unit__path")
    visible = Q(hidden=False) | _organisers(scope=scope, field="round__unit__path")
    return (Finding.objects.filter(base).filter(visible)
            .select_related("unit", "category", "checklist_item", "round", "round__unit",
                            "point", "found_by", "order", "order__assignee_unit",
                            "order__assignee_user")
            .distinct())


def finding_for(*, scope: Scope, pk: int) -> Finding:
    found = findings(scope=scope).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def orders(*, scope: Scope) -> QuerySet[RectificationOrder]:
    visible_findings = findings(scope=scope).values("pk")
    return (RectificationOrder.objects.filter(finding__in=visible_findings)
            .select_related("finding", "finding__unit", "finding__category",
                            "finding__checklist_item", "finding__round", "finding__round__unit",
                            "finding__point", "assignee_unit", "assignee_user", "rectified_by",
                            "verified_by"))


def order_for(*, scope: Scope, pk: int) -> RectificationOrder:
    found = orders(scope=scope).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def finding_photos(finding: Finding) -> list[Any]:
    return [link.file for link in
            FindingPhoto.objects.filter(finding=finding).select_related("file")]


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    action: str
    actor: User | None
    data: dict[str, Any]

    @property
    def verb(self) -> str:
        return self.action.rsplit(".", 1)[-1]

    def _local(self, key: str) -> str:
        value = self.data.get(key)
        if not value:
            return ""
        try:
            instant = dt.datetime.fromisoformat(str(value))
        except ValueError:
            return ""
        return timezone.localtime(instant).strftime("%Y-%m-%d %H:%M")

    @property
    def deadline_text(self) -> str:
        return self._local("deadline")

    @property
    def until_text(self) -> str:
        return self._local("until")


def timeline(order: RectificationOrder) -> list[TimelineEntry]:
    """The order's history from the audit log: the finding, then every transition."""
    entries = AuditEntry.objects.filter(
        Q(object_type="inspections.rectificationorder", object_id=str(order.pk)) |
        Q(object_type="inspections.finding", object_id=str(order.finding_id)) |
        Q(object_type="inspections.citizenreport", action="inspections.report.submitted",
          object_id__in=[str(pk) for pk in CitizenReport.objects.filter(
              finding_id=order.finding_id).values_list("pk", flat=True)])
    ).select_related("actor").order_by("created_at", "id")
    return [TimelineEntry(e.created_at, e.action, e.actor, e.data) for e in entries]


def escalations_of(order: RectificationOrder) -> QuerySet[Escalation]:
    return order.escalations.prefetch_related("recipients").order_by("-day")


def extensions_of(order: RectificationOrder) -> QuerySet[ExtensionRequest]:
    return order.extensions.select_related("requested_by", "decided_by")


# -- inbox ----------------------------------------------------------------------------------

@dataclass
class Inbox:
    to_handle: list[RectificationOrder]      # my unit must accept / rectify
    to_review: list[RectificationOrder]      # I supervise: dispatch, verify, extensions
    escalated: list[RectificationOrder]      # I am the 第一责任人 (or above) of overdue ones
    extensions: list[ExtensionRequest]


def _overdue_first(rows: list[RectificationOrder], now: dt.datetime) -> list[RectificationOrder]:
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(rows, key=lambda o: (not o.is_overdue(now), o.deadline or far, o.pk))


def inbox(*, scope: Scope, user: User, now: dt.datetime) -> Inbox:
    visible = orders(scope=scope)
    handle = visible.filter(state__in=(State.DISPATCHED, State.ACCEPTED, State.REWORK)).filter(
        scope.q(Cap.ENTER_DATA, field_name="assignee_unit__path")).filter(
        Q(assignee_user__isnull=True) | Q(assignee_user=user))
    supervise = (scope.q(Cap.INSPECT, field_name="finding__unit__path") |
                 scope.q(Cap.INSPECT, field_name="finding__round__unit__path"))
    review = visible.filter(supervise).filter(
        Q(state__in=(State.PENDING, State.REJECTED)) |
        (Q(state=State.SUBMITTED) & ~Q(rectified_by=user)))
    review = review.exclude(state=State.PENDING, finding__hidden=True)
    escalated = visible.filter(state__in=RUNNING_STATES, escalations__recipients=user).distinct()
    extensions = list(ExtensionRequest.objects.filter(
        status=ExtensionRequest.Status.PENDING, order__in=visible.filter(supervise))
        .select_related("order", "order__finding", "order__assignee_unit", "requested_by"))
    return Inbox(_overdue_first(list(handle.distinct()), now),
                 _overdue_first(list(review.distinct()), now),
                 _overdue_first(list(escalated), now), extensions)


def recent_closures(*, scope: Scope, since: dt.datetime, limit: int = 10
                    ) -> list[RectificationOrder]:
    """Orders of the units the reader rectifies for that were verified and closed since
    ``since``, newest first: 最近的变化 on the home page."""
    return list(orders(scope=scope).filter(
        scope.q(Cap.ENTER_DATA, field_name="assignee_unit__path"),
        state=State.CLOSED, closed_at__gte=since).order_by("-closed_at")[:limit])


# -- 随手拍 ---------------------------------------------------------------------------------

def report_queue(*, scope: Scope) -> QuerySet[CitizenReport]:
    """Reports an inspector may triage: at units in INSPECT scope, or without a unit."""
    if not scope.allows_any(Cap.INSPECT):
        return CitizenReport.objects.none()
    qs = CitizenReport.objects.filter(
        scope.q(Cap.INSPECT, field_name="unit__path") | Q(unit__isnull=True))
    return qs.select_related("category", "unit", "finding", "finding__order").prefetch_related(
        Prefetch("photo_links", queryset=ReportPhoto.objects.select_related("file")))


def pending_reports(*, scope: Scope) -> QuerySet[CitizenReport]:
    return report_queue(scope=scope).filter(Q(status=ReportStatus.RECEIVED) | Q(needs_review=True)
                                      ).order_by("created_at")


def report_by_code(code: str) -> CitizenReport:
    normalised = code.strip().upper().replace(" ", "")
    if len(normalised) == 8:
        normalised = normalised[:4] + "-" + normalised[4:]
    found = (CitizenReport.objects.select_related("category", "finding", "finding__order",
                                                  "finding__unit")
             .filter(code=normalised).first())
    if found is None:
        raise Http404
    return found


def overdue_count(*, scope: Scope, now: dt.datetime) -> int:
    """Orders the scope sees whose clock has run out (the same rule as `counts`)."""
    return orders(scope=scope).filter(state__in=RUNNING_STATES, deadline__lte=now).count()


def counts(*, scope: Scope, now: dt.datetime) -> dict[str, int]:
    qs = orders(scope=scope)
    return {
        "open": qs.filter(state__in=OPEN_STATES).count(),
        "overdue": overdue_count(scope=scope, now=now),
        "review": qs.filter(state=State.SUBMITTED).count(),
        "closed": qs.filter(state=State.CLOSED).count(),
    }
