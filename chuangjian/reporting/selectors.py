"""Reads of reported data, always through the reader's scope."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chuangjian.engine.periods import SHANGHAI, Period, PeriodError, PeriodType, is_on_time
from chuangjian.org.levels import Kind, Level
from chuangjian.org.models import Unit
from chuangjian.org.scope import Cap, Scope, require_visible
from chuangjian.reporting.actions import (
    active_exception,
    can_review,
    deadline_lock,
    lock_text,
    parent_path,
)
from chuangjian.reporting.datasets import (
    PERIOD_ORDER,
    MergedDataset,
    catalog,
    computed_values,
    unit_open_during,
)
from chuangjian.reporting.labels import period_label
from chuangjian.reporting.models import (
    DataValue,
    DeadlineException,
    LateRequest,
    LateRequestState,
    NewsItem,
    Status,
    Submission,
    ValueChange,
)
from chuangjian.reporting.values import TYPE_LABELS, outlier_text

REPORTED = (Status.SUBMITTED, Status.ACCEPTED)


def unit_for(*, scope: Scope, code: str, cap: Cap = Cap.VIEW) -> Unit:
    """The unit with ``code`` if the scope may ``cap`` it, else 404 (never leak existence)."""
    unit = scope.filter(Unit.objects.select_related("parent"), cap).filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


# -- one form ---------------------------------------------------------------------------


@dataclass
class FormRow:
    element: object
    value: str
    draft: str | None
    changes: int
    warning: str = ""
    error: str = ""

    @property
    def type_label(self) -> str:
        return str(TYPE_LABELS.get(self.element.type, ""))  # type: ignore[attr-defined]

    @property
    def shown(self) -> str:
        return self.draft if self.draft is not None else self.value


@dataclass
class ComputedRow:
    """A figure of the form that a source computes: shown, never typed (一数一源)."""

    element: object
    value: str
    how: str
    origin: str
    url: str | None


def _computed_rows(unit: Unit, ds: MergedDataset, period: Period) -> list[ComputedRow]:
    from chuangjian import sources

    figures = computed_values(unit, ds, period)
    rows: list[ComputedRow] = []
    for element in ds.computed:
        source = sources.source_for(element.code)
        if source is None or element.code not in figures:
            continue
        total = figures[element.code]
        text = "—" if total is None else (
            f"{int(total)}" if float(total).is_integer() else f"{total:.1f}")
        rows.append(ComputedRow(element=element, value=text,
                                how=str(source.elements.get(element.code, "")),
                                origin=str(source.label),
                                url=source.rows_url(element.code, period, unit)))
    return rows


@dataclass
class FormState:
    unit: Unit
    dataset: MergedDataset
    period: Period
    submission: Submission | None
    rows: list[FormRow]
    due: dt.datetime
    now: dt.datetime
    lock_reason: str
    can_edit: bool
    can_review: bool
    exception: DeadlineException | None
    computed: list[ComputedRow] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return not is_on_time(self.now, self.due)

    @property
    def status_label(self) -> str:
        if self.submission is None or (self.submission.status == Status.DRAFT):
            return _("草稿") if self.submission and self.submission.draft else _("未填报")
        return self.submission.get_status_display()


def form_dataset(*, scope: Scope, unit: Unit, dataset_code: str, period_text: str
                 ) -> tuple[MergedDataset, Period]:
    """The data set and period a form's address names, or 404: what a submission needs
    before anything of the page is read (``form_state`` reads the rest)."""
    require_visible(scope, unit)
    try:
        period = Period.parse(period_text)
    except PeriodError:
        raise Http404 from None
    ds = catalog().dataset(unit, dataset_code, period.start.year)
    if ds is None or period.type is not ds.period_type:
        raise Http404
    return ds, period


def form_state(*, scope: Scope, unit: Unit, dataset_code: str, period_text: str,
               now: dt.datetime) -> FormState:
    """Everything the unit × period form shows, in a fixed handful of queries."""
    ds, period = form_dataset(scope=scope, unit=unit, dataset_code=dataset_code,
                              period_text=period_text)
    sub = Submission.objects.filter(unit=unit, dataset_code=ds.code, period=str(period)
                                    ).select_related("submitted_by", "reviewed_by").first()
    values = {v.element_id: v for v in DataValue.objects.filter(
        unit=unit, period=str(period), element__in=[e.pk for e in ds.elements])}
    counts = dict(ValueChange.objects.filter(unit=unit, period=str(period),
                                             element__in=[e.pk for e in ds.elements])
                  .values_list("element").annotate(n=Count("pk")).values_list("element", "n"))
    draft = sub.draft if sub is not None else {}
    warnings = sub.warnings if sub is not None else {}
    rows = [FormRow(element=e, value=values[e.pk].display if e.pk in values else "",
                    draft=draft.get(e.code), changes=counts.get(e.pk, 0),
                    warning=outlier_text(warnings[e.code]) if e.code in warnings else "")
            for e in ds.elements]
    lock = ""
    if sub is not None and sub.locked:
        lock = lock_text(sub)
    elif period.start_instant() > now:
        lock = _("%(period)s尚未开始，不能提前填报") % {"period": period_label(period)}
    elif not unit_open_during(unit, period):
        lock = _("单位在%(period)s未设立或已撤销") % {"period": period_label(period)}
    else:
        lock = deadline_lock(ds, sub, unit, period, now)
    exception = active_exception(unit, ds.code, period, now) if ds.lock_after_deadline else None
    return FormState(unit=unit, dataset=ds, period=period, submission=sub, rows=rows,
                     due=ds.deadline_for(period), now=now, lock_reason=lock,
                     can_edit=not lock and scope.allows(unit, Cap.ENTER_DATA),
                     can_review=can_review(scope=scope, unit=unit), exception=exception,
                     computed=_computed_rows(unit, ds, period))


def value_history(*, scope: Scope, unit: Unit, element_code: str, period: str
                  ) -> QuerySet[ValueChange]:
    require_visible(scope, unit)
    return (ValueChange.objects.filter(unit=unit, element__code=element_code, period=period)
            .select_related("user").order_by("-at", "-id"))


# -- review ---------------------------------------------------------------------------


def review_queryset(*, scope: Scope, status: str = Status.SUBMITTED, unit: Unit | None = None,
                    dataset_code: str = "", period: str = "") -> QuerySet[Submission]:
    """Reports the scope may review — of units whose parent it approves at, so never its
    own — newest first, narrowed by unit (and its subtree), data set and period."""
    qs = scope.filter(Submission.objects.filter(status=status).select_related(
        "unit", "submitted_by", "reviewed_by"), Cap.APPROVE, field_name="unit__path")
    if not scope.is_global:
        parents = {p: p.rstrip("/").rpartition("/")[0] for p in scope.prefixes(Cap.APPROVE)}
        own = [p for p, up in parents.items() if not (up and scope.allows(up + "/", Cap.APPROVE))]
        qs = qs.exclude(unit__path__in=own)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if dataset_code:
        qs = qs.filter(dataset_code=dataset_code)
    if period:
        qs = qs.filter(period=period)
    return qs.order_by("-submitted_at", "unit__path", "pk")


def review_queue(*, scope: Scope, status: str = Status.SUBMITTED, limit: int = 200
                 ) -> list[Submission]:
    """Reports the scope may review: of units below where it approves, never its own."""
    return list(review_queryset(scope=scope, status=status)[:limit])


def next_to_review(*, scope: Scope, after: Submission) -> Submission | None:
    """The report to open after deciding ``after``: the next one waiting in the review
    list's order (older than it), else the newest still waiting."""
    waiting = review_queryset(scope=scope).exclude(pk=after.pk)
    if after.submitted_at is not None:
        older = waiting.filter(submitted_at__lte=after.submitted_at).first()
        if older is not None:
            return older
    return waiting.first()


