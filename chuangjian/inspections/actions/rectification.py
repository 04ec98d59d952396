"""The rectification loop (整改闭环): 派单 → 接单/退回 → 整改 → 复核 → 销号/返工, extensions,
daily escalation of overdue orders, reopening on recurrence.

Each action locks the order row, compares the version the person acted on (two people
acting on one order at once: the second is told, nothing is lost), checks that the
transition is allowed from the current state (else a Chinese error listing what is
allowed), fires it and writes the audit entry the order page shows as its timeline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from chuangjian.audit.log import log_action
from chuangjian.inspections import policy, taxonomy
from chuangjian.inspections.actions.common import (
    FINDING_ELEMENTS,
    ORDER_ELEMENTS,
    deny_unless,
    local_day,
    notify,
    store_photos,
)
from chuangjian.inspections.models import (
    RUNNING_STATES,
    Escalation,
    ExtensionRequest,
    RectificationOrder,
    RectificationPhoto,
    Recurrence,
    State,
)
from chuangjian.org.models import Membership, Role, Unit, User
from chuangjian.org.scope import Cap, Scope

# From this many days overdue the level above the 第一责任人 is told as well.
ESCALATE_UP_AFTER_DAYS = 3


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _lock(order: RectificationOrder, version: int | None) -> RectificationOrder:
    fresh = (RectificationOrder.objects.select_for_update(of=("self",))
             .select_related("finding", "finding__unit", "finding__round",
                             "finding__round__unit", "assignee_unit", "finding__category")
             .get(pk=order.pk))
    expected = order.version if version is None else version
    if fresh.version != expected:
        raise ValidationError(
            _("整改单 %(n)s 刚刚已被他人处理（现在是「%(s)s」），请刷新页面查看后再操作") % {
                "n": fresh.number, "s": fresh.get_state_display()}, code="stale")
    return fresh


def illegal_message(order: RectificationOrder, name: str) -> str:
    allowed = [str(policy.TRANSITION_LABELS[n]) for n in policy.available_transitions(order)]
    return _("整改单当前为「%(state)s」，不能「%(action)s」。现在可以进行的操作：%(allowed)s") % {
        "state": order.get_state_display(), "action": policy.TRANSITION_LABELS[name],
        "allowed": "、".join(allowed) if allowed else _("无（已办结）")}


def _fire(order: RectificationOrder, name: str) -> None:
    method = getattr(order, name)
    if not can_proceed(method):
        raise ValidationError(illegal_message(order, name), code="illegal_transition")
    method()


def _save(order: RectificationOrder, fields: Sequence[str]) -> None:
    order.version += 1
    try:
        order.save(update_fields=[*fields, "state", "version"])
    except ConcurrentTransition:
        raise ValidationError(_("整改单 %(n)s 刚刚已被他人处理，请刷新页面查看后再操作")
                              % {"n": order.number}, code="stale") from None


def _log(action: str, actor: Any, order: RectificationOrder, **data: Any) -> None:
    log_action(action=f"inspections.order.{action}", actor=actor, obj=order,
               unit=order.assignee_unit or order.finding.unit,
               data={"state": order.state, **data})


def _notify_order(order: RectificationOrder) -> None:
    if order.assignee_unit_id and order.deadline:
        notify(order.assignee_unit_id, order.deadline, ORDER_ELEMENTS)
    notify(order.finding.unit_id, order.finding.found_at, FINDING_ELEMENTS)


def _check_assignee(scope: Scope, unit: Unit, user: User | None) -> None:
    if unit.closed_on is not None:
        raise ValidationError({"unit": _("单位「%(u)s」已撤销，不能派单") % {"u": unit.name}})
    if not scope.allows(unit, Cap.INSPECT):
        raise ValidationError({"unit": _("单位「%(u)s」不在您的督查范围内") % {"u": unit.name}})
    if user is not None and not Membership.objects.filter(user=user, unit=unit).exists():
        raise ValidationError({"user": _("「%(p)s」不是「%(u)s」的人员，请选择该单位的责任人") % {
            "p": user.display_name, "u": unit.name}})


def _check_deadline(deadline: dt.datetime, now: dt.datetime) -> None:
    if deadline <= now:
        raise ValidationError({"deadline": _("整改期限不能早于现在（%(now)s）") % {
            "now": timezone.localtime(now).strftime("%Y-%m-%d %H:%M")}})


def default_deadline(order: RectificationOrder, now: dt.datetime) -> dt.datetime:
    finding = order.finding
    return taxonomy.due_at(now, taxonomy.deadline_days(finding.category, finding.severity))


@transaction.atomic
def dispatch_order(*, actor: User | None, scope: Scope, order: RectificationOrder,
                   unit: Unit | None = None, user: User | None = None,
                   deadline: dt.datetime | None = None, note: str = "",
                   version: int | None = None, now: dt.datetime | None = None
                   ) -> RectificationOrder:
    """派单: to a 条 or 块 unit and (optionally) its responsible person, with a deadline."""
    now = _now(now)
    order = _lock(order, version)
    deny_unless(policy.may_supervise(scope, order))
    if order.finding.hidden:
        raise ValidationError(_("明察暗访的结果公布前不能派单"), code="hidden")
    unit = unit or order.assignee_unit or order.finding.unit
    if order.state == State.REJECTED and unit.pk == order.assignee_unit_id and not note:
        raise ValidationError({"unit": _("该单位已退回此问题（%(r)s），请改派其他单位，或填写说明后再派") % {
            "r": order.last_reason}})
    _check_assignee(scope, unit, user)
    deadline = deadline or default_deadline(order, now)
    _check_deadline(deadline, now)
    _fire(order, "dispatch")
    order.assignee_unit, order.assignee_user, order.deadline = unit, user, deadline
    order.first_deadline = order.first_deadline or deadline
    order.dispatched_at, order.dispatched_by = now, actor
    _save(order, ["assignee_unit", "assignee_user", "deadline", "first_deadline",
                  "dispatched_at", "dispatched_by"])
    _log("dispatched", actor, order, unit=unit.name, user=user.display_name if user else "",
         deadline=deadline.isoformat(), note=note)
    _notify_order(order)
    return order


@transaction.atomic
def accept_order(*, actor: User, scope: Scope, order: RectificationOrder,
                 version: int | None = None, now: dt.datetime | None = None
                 ) -> RectificationOrder:
    """接单."""
    now = _now(now)
    order = _lock(order, version)
    deny_unless(policy.may_handle(scope, order))
    _fire(order, "accept")
    order.accepted_at = now
    if order.assignee_user_id is None:
        order.assignee_user = actor
    _save(order, ["accepted_at", "assignee_user"])
    _log("accepted", actor, order)
    return order


@transaction.atomic
def reject_order(*, actor: User, scope: Scope, order: RectificationOrder, reason: str,
                 version: int | None = None, now: dt.datetime | None = None
                 ) -> RectificationOrder:
    """退回: not this unit's job; the supervising side re-dispatches."""
    reason = reason.strip()
    order = _lock(order, version)
    deny_unless(policy.may_handle(scope, order))
    if not reason:
        raise ValidationError({"reason": _("请填写退回理由（例如应由哪个单位负责）")})
    _fire(order, "reject")
    order.last_reason = reason[:300]
    _save(order, ["last_reason", "returns"])
    _log("rejected", actor, order, reason=order.last_reason)
    return order


