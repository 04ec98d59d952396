"""Every write of reported data: draft, submit, review, unlock, exceptions, 信息报送.

Each action is atomic, checks the actor's scope itself (views, the API and the
importer check too, but a forgotten check there must not open a hole), validates
before saving and writes its audit entry in the same transaction. ``now`` can be
passed in so that deadline edges are testable; it defaults to the clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chuangjian import sources as source_registry
from chuangjian.audit.log import log_action
from chuangjian.engine.periods import SHANGHAI, Period, PeriodError, is_on_time
from chuangjian.lib.bulk import update_each
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Cap, Scope
from chuangjian.reporting import rollups
from chuangjian.reporting import sources as news_source
from chuangjian.reporting.datasets import (
    MergedDataset,
    catalog,
    computed_values,
    period_is_open,
    unit_open_during,
)
from chuangjian.reporting.labels import period_error, period_label
from chuangjian.reporting.models import (
    Channel,
    DataValue,
    DeadlineException,
    LateRequest,
    LateRequestState,
    NewsAttachment,
    NewsItem,
    Status,
    Submission,
    ValueChange,
)
from chuangjian.reporting.values import (
    EMPTY,
    Parsed,
    ValueError_,
    outlier_facts,
    outlier_text,
    parse_value,
)

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


class ReportInvalid(ValidationError):
    """A report that fails validation: ``fields`` maps element code → message (Chinese,
    or the reader's language)."""

    def __init__(self, fields: Mapping[str, str], general: list[str] | None = None) -> None:
        self.fields = dict(fields)
        self.general = list(general or [])
        messages = [*self.general, *(f"{k}：{v}" for k, v in self.fields.items())]
        super().__init__(messages or [_("数据未通过校验")])


class ReportLocked(ValidationError):
    """The report can no longer be changed: accepted (and locked) or past a locking deadline."""


class ReasonRequired(ValidationError):
    """Figures far from the unit's usual ones were submitted without saying why: the form
    asks the filler to confirm them with a reason, which the reviewer then reads.
    ``warnings`` maps element code → the warning in the reader's language."""

    def __init__(self, warnings: Mapping[str, str]) -> None:
        self.warnings = dict(warnings)
        super().__init__(ngettext(
            "有 %(n)d 项与以往差异较大：请核实；确认无误的，请在下方写明原因后再上报",
            "有 %(n)d 项与以往差异较大：请核实；确认无误的，请在下方写明原因后再上报",
            len(self.warnings)) % {"n": len(self.warnings)})


class StaleReport(ValidationError):
    """Someone submitted the report after the form was opened (optimistic locking).

    ``submission`` is the report as it now stands, so the page can show both versions
    (theirs and the one just typed) and let the clerk keep either.
    """

    def __init__(self, submission: Submission) -> None:
        self.submission = submission
        super().__init__(_("该报表已被他人更新，请刷新后再试"), code="stale")


@dataclass
class Checked:
    final: dict[str, Parsed]
    errors: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    # element code → the figures of an outlier warning (``values.outlier_facts``)
    outliers: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def warnings(self) -> dict[str, str]:
        return {code: outlier_text(facts) for code, facts in self.outliers.items()}


@dataclass
class SubmitResult:
    submission: Submission
    changed: dict[str, tuple[str, str]]
    warnings: dict[str, str]
    new_version: bool


# -- helpers --------------------------------------------------------------------------


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _require(*, scope: Scope, unit: Unit, cap: Cap) -> None:
    if not scope.allows(unit, cap):
        raise PermissionDenied(_("无权操作该单位"))


def parent_path(unit: Unit) -> str:
    parts = unit.path.strip("/").split("/")
    return "".join(f"{p}/" for p in parts[:-1])


def can_review(*, scope: Scope, unit: Unit) -> bool:
    """Only the level above reviews a unit's report: approval at its parent (or global)."""
    if scope.is_global:
        return True
    above = parent_path(unit)
    return bool(above) and scope.allows(above, Cap.APPROVE)


def _require_above(*, scope: Scope, unit: Unit) -> None:
    if not can_review(scope=scope, unit=unit):
        raise PermissionDenied(_("只有上级单位可以审核、解锁或批准例外"))


def resolve(unit: Unit, dataset_code: str, period_text: str, *, now: dt.datetime
            ) -> tuple[MergedDataset, Period]:
    """The merged data set and period a unit reports, or a ``ValidationError`` saying why."""
    try:
        period = Period.parse(period_text)
    except PeriodError as error:
        raise ValidationError(period_error(period_text, error)) from None
    ds = catalog().dataset(unit, dataset_code, period.start.year)
    if ds is None:
        raise ValidationError(_("单位「%(unit)s」在 %(year)d 年没有数据集「%(dataset)s」") % {
            "unit": unit.name, "year": period.start.year, "dataset": dataset_code})
    try:
        period = ds.parse_period(period_text)
    except PeriodError as error:
        raise ValidationError(str(error)) from None
    if not period_is_open(period, now):
        raise ValidationError(_("%(period)s尚未开始，不能提前填报") % {
            "period": period_label(period)})
    if not unit_open_during(unit, period):
        raise ValidationError(_("单位「%(unit)s」在%(period)s未设立或已撤销，无需填报") % {
            "unit": unit.name, "period": period_label(period)})
    return ds, period


def stored_values(unit: Unit, ds: MergedDataset, period: Period) -> dict[str, DataValue]:
    rows = DataValue.objects.filter(unit=unit, period=str(period),
                                    element__in=[e.pk for e in ds.elements]).select_related("element")
    return {v.element.code: v for v in rows}


def _history_window(period: Period) -> dt.date:
    span = {"day": 45, "week": 7 * 16, "month": 31 * 13, "quarter": 92 * 9, "year": 366 * 6}
    return period.start - dt.timedelta(days=span[period.type.value])


def outliers(unit: Unit, ds: MergedDataset, period: Period,
             numbers: Mapping[str, Decimal]) -> dict[str, dict[str, str]]:
    """Flag values out of line with the unit's own history and its peers' figures (three
    small queries for all elements; see ``values.outlier_facts``)."""
    if not numbers:
        return {}
    by_code = ds.element_by_code
    # The window's periods by name, so the lookup is all equalities on the
    # (unit, element, period) unique index; a range on period_start lets SQLite pick
    # the (element, period_type, period_start) index and read every unit's values.
    window, earlier = _history_window(period), []
    previous = period.previous()
    while previous.start >= window:
        earlier.append(str(previous))
        previous = previous.previous()
    rows = (DataValue.objects.filter(unit=unit, period_type=period.type.value,
                                     element__in=[by_code[c].pk for c in numbers],
                                     period__in=earlier, number__isnull=False)
            .order_by("-period_start").values_list("element__code", "number"))
    history: dict[str, list[Decimal]] = {}
    for code, number in rows:
        if number is not None:  # always, given number__isnull=False; narrows the type
            history.setdefault(code, []).append(number)
    # The peers' figures: the same elements of the units beside this one (same parent),
    # this period and the one before (many have not filed today's yet), newest first.
    # The siblings are named first so that this too is equalities on the unique index:
    # filtering on the parent through a join let SQLite read every unit's values of
    # these elements for every period (0.9-1.3 s at 3,000 communities).
    peers: dict[str, dict[int, Decimal]] = {}
    siblings = (list(Unit.objects.filter(parent_id=unit.parent_id).exclude(pk=unit.pk)
                     .order_by().values_list("pk", flat=True)) if unit.parent_id is not None else [])
    if siblings:
        recent = [str(period), *earlier[:1]]
        for code, unit_id, number in (
                DataValue.objects.filter(unit__in=siblings, period__in=recent,
                                         period_type=period.type.value, number__isnull=False,
                                         element__in=[by_code[c].pk for c in numbers])
                .order_by("-period_start")
                .values_list("element__code", "unit_id", "number")[:5000]):
            if number is not None:
                peers.setdefault(code, {}).setdefault(unit_id, number)
    notes = {}
    for code, value in numbers.items():
        facts = outlier_facts(value, history.get(code, [])[:12],
                              list(peers.get(code, {}).values()))
        if facts:
            notes[code] = facts
    return notes


def _fmt_figure(value: float | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def check_values(unit: Unit, ds: MergedDataset, period: Period, raw: Mapping[str, Any], *,
                 stored: Mapping[str, DataValue] | None = None, complete: bool = True) -> Checked:
    """Parse and check ``raw`` (element code → text/number) merged over the stored values.

    Keys left out keep their stored value; a key present but empty clears it. With
    ``complete`` every element must end up with a value (a submission); without it
    (a draft, an inline check) only what is there is checked.
    """
    stored = stored if stored is not None else stored_values(unit, ds, period)
    by_code = ds.element_by_code
    checked = Checked(final={})
    for code in raw:
        if code not in by_code:
            checked.general.append(_("数据集「%(dataset)s」中没有数据元素「%(code)s」") % {
                "dataset": ds.name, "code": code})
    for code, element in by_code.items():
        if code in raw:
            try:
                checked.final[code] = parse_value(element, raw[code])
            except ValueError_ as error:
                checked.errors[code] = str(error)
                continue
        elif code in stored:
            v = stored[code]
            checked.final[code] = Parsed(number=v.number, text=v.text)
        else:
            checked.final[code] = EMPTY
        if complete and checked.final[code].is_empty:
            checked.errors[code] = _("必填")
    numbers = {c: (float(p.number) if p.number is not None else None)
               for c, p in checked.final.items() if c not in checked.errors}
    order = list(by_code)
    for rule in ds.rules:
        if rule.broken:
            checked.general.append(rule.refusal)
        elif rule.fails(numbers):
            first = min(rule.names, key=lambda n: order.index(n) if n in order else 0)
            checked.errors.setdefault(first, rule.message)
    if ds.cross_rules:
        # A typed figure checked against a register's (参与文化活动的户数 ≤ 名册中的居民户数).
        named = {name for rule in ds.cross_rules for name in rule.names}
        figures = {**computed_values(unit, ds, period, only=named), **numbers}
        for rule in ds.cross_rules:
            if rule.fails(figures):
                typed = sorted((n for n in rule.names if n in by_code),
                               key=lambda n: order.index(n))
                shown = "、".join(f"{e.name} {_fmt_figure(figures[e.code])}" for e in ds.computed
                                 if e.code in rule.names)
                checked.errors.setdefault(typed[0], _("%(rule)s（由名册计算：%(figures)s）") % {
                    "rule": rule.message, "figures": shown})
    changed_numbers = {c: p.number for c, p in checked.final.items()
                       if p.number is not None and c in raw and c not in checked.errors
                       and by_code[c].type in ("integer", "decimal", "percent")}
    checked.outliers = outliers(unit, ds, period, changed_numbers)
    return checked


def active_exception(unit: Unit, dataset_code: str, period: Period, now: dt.datetime
                     ) -> DeadlineException | None:
    return (DeadlineException.objects.filter(unit=unit, dataset_code=dataset_code,
                                             period=str(period), until__gt=now)
            .order_by("-until").first())


def deadline_lock(ds: MergedDataset, submission: Submission | None, unit: Unit, period: Period,
                  now: dt.datetime) -> str:
    """Why the report can no longer be filled because of its deadline, or ``""``."""
    due = ds.deadline_for(period)
    if is_on_time(now, due) or not ds.lock_after_deadline:
        return ""
    if submission is not None and submission.status == Status.RETURNED:
        return ""  # the level above sent it back for correction: it may be fixed
    if active_exception(unit, ds.code, period, now) is not None:
        return ""
    return _("已过截止时间（%(due)s），按标准规定锁定；如需补报，请上级单位批准例外") % {
        "due": _local(due)}


def _local(instant: dt.datetime) -> str:
    return f"{instant.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"


def accepted_text(reviewed_at: dt.datetime, reviewer: User | None) -> str:
    who = reviewer.display_name if isinstance(reviewer, User) else _("系统")
    return _("%(when)s 由 %(who)s 审核通过，数据已锁定") % {"when": _local(reviewed_at),
                                                          "who": who}


def lock_text(sub: Submission) -> str:
    """Why a locked submission is locked, in the reader's language."""
    if sub.status == Status.ACCEPTED and sub.reviewed_at is not None:
        return accepted_text(sub.reviewed_at, sub.reviewed_by)
    return sub.locked_reason or _("已审核通过，数据已锁定")


def _write_values(*, actor: User | None, unit: Unit, ds: MergedDataset, period: Period,
                  final: Mapping[str, Parsed], stored: Mapping[str, DataValue],
                  submission: Submission, channel: str, now: dt.datetime
                  ) -> dict[str, tuple[str, str]]:
    changed: dict[str, tuple[str, str]] = {}
    new_rows: list[DataValue] = []
    updated: list[DataValue] = []
    trail: list[ValueChange] = []
    moves: list[rollups.Change] = []
    by = actor if getattr(actor, "is_authenticated", False) else None
    for code, parsed in final.items():
        element = ds.element_by_code[code]
        current = stored.get(code)
        old = Parsed(number=current.number, text=current.text) if current else EMPTY
        if old == parsed or (old.number is not None and parsed.number is not None
                             and old.number == parsed.number):
            continue
        if current is None:
            current = DataValue(unit=unit, element=element, period=str(period),
                                period_type=period.type.value, period_start=period.start)
            new_rows.append(current)
        else:
            updated.append(current)
        current.number, current.text = parsed.number, parsed.text
        current.submission, current.updated_at, current.updated_by = submission, now, by
        trail.append(ValueChange(unit=unit, element=element, period=str(period),
                                 old=old.display(), new=parsed.display(), user=by, at=now,
                                 channel=channel, submission=submission,
                                 version=submission.version + 1))
        moves.append(rollups.Change(element, period, old.number, parsed.number))
        changed[code] = (old.display(), parsed.display())
    # A handful of statements whatever the number of values: the values, their trail,
    # then the rollups (which may reread the values just written).
    if new_rows:
        DataValue.objects.bulk_create(new_rows)
    if updated:
        update_each(DataValue, updated, ["number", "text", "submission", "updated_at",
                                         "updated_by"])
    if trail:
        ValueChange.objects.bulk_create(trail)
    rollups.apply_changes(unit=unit, changes=moves)
    if changed:
        # Marks the results that read these values stale (one insert); they are
        # recomputed after commit by the queued refresh, never inside this transaction.
        source_registry.changed(unit_id=unit.pk, element_codes=list(changed),
                                day=period.start)
    return changed


# -- entry ----------------------------------------------------------------------------


@transaction.atomic
def submit_values(*, actor: User | None, unit: Unit, dataset_code: str, period: str,
                  values: Mapping[str, Any], channel: str = Channel.WEB,
                  now: dt.datetime | None = None, scope: Scope,
                  expected_version: int | None = None, warning_reason: str | None = None
                  ) -> SubmitResult:
    """Submit a unit's report (上报). Idempotent: the same values again change nothing;
    changed values make a new version of the same submission, never a second one.

    ``warning_reason``: the web form passes what the filler wrote to confirm figures
    far from the unit's usual ones; ``""`` there while some are flagged raises
    ``ReasonRequired``. Other channels (API, xlsx) pass ``None``: flagged, not asked.

    ``expected_version`` is the version the form showed (0 for a report not yet
    submitted); when someone submitted since, ``StaleReport`` refuses the write
    instead of silently overwriting their figures (lost update).
    """
    now = _now(now)
    _require(scope=scope, unit=unit, cap=Cap.ENTER_DATA)
    ds, p = resolve(unit, dataset_code, period, now=now)
    due = ds.deadline_for(p)
    sub = _claim_submission(unit, ds, p, due)
    if expected_version is not None and expected_version != sub.version:
        raise StaleReport(sub)
    if sub.locked or sub.status == Status.ACCEPTED:
        raise ReportLocked(_("报表已锁定：%(reason)s") % {"reason": lock_text(sub)})
    lock = deadline_lock(ds, sub, unit, p, now)
    if lock:
        raise ReportLocked(lock)
    stored = stored_values(unit, ds, p)
    checked = check_values(unit, ds, p, values, stored=stored, complete=True)
    if checked.errors or checked.general:
        raise ReportInvalid(checked.errors, checked.general)
    reason = (warning_reason or "").strip()[:300]
    if warning_reason is not None and checked.outliers and not reason:
        raise ReasonRequired(checked.warnings)
    was_reported = sub.status == Status.SUBMITTED
    changed = _write_values(actor=actor, unit=unit, ds=ds, period=p, final=checked.final,
                            stored=stored, submission=sub, channel=channel, now=now)
    if was_reported and not changed:
        return SubmitResult(sub, {}, {c: outlier_text(f) for c, f in sub.warnings.items()},
                            new_version=False)
    sub.version += 1
    sub.status = Status.SUBMITTED
    sub.channel = channel
    sub.draft = {}
    sub.warnings = checked.outliers
    sub.warning_reason = reason if checked.outliers else ""
    sub.due_at = due
    sub.submitted_at = now
    sub.submitted_by = actor if getattr(actor, "is_authenticated", False) else None
    if sub.first_submitted_at is None:
        # Timeliness is judged by the first submission; later corrections do not
        # turn an on-time report into a late one.
        sub.first_submitted_at = now
        sub.late = not is_on_time(now, due)
    # The row is locked and keeps its unit, data set and period: the unique constraint
    # cannot be broken here, and the people it names are rows just read; only the
    # fields' own values are checked (no look-up queries).
    sub.full_clean(exclude=["unit", "submitted_by", "reviewed_by"], validate_unique=False,
                   validate_constraints=False)
    sub.save()
    log_action(action="reporting.submission.submitted", actor=actor, obj=sub, unit=unit,
               data={"dataset": ds.code, "period": str(p), "version": sub.version,
                     "channel": channel, "late": sub.late,
                     "changes": {ds.element_by_code[c].name: list(v) for c, v in changed.items()}})
    return SubmitResult(sub, changed, checked.warnings, new_version=True)


def _locked_submission(unit: Unit, dataset_code: str, period: str) -> Submission | None:
    return (Submission.objects.select_for_update(of=("self",))
            .filter(unit=unit, dataset_code=dataset_code, period=period).first())


def _claim_submission(unit: Unit, ds: MergedDataset, period: Period,
                      due: dt.datetime) -> Submission:
    """The report's row, locked for this transaction; created (as a draft) when new.

    Two first submissions of the same report can arrive at once (the 16:00 rush, a
    double click): both find no row and both insert. The unique constraint lets one
    insert win; the other's fails inside its savepoint and it then locks the winner's
    row, so it becomes an ordinary resubmission instead of a server error. The row is
    rolled back with everything else if the report turns out invalid.
    """
    sub = _locked_submission(unit, ds.code, str(period))
    if sub is not None:
        sub.unit = unit  # the same row, already read (the audit entry names it)
        return sub
    sub = Submission(unit=unit, dataset_code=ds.code, period=str(period),
                     period_type=period.type.value, due_at=due)
    sub.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            sub.save(force_insert=True)
    except IntegrityError:
        winner = _locked_submission(unit, ds.code, str(period))
        if winner is None:
            raise
        return winner
    return sub


@transaction.atomic
def save_draft(*, actor: User | None, unit: Unit, dataset_code: str, period: str,
               values: Mapping[str, Any], now: dt.datetime | None = None,
               scope: Scope) -> tuple[Submission, dict[str, str]]:
    """Keep what the clerk typed (暂存), even if not yet valid; returns the field errors."""
    now = _now(now)
    _require(scope=scope, unit=unit, cap=Cap.ENTER_DATA)
    ds, p = resolve(unit, dataset_code, period, now=now)
    sub = _claim_submission(unit, ds, p, ds.deadline_for(p))
    if sub.locked or sub.status == Status.ACCEPTED:
        raise ReportLocked(_("报表已锁定：%(reason)s") % {"reason": lock_text(sub)})
    lock = deadline_lock(ds, sub, unit, p, now)
    if lock:
        raise ReportLocked(lock)
    known = {c: ("" if v is None else str(v).strip()) for c, v in values.items()
             if c in ds.element_by_code}
    checked = check_values(unit, ds, p, known, complete=False)
    sub.draft = known
    sub.full_clean()
    sub.save()
    log_action(action="reporting.submission.draft_saved", actor=actor, obj=sub, unit=unit,
               data={"dataset": ds.code, "period": str(p)})
    return sub, checked.errors


# -- review ---------------------------------------------------------------------------


@transaction.atomic
def accept_clean(*, actor: User | None, submissions: list[Submission], scope: Scope,
                 now: dt.datetime | None = None) -> int:
    """Accept several reports at once (批量审核通过) — only clean ones, without outlier
    warnings: one that is not clean, or not waiting, refuses the whole batch, named."""
    if not submissions:
        raise ValidationError(_("请先勾选要审核通过的报表"))
    for sub in submissions:
        if sub.warnings:
            raise ValidationError(_("「%(unit)s」的报表有与以往差异较大的数据，请逐份打开审核") % {
                "unit": sub.unit.name})
        review_submission(actor=actor, submission=sub, accept=True, now=now, scope=scope)
    return len(submissions)


@transaction.atomic
def review_submission(*, actor: User | None, submission: Submission, accept: bool,
                      comment: str = "", now: dt.datetime | None = None,
                      scope: Scope) -> Submission:
    """The level above accepts (审核通过, which locks the data) or returns it (退回)."""
    now = _now(now)
    sub = Submission.objects.select_for_update(of=("self",)).select_related("unit").get(pk=submission.pk)
    _require_above(scope=scope, unit=sub.unit)
    if sub.status != Status.SUBMITTED:
        raise ValidationError(_("只有已上报的报表可以审核（当前状态：%(status)s）") % {
            "status": sub.get_status_display()})
    comment = comment.strip()
    if accept:
        sub.status = Status.ACCEPTED
        sub.locked = True
        # Stored in the product's language, whoever's page accepted it; pages show
        # it in the reader's own (``lock_text``).
        with translation.override(settings.LANGUAGE_CODE):
            sub.locked_reason = accepted_text(now, actor)
    else:
        if not comment:
            raise ValidationError(_("退回时请填写意见，告诉填报人要改什么"))
        sub.status = Status.RETURNED
        sub.locked = False
        sub.locked_reason = ""
    sub.comment = comment
    sub.reviewed_at = now
    sub.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
    sub.full_clean()
    sub.save()
    log_action(action="reporting.submission.accepted" if accept else "reporting.submission.returned",
               actor=actor, obj=sub, unit=sub.unit,
               data={"dataset": sub.dataset_code, "period": sub.period, "comment": comment})
    return sub


@transaction.atomic
def unlock_submission(*, actor: User | None, submission: Submission, reason: str,
                      now: dt.datetime | None = None, scope: Scope) -> Submission:
    """Reopen accepted data for correction (解锁); needs the approver and a reason."""
    now = _now(now)
    sub = Submission.objects.select_for_update(of=("self",)).select_related("unit").get(pk=submission.pk)
    _require_above(scope=scope, unit=sub.unit)
    if not sub.locked:
        raise ValidationError(_("报表没有锁定"))
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("解锁须填写理由"))
    sub.status = Status.RETURNED
    sub.locked = False
    sub.locked_reason = ""
    with translation.override(settings.LANGUAGE_CODE):
        sub.comment = _("解锁：%(reason)s") % {"reason": reason}
    sub.reviewed_at = now
    sub.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
    sub.full_clean()
    sub.save()
    log_action(action="reporting.submission.unlocked", actor=actor, obj=sub, unit=sub.unit,
               data={"dataset": sub.dataset_code, "period": sub.period, "reason": reason})
    return sub


MAX_LATE_HOURS = 24 * 30


@transaction.atomic
def request_late_filing(*, actor: User, unit: Unit, dataset_code: str, period: str, reason: str,
                        scope: Scope, now: dt.datetime | None = None) -> LateRequest:
    """The filler asks the level above to let a report locked by its deadline be filed
    late (申请补报). One request waits at a time for a report."""
    now = _now(now)
    _require(scope=scope, unit=unit, cap=Cap.ENTER_DATA)
    ds, p = resolve(unit, dataset_code, period, now=now)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("请写明补报的理由")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("补报理由不能超过 300 字")})
    sub = Submission.objects.filter(unit=unit, dataset_code=ds.code, period=str(p)).first()
    if sub is not None and (sub.locked or sub.status == Status.ACCEPTED):
        raise ValidationError(_("该报表已审核通过并锁定，无需补报"))
    if not deadline_lock(ds, sub, unit, p, now):
        raise ValidationError(_("该报表现在可以直接填报，无需申请补报"))
    if LateRequest.objects.select_for_update().filter(
            unit=unit, dataset_code=ds.code, period=str(p),
            state=LateRequestState.PENDING).exists():
        raise ValidationError(_("已经申请过补报，正在等待上级批准"))
    row = LateRequest(unit=unit, dataset_code=ds.code, period=str(p), reason=reason,
                      requested_by=actor, requested_at=now)
    row.full_clean()
    row.save()
    log_action(action="reporting.late_request.made", actor=actor, obj=row, unit=unit,
               data={"dataset": ds.code, "period": str(p), "reason": reason})
    return row