def submission_for(*, scope: Scope, pk: int, cap: Cap = Cap.VIEW) -> Submission:
    sub = scope.filter(Submission.objects.select_related("unit", "submitted_by", "reviewed_by"),
                       cap, field_name="unit__path").filter(pk=pk).first()
    if sub is None:
        raise Http404
    return sub


# -- missing list and timeliness ---------------------------------------------------------


@dataclass
class UnitStatus:
    unit: Unit
    dataset: MergedDataset
    submission: Submission | None

    @property
    def reported(self) -> bool:
        return self.submission is not None and self.submission.status in REPORTED

    @property
    def late(self) -> bool:
        return self.reported and bool(self.submission and self.submission.late)


@dataclass
class Group:
    street: Unit | None
    area: Unit | None
    rows: list[UnitStatus] = field(default_factory=list)

    @property
    def missing(self) -> list[UnitStatus]:
        return [r for r in self.rows if not r.reported]

    @property
    def counts(self) -> dict[str, int]:
        return {"expected": len(self.rows), "submitted": sum(r.reported for r in self.rows),
                "late": sum(r.late for r in self.rows),
                "on_time": sum(r.reported and not r.late for r in self.rows),
                "missing": len(self.missing)}


@dataclass
class MissingReport:
    period: Period
    period_type: PeriodType
    groups: list[Group]
    root: Unit | None

    @property
    def totals(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for g in self.groups:
            total.update(g.counts)
        return {k: total[k] for k in ("expected", "submitted", "on_time", "late", "missing")}


def timeliness(*, scope: Scope, period: Period, root: Unit | None = None) -> MissingReport:
    """Expected / submitted / on time / late / missing for every unit that reports
    ``period``'s type, grouped by street and 管区 (the 16:00 list for a day)."""
    units_qs = scope.units().filter(kind__in=[Kind.AREA, Kind.DEPARTMENT])
    if root is not None:
        units_qs = units_qs.filter(path__startswith=root.path)
    units_qs = units_qs.filter(Q(opened_on__isnull=True) | Q(opened_on__lte=period.end)).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=period.start))
    cat = catalog()
    expected: list[tuple[Unit, MergedDataset]] = []
    for unit in units_qs.order_by("path"):
        for ds in cat.for_unit(unit, period.start.year).values():
            if ds.period_type is period.type:
                expected.append((unit, ds))
    subs = {(s.unit_id, s.dataset_code): s for s in Submission.objects.filter(
        period=str(period), unit__in=[u.pk for u, _ds in expected])}
    ancestor_ids = {i for u, _ds in expected for i in u.ancestor_ids()}
    ancestors = {u.pk: u for u in Unit.objects.filter(pk__in=ancestor_ids)}
    groups: dict[tuple[int | None, int | None], Group] = {}
    for unit, ds in expected:
        chain = [ancestors[i] for i in unit.ancestor_ids() if i in ancestors] + [unit]
        street = next((a for a in chain if a.level == Level.STREET and a.kind == Kind.AREA), None)
        area = next((a for a in chain if a.level == Level.AREA and a.kind == Kind.AREA), None)
        key = (street.pk if street else None, area.pk if area else None)
        group = groups.setdefault(key, Group(street=street, area=area))
        group.rows.append(UnitStatus(unit, ds, subs.get((unit.pk, ds.code))))
    ordered = sorted(groups.values(), key=lambda g: ((g.street.path if g.street else ""),
                                                     (g.area.path if g.area else "")))
    return MissingReport(period=period, period_type=period.type, groups=ordered, root=root)