@transaction.atomic
def submit_rectification(*, actor: User, scope: Scope, order: RectificationOrder, note: str,
                         photos: Sequence[Any], version: int | None = None,
                         now: dt.datetime | None = None) -> RectificationOrder:
    """整改: what was done, with after-photos; goes to 复核."""
    now = _now(now)
    note = note.strip()
    order = _lock(order, version)
    deny_unless(policy.may_handle(scope, order))
    if order.state not in (State.ACCEPTED, State.REWORK):
        raise ValidationError(illegal_message(order, "submit"), code="illegal_transition")
    if not note:
        raise ValidationError({"note": _("请填写整改情况")})
    stored = store_photos(photos, user=actor, field="photos")
    attempt = order.reworks + 1
    _fire(order, "submit")
    order.rectify_note, order.rectified_at, order.rectified_by = note, now, actor
    _save(order, ["rectify_note", "rectified_at", "rectified_by"])
    for index, file in enumerate(stored):
        RectificationPhoto.objects.get_or_create(order=order, file=file, attempt=attempt,
                                                 defaults={"order_no": index})
    _log("submitted", actor, order, note=note, attempt=attempt,
         photos=[f.sha256 for f in stored],
         on_time=bool(order.deadline and now <= order.deadline))
    return order


@transaction.atomic
def verify_rectification(*, actor: User, scope: Scope, order: RectificationOrder, passed: bool,
                         note: str = "", version: int | None = None,
                         now: dt.datetime | None = None) -> RectificationOrder:
    """复核: by someone other than the rectifier; 销号, or 返工 with the reason."""
    now = _now(now)
    note = note.strip()
    order = _lock(order, version)
    deny_unless(policy.may_supervise(scope, order))
    name = "close" if passed else "send_back"
    if order.state != State.SUBMITTED:
        raise ValidationError(illegal_message(order, name), code="illegal_transition")
    if actor is not None and order.rectified_by_id == actor.pk:
        raise ValidationError(_("复核须由整改人以外的人员进行：您提交了这次整改，请由其他督查人员复核"),
                              code="same_person")
    if not passed and not note:
        raise ValidationError({"note": _("请写明复核不通过的原因和需要返工的内容")})
    _fire(order, name)
    order.verified_at, order.verified_by = now, actor
    fields = ["verified_at", "verified_by"]
    if passed:
        order.closed_at = now
        order.on_time = bool(order.rectified_at and order.deadline
                             and order.rectified_at <= order.deadline)
        fields += ["closed_at", "on_time"]
    else:
        order.last_reason = note[:300]
        fields += ["last_reason", "reworks"]
    _save(order, fields)
    _log("closed" if passed else "sent_back", actor, order, note=note,
         on_time=order.on_time if passed else None)
    _notify_order(order)
    return order