@transaction.atomic
def decide_late_filing(*, actor: User, request: LateRequest, grant: bool, scope: Scope,
                       hours: int = 24, note: str = "", now: dt.datetime | None = None
                       ) -> LateRequest:
    """The level above grants a late-filing request (opening the form for ``hours``) or
    refuses it with a note the filler reads."""
    now = _now(now)
    row = LateRequest.objects.select_for_update(of=("self",)).select_related("unit").get(pk=request.pk)
    _require_above(scope=scope, unit=row.unit)
    if row.state != LateRequestState.PENDING:
        raise ValidationError(_("该补报申请已经处理过了"))
    note = note.strip()
    if len(note) > 300:
        raise ValidationError({"note": _("批复意见不能超过 300 字")})
    if grant:
        if not 1 <= hours <= MAX_LATE_HOURS:
            raise ValidationError({"hours": _("补报时限应在 1 小时到 30 天之间")})
        row.exception = grant_exception(
            actor=actor, unit=row.unit, dataset_code=row.dataset_code, period=row.period,
            until=now + dt.timedelta(hours=hours), reason=_("批准补报申请：%(reason)s") % {
                "reason": row.reason}, now=now, scope=scope)
        row.state = LateRequestState.GRANTED
    else:
        if not note:
            raise ValidationError({"note": _("不批准时请写明理由，填报人会看到")})
        row.state = LateRequestState.REFUSED
    row.decided_by, row.decided_at, row.decision_note = actor, now, note
    row.full_clean()
    row.save(update_fields=["state", "decided_by", "decided_at", "decision_note", "exception"])
    log_action(action=f"reporting.late_request.{row.state}", actor=actor, obj=row,
               unit=row.unit, data={"dataset": row.dataset_code, "period": row.period,
                                    "hours": hours if grant else None, "note": note})
    return row