# -- inbox ----------------------------------------------------------------------------


DUE_STATE_LABELS = {"due": gettext_lazy("待报"), "overdue": gettext_lazy("逾期未报"),
                    "returned": gettext_lazy("已退回，待修改"),
                    "draft": gettext_lazy("草稿未上报"), "done": gettext_lazy("已上报")}


@dataclass
class Due:
    unit: Unit
    dataset: MergedDataset
    period: Period
    due: dt.datetime
    submission: Submission | None
    state: str          # "due", "overdue", "returned", "draft", "done"
    lock_reason: str = ""

    @property
    def state_label(self) -> str:
        """A filed report reads as its submission's state (已上报 / 已审核), the same words
        the form and the review list use; the rest say what is owed."""
        if self.state == "done" and self.submission is not None:
            return str(self.submission.get_status_display())
        return str(DUE_STATE_LABELS[self.state])


# How far back the inbox looks for reports still owed. Monthly, quarterly and yearly
# reports are owed until they are filed, so the inbox reaches back to the start of the
# year (and into last year early in January); a day or week long past is followed on
# the missing list (未报清单) rather than crowding a clerk's phone.
_LOOKBACK_DAYS = {PeriodType.DAY: 31, PeriodType.WEEK: 56, PeriodType.MONTH: 62,
                  PeriodType.QUARTER: 92, PeriodType.YEAR: 366}


def _candidate_periods(period_type: PeriodType, today: dt.date) -> list[Period]:
    """The current period and every earlier one still inside the inbox's horizon."""
    horizon = today - dt.timedelta(days=_LOOKBACK_DAYS[period_type])
    if period_type not in (PeriodType.DAY, PeriodType.WEEK):
        horizon = min(horizon, dt.date(today.year, 1, 1))
    periods = [Period.containing(period_type, today)]
    while periods[-1].previous().end >= horizon:
        periods.append(periods[-1].previous())
    return periods