@transaction.atomic
def cancel_order(*, actor: User, scope: Scope, order: RectificationOrder, reason: str,
                 version: int | None = None) -> RectificationOrder:
    """撤销: a finding recorded by mistake (duplicate, not a problem)."""
    reason = reason.strip()
    order = _lock(order, version)
    deny_unless(policy.may_supervise(scope, order))
    if not reason:
        raise ValidationError({"reason": _("请填写撤销理由")})
    _fire(order, "cancel")
    order.last_reason = reason[:300]
    _save(order, ["last_reason"])
    _log("cancelled", actor, order, reason=order.last_reason)
    _notify_order(order)
    return order


@transaction.atomic
def reopen_order(*, actor: User | None, scope: Scope, order: RectificationOrder, note: str,
                 photos: Sequence[Any] = (), report: Any = None,
                 deadline: dt.datetime | None = None, version: int | None = None,
                 now: dt.datetime | None = None) -> Recurrence:
    """复发: the problem is back after 销号; the order goes back to its unit."""
    now = _now(now)
    note = note.strip()
    order = _lock(order, version)
    deny_unless(policy.may_supervise(scope, order))
    if not note:
        raise ValidationError({"note": _("请描述复发情况")})
    stored = store_photos(photos, user=actor, required=False)
    deadline = deadline or default_deadline(order, now)
    _check_deadline(deadline, now)
    _fire(order, "reopen")
    order.deadline, order.dispatched_at, order.dispatched_by = deadline, now, actor
    order.closed_at = order.rectified_at = order.verified_at = None
    order.rectified_by = order.verified_by = None
    order.on_time, order.escalation_level = None, 0
    _save(order, ["reopenings", "deadline", "dispatched_at", "dispatched_by", "closed_at",
                  "rectified_at", "verified_at", "rectified_by", "verified_by", "on_time",
                  "escalation_level"])
    recurrence = Recurrence.objects.create(order=order, found_at=now, found_by=actor,
                                           note=note[:300], report=report)
    recurrence.photos.set(stored)
    _log("reopened", actor, order, note=note, deadline=deadline.isoformat(),
         photos=[f.sha256 for f in stored], report=getattr(report, "code", ""))
    notify(order.finding.unit_id, now, FINDING_ELEMENTS)
    _notify_order(order)
    return recurrence


# -- extensions ----------------------------------------------------------------------------

@transaction.atomic
def request_extension(*, actor: User, scope: Scope, order: RectificationOrder,
                      new_deadline: dt.datetime, reason: str, version: int | None = None,
                      now: dt.datetime | None = None) -> ExtensionRequest:
    """延期申请 by the responsible unit."""
    now = _now(now)
    reason = reason.strip()
    order = _lock(order, version)
    deny_unless(policy.may_handle(scope, order))
    if order.state not in RUNNING_STATES:
        raise ValidationError(_("整改单当前为「%(s)s」，不能申请延期") % {
            "s": order.get_state_display()})
    if not reason:
        raise ValidationError({"reason": _("请填写延期理由")})
    _check_deadline(new_deadline, now)
    if order.deadline and new_deadline <= order.deadline:
        raise ValidationError({"new_deadline": _("申请的期限应晚于现在的整改期限（%(d)s）") % {
            "d": timezone.localtime(order.deadline).strftime("%Y-%m-%d %H:%M")}})
    if order.extensions.filter(status=ExtensionRequest.Status.PENDING).exists():
        raise ValidationError(_("已有一份待审批的延期申请，请等待审批结果"))
    request = ExtensionRequest.objects.create(order=order, requested_by=actor,
                                              old_deadline=order.deadline or now,
                                              new_deadline=new_deadline, reason=reason[:300])
    _save(order, [])
    _log("extension_requested", actor, order, until=new_deadline.isoformat(), reason=reason)
    return request