@transaction.atomic
def grant_exception(*, actor: User | None, unit: Unit, dataset_code: str, period: str,
                    until: dt.datetime, reason: str, now: dt.datetime | None = None,
                    scope: Scope) -> DeadlineException:
    """The level above lets one unit report after the deadline, until ``until`` (例外)."""
    now = _now(now)
    _require_above(scope=scope, unit=unit)
    ds, p = resolve(unit, dataset_code, period, now=now)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("批准例外须填写理由"))
    if until <= now:
        raise ValidationError(_("延至时间必须晚于现在"))
    row = DeadlineException(unit=unit, dataset_code=ds.code, period=str(p), until=until,
                            reason=reason, granted_at=now,
                            granted_by=actor if getattr(actor, "is_authenticated", False) else None)
    row.full_clean()
    row.save()
    log_action(action="reporting.exception.granted", actor=actor, obj=row, unit=unit,
               data={"dataset": ds.code, "period": str(p), "until": _local(until),
                     "reason": reason})
    return row


# -- 信息报送 ---------------------------------------------------------------------------


@transaction.atomic
def submit_news(*, actor: User | None, unit: Unit, kind: str, title: str, body: str,
                files: list[tuple[str, bytes]] = (), now: dt.datetime | None = None,  # type: ignore[assignment]
                scope: Scope) -> NewsItem:
    """Send a news or experience item upward (信息报送), attachments stored by content hash."""
    now = _now(now)
    _require(scope=scope, unit=unit, cap=Cap.ENTER_DATA)
    item = NewsItem(unit=unit, kind=kind, title=title.strip(), body=body.strip(),
                    submitted_at=now,
                    submitted_by=actor if getattr(actor, "is_authenticated", False) else None)
    item.full_clean()
    item.save()
    for name, content in files:
        if len(content) > MAX_ATTACHMENT_BYTES:
            raise ValidationError(_("附件「%(name)s」超过 20 MB") % {"name": name})
        digest = hashlib.sha256(content).hexdigest()
        suffix = PurePath(name).suffix.lower()[:10]
        path = f"reporting/news/{digest[:2]}/{digest}{suffix}"
        if not default_storage.exists(path):
            default_storage.save(path, ContentFile(content))
        NewsAttachment.objects.create(item=item, file=path, name=PurePath(name).name[:200],
                                      sha256=digest, size=len(content))
    source_registry.changed(unit_id=unit.pk, element_codes=[news_source.NEWS_ELEMENT],
                            day=timezone.localtime(now).date())
    log_action(action="reporting.news.submitted", actor=actor, obj=item, unit=unit,
               data={"title": item.title, "kind": item.get_kind_display(),
                     "attachments": len(files)})
    return item


@transaction.atomic
def decide_news(*, actor: User | None, item: NewsItem, adopt: bool, comment: str = "",
                now: dt.datetime | None = None, scope: Scope) -> NewsItem:
    """The level above adopts (采用) or declines an item."""
    now = _now(now)
    item = NewsItem.objects.select_for_update(of=("self",)).select_related("unit").get(pk=item.pk)
    _require_above(scope=scope, unit=item.unit)
    item.state = NewsItem.State.ADOPTED if adopt else NewsItem.State.NOT_ADOPTED
    item.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
    item.reviewed_at = now
    item.review_comment = comment.strip()[:300]
    item.full_clean()
    item.save()
    log_action(action="reporting.news.adopted" if adopt else "reporting.news.declined",
               actor=actor, obj=item, unit=item.unit, data={"title": item.title})
    return item