def inbox(*, scope: Scope, now: dt.datetime, limit_units: int = 60) -> list[Due]:
    """What is due or overdue for the units the user fills in: those where they hold
    a role that enters data, and the units directly below them."""
    grants = [g for g in scope.grants if Cap.ENTER_DATA in g.caps]
    if scope.is_global or not grants:
        return []
    cond = Q()
    for g in grants:
        depth = g.path.count("/")
        cond |= Q(path__startswith=g.path, depth__lte=depth + 1)
    units = list(Unit.objects.filter(cond, closed_on__isnull=True)
                 .order_by("depth", "path")[:limit_units])
    today = now.astimezone(SHANGHAI).date()
    cat = catalog()
    wanted: list[tuple[Unit, MergedDataset, Period]] = []
    candidates = {t: _candidate_periods(t, today) for t in PERIOD_ORDER}
    for unit in units:
        by_year: dict[int, dict[PeriodType, MergedDataset]] = {}
        for period_type in PERIOD_ORDER:
            for period in candidates[period_type]:
                year = period.start.year
                if year not in by_year:
                    first: dict[PeriodType, MergedDataset] = {}
                    for d in cat.for_unit(unit, year).values():
                        first.setdefault(d.period_type, d)
                    by_year[year] = first
                ds = by_year[year].get(period_type)
                if ds is not None and unit_open_during(unit, period):
                    wanted.append((unit, ds, period))
    subs = {(s.unit_id, s.dataset_code, s.period): s for s in Submission.objects.filter(
        unit__in=[u.pk for u in units], period__in={str(p) for _u, _d, p in wanted})}
    rows: list[Due] = []
    for unit, ds, period in wanted:
        sub = subs.get((unit.pk, ds.code, str(period)))
        due = ds.deadline_for(period)
        is_current = period.contains(today)
        if sub is not None and sub.status in REPORTED:
            if is_current:
                rows.append(Due(unit, ds, period, due, sub, "done"))
            continue
        if sub is not None and sub.status == Status.RETURNED:
            state = "returned"
        elif not is_on_time(now, due):
            state = "overdue"
        elif sub is not None and sub.draft:
            state = "draft"
        else:
            state = "due"
        rows.append(Due(unit, ds, period, due, sub, state))
    order = {"overdue": 0, "returned": 1, "draft": 2, "due": 3, "done": 4}
    rows.sort(key=lambda d: (order[d.state], d.due, d.unit.path))
    return rows


# -- 信息报送 ---------------------------------------------------------------------------


def news_items(*, scope: Scope) -> QuerySet[NewsItem]:
    return scope.filter(NewsItem.objects.select_related("unit", "submitted_by", "reviewed_by")
                        .prefetch_related("attachments"), field_name="unit__path")


def news_item_for(*, scope: Scope, pk: int) -> NewsItem:
    item = news_items(scope=scope).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def exceptions_for(*, scope: Scope, unit: Unit, dataset_code: str, period: str
                   ) -> QuerySet[DeadlineException]:
    require_visible(scope, unit)
    return DeadlineException.objects.filter(unit=unit, dataset_code=dataset_code,
                                            period=period).select_related("granted_by")


__all__ = ["parent_path"]


def late_request_for(unit: Unit, dataset_code: str, period: str, *, scope: Scope
                     ) -> LateRequest | None:
    """The newest late-filing request of one report the scope may see (申请补报)."""
    if not scope.allows(unit):
        return None
    return (LateRequest.objects.filter(unit=unit, dataset_code=dataset_code, period=period)
            .select_related("requested_by", "decided_by").first())


def pending_late_requests(*, scope: Scope, limit: int = 100) -> list[LateRequest]:
    """Late-filing requests waiting for this reader's decision: units one level below
    where they approve."""
    qs = scope.filter(LateRequest.objects.filter(state=LateRequestState.PENDING)
                      .select_related("unit", "requested_by"), field_name="unit__path")
    return [r for r in qs.order_by("requested_at")[: limit * 2] if can_review(scope=scope, unit=r.unit)][:limit]


def late_request_of(pk: int, *, scope: Scope) -> LateRequest:
    found = scope.filter(LateRequest.objects.select_related("unit"),
                         field_name="unit__path").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def recent_decisions(*, scope: Scope, since: dt.datetime, limit: int = 10) -> list[Submission]:
    """Reports of the units the reader fills in (as `inbox` finds them) that someone
    else accepted or returned since ``since``, newest first: 最近的变化 on the home page."""
    grants = [g for g in scope.grants if Cap.ENTER_DATA in g.caps]
    if scope.is_global or not grants:
        return []
    cond = Q()
    for g in grants:
        cond |= Q(unit__path__startswith=g.path, unit__depth__lte=g.path.count("/") + 1)
    qs = (Submission.objects.filter(cond, reviewed_at__gte=since,
                                    status__in=(Status.ACCEPTED, Status.RETURNED))
          .exclude(reviewed_by=scope.user_id).select_related("unit", "reviewed_by")
          .order_by("-reviewed_at"))
    return list(qs[:limit])