@transaction.atomic
def decide_extension(*, actor: User, scope: Scope, request: ExtensionRequest, approve: bool,
                     note: str = "", now: dt.datetime | None = None) -> ExtensionRequest:
    """延期审批 by the supervising side; approval moves the deadline."""
    now = _now(now)
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    order = _lock(request.order, None)
    deny_unless(policy.may_supervise(scope, order))
    if request.status != ExtensionRequest.Status.PENDING:
        raise ValidationError(_("这份延期申请已经审批过了（%(s)s）") % {
            "s": request.get_status_display()})
    if approve:
        if order.state not in RUNNING_STATES:
            raise ValidationError(_("整改单当前为「%(s)s」，延期已无必要") % {
                "s": order.get_state_display()})
        _check_deadline(request.new_deadline, now)
    elif not note.strip():
        raise ValidationError({"note": _("不同意延期时请写明理由")})
    request.status = (ExtensionRequest.Status.APPROVED if approve
                      else ExtensionRequest.Status.REFUSED)
    request.decided_by, request.decided_at, request.decision_note = actor, now, note.strip()[:300]
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    fields: list[str] = []
    if approve:
        order.deadline = request.new_deadline
        order.escalation_level = 0
        fields = ["deadline", "escalation_level"]
    _save(order, fields)
    _log("extension_approved" if approve else "extension_refused", actor, order,
         until=request.new_deadline.isoformat(), note=note)
    if approve:
        notify(order.assignee_unit_id, request.old_deadline, ORDER_ELEMENTS)
        _notify_order(order)
    return request


# -- escalation ----------------------------------------------------------------------------

def _leaders_from(unit: Unit) -> tuple[Unit | None, list[User]]:
    """The nearest unit at or above ``unit`` with a leader (第一责任人), and its leaders."""
    ids = [*unit.ancestor_ids(), unit.pk]
    rows = (Membership.objects.filter(unit_id__in=ids, role=Role.LEADER, user__is_active=True)
            .select_related("user", "unit"))
    by_unit: dict[int, list[User]] = {}
    units: dict[int, Unit] = {}
    for m in rows:
        by_unit.setdefault(m.unit_id, []).append(m.user)
        units[m.unit_id] = m.unit
    for uid in reversed(ids):
        if uid in by_unit:
            return units[uid], by_unit[uid]
    return None, []


def escalation_chain(unit: Unit, level: int) -> list[tuple[Unit, list[User]]]:
    """Level 1: the 第一责任人 of the responsible unit; level 2 adds the level above."""
    chain: list[tuple[Unit, list[User]]] = []
    first_unit, leaders = _leaders_from(unit)
    if first_unit is None:
        return chain
    chain.append((first_unit, leaders))
    if level >= 2 and first_unit.parent_id is not None:
        above_unit, above = _leaders_from(first_unit.parent)  # type: ignore[arg-type]
        if above_unit is not None:
            chain.append((above_unit, above))
    return chain


@transaction.atomic
def escalate_overdue(*, scope: Scope, now: dt.datetime | None = None) -> list[Escalation]:
    """督办: every open order past its deadline is escalated once per local day, to the
    第一责任人 and, after a few days, the level above — until it is closed.

    Safe to run as often as cron likes: a second run on the same day changes nothing.
    """
    now = _now(now)
    today = local_day(now)
    done: list[Escalation] = []
    overdue = (scope.filter(RectificationOrder.objects.select_for_update(of=("self",)),
                            field_name="assignee_unit__path")
               .filter(state__in=RUNNING_STATES, deadline__lte=now)
               .exclude(escalations__day=today)
               .select_related("assignee_unit", "finding", "finding__unit"))
    for order in overdue:
        if order.deadline is None or order.assignee_unit is None:
            continue  # a running order always has both; skip rather than fail the batch
        overdue_days = (today - local_day(order.deadline)).days + 1
        level = 2 if overdue_days >= ESCALATE_UP_AFTER_DAYS else 1
        chain = escalation_chain(order.assignee_unit, level)
        escalation = Escalation.objects.create(order=order, day=today, level=level,
                                               overdue_days=overdue_days,
                                               units=[u.name for u, _ in chain])
        escalation.recipients.set({user for _u, users in chain for user in users})
        order.escalation_level = level
        order.save(update_fields=["escalation_level"])
        log_action(action="inspections.order.escalated", actor=None, obj=order,
                   unit=order.assignee_unit,
                   data={"state": order.state, "level": level, "overdue_days": overdue_days,
                         "units": escalation.units,
                         "recipients": [u.display_name for _u, us in chain for u in us]})
        done.append(escalation)
    return done
