"""Every write of the case register: atomic, checked against the scope and the case's
own people (``access.py``), audited without a name or a note in the audit data.

When follow-up changes, the assessment is told which 帮教 elements of which unit are
stale (``chuangjian.sources.changed``) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangjian import sources as source_registry
from chuangjian.audit.log import log_action
from chuangjian.cases.access import Access, access_to
from chuangjian.cases.models import (
    DEFAULT_PLAN,
    AccessKind,
    Alert,
    AlertKind,
    Case,
    CaseAccess,
    CaseKind,
    CloseReason,
    EmploymentHelp,
    Referral,
    Relapse,
    Risk,
    TeamMember,
    TeamRole,
    Transfer,
    TransferState,
    UrineResult,
    UrineTest,
    Visit,
)
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Cap, Scope
from chuangjian.registers.models import Person, Placement

FOLLOW_UP_ELEMENTS = ("supervision_due", "supervision_implemented", "urine_tests_due",
                      "urine_tests_done", "detox_certified", "relapsed_drug_users",
                      "new_drug_users", "drug_users_with_leader")


def _changed(case: Case, day: dt.date) -> None:
    source_registry.changed(unit_id=case.unit_id, element_codes=FOLLOW_UP_ELEMENTS, day=day)


def _access(scope: Scope, case: Case, today: dt.date) -> Access:
    return access_to(case, scope=scope, today=today)


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ValidationError(message)


def _not_future(day: dt.date, today: dt.date, label: str) -> None:
    if day > today:
        raise ValidationError({label: _("%(label)s不能晚于今天（%(today)s）。")
                               % {"label": label, "today": today.isoformat()}})


@dataclass(frozen=True)
class MemberIn:
    role: str
    user: User | None = None
    name: str = ""


def _schedule_tests(case: Case, start: dt.date, end: dt.date) -> None:
    step = dt.timedelta(days=case.test_every_days)
    day = start + step
    rows = []
    while day <= end:
        rows.append(UrineTest(case=case, due_on=day))
        day += step
    UrineTest.objects.bulk_create(rows)


def _check_team(case: Case, members: Sequence[MemberIn]) -> list[TeamMember]:
    rows: list[TeamMember] = []
    seen: set[int] = set()
    for i, m in enumerate(members, start=1):
        if m.role not in TeamRole.values:
            raise ValidationError({"team": _("第%(n)d位小组成员的职责不在可选范围内。") % {"n": i}})
        if m.user is None and not m.name.strip():
            raise ValidationError({"team": _("第%(n)d位小组成员须选择用户或填写姓名。") % {"n": i}})
        if m.user is not None:
            if m.user.pk in seen:
                raise ValidationError({"team": _("「%(u)s」在小组中出现了两次。") % {
                    "u": m.user.display_name}})
            seen.add(m.user.pk)
            if not Scope.for_user(m.user).allows(case.unit, Cap.VIEW):
                raise ValidationError({"team": _("「%(u)s」不在「%(unit)s」任职，不能加入帮教小组。")
                                       % {"u": m.user.display_name, "unit": case.unit.name}})
        rows.append(TeamMember(case=case, role=m.role, user=m.user, name=m.name.strip()[:50]))
    return rows


@transaction.atomic
def open_case(*, actor: User | None, scope: Scope, person: Person, unit: Unit, kind: str,
              order_start: dt.date, order_end: dt.date, caseworker: User,
              risk: str = Risk.MEDIUM, leader: User | None = None,
              team: Sequence[MemberIn] = (), visit_every_days: int | None = None,
              test_every_days: int | None = None, today: dt.date) -> Case:
    """Open a case for a registered person of a unit where the scope works cases."""
    if not scope.allows(unit, Cap.VIEW_CASES):
        raise ValidationError({"unit": _("无权在「%(unit)s」登记帮教对象。") % {"unit": unit.name}})
    if not scope.allows(person.unit, Cap.VIEW_CASES):
        raise ValidationError({"person": _("这位居民不在您负责的范围内，不能为其立案。")})
    if kind not in CaseKind.values:
        raise ValidationError({"kind": _("帮教类型不在可选范围内。")})
    if risk not in Risk.values:
        raise ValidationError({"risk": _("风险等级不在可选范围内。")})
    if order_end < order_start:
        raise ValidationError({"order_end": _("决定书截止日期不能早于起始日期。")})
    if order_start > today:
        raise ValidationError({"order_start": _("决定书起始日期不能晚于今天。")})
    if not Scope.for_user(caseworker).allows(unit, Cap.VIEW_CASES):
        raise ValidationError({"caseworker": _("「%(u)s」不是「%(unit)s」的社工，不能担任责任社工。")
                               % {"u": caseworker.display_name, "unit": unit.name}})
    if leader is not None and not Scope.for_user(leader).allows(unit, Cap.VIEW):
        raise ValidationError({"leader": _("「%(u)s」不在「%(unit)s」任职，不能担任包帮领导。")
                               % {"u": leader.display_name, "unit": unit.name}})
    if Case.objects.filter(person=person, kind=kind, closed_on__isnull=True).exists():
        raise ValidationError({"kind": _("这位居民已有一件未结案的「%(kind)s」案件，不能重复立案。")
                               % {"kind": CaseKind(kind).label}})
    visits, tests = DEFAULT_PLAN[CaseKind(kind)]
    case = Case(person=person, unit=unit, registered_unit=unit, kind=kind,
                order_start=order_start, order_end=order_end, risk=risk,
                caseworker=caseworker, leader=leader,
                visit_every_days=visit_every_days or visits,
                test_every_days=test_every_days or tests, created_by=actor)
    if not 1 <= case.visit_every_days <= 365 or not 1 <= case.test_every_days <= 365:
        raise ValidationError({"test_every_days": _("谈心和尿检间隔应在1至365天之间。")})
    case.full_clean(exclude=["person", "unit", "registered_unit", "caseworker", "leader"])
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        raise ValidationError({"kind": _("这位居民已有一件未结案的「%(kind)s」案件，不能重复立案。")
                               % {"kind": CaseKind(kind).label}}) from None
    TeamMember.objects.bulk_create(_check_team(case, team))
    _schedule_tests(case, order_start, order_end)
    log_action(action="cases.case.opened", actor=actor, obj=case, unit=unit,
               data={"kind": kind})
    _changed(case, order_start)
    return case


@transaction.atomic
def set_team(*, actor: User | None, scope: Scope, case: Case, members: Sequence[MemberIn],
             leader: User | None, today: dt.date) -> None:
    """Replace the 五位一体 team and the 包帮领导."""
    _require(_access(scope, case, today).manage, _("只有责任社工或帮教督导可以调整帮教小组。"))
    if leader is not None and not Scope.for_user(leader).allows(case.unit, Cap.VIEW):
        raise ValidationError({"leader": _("「%(u)s」不在「%(unit)s」任职，不能担任包帮领导。")
                               % {"u": leader.display_name, "unit": case.unit.name}})
    rows = _check_team(case, members)
    case.team.all().delete()
    TeamMember.objects.bulk_create(rows)
    case.leader = leader
    case.version += 1
    case.save(update_fields=["leader", "version", "updated_at"])
    log_action(action="cases.case.team_set", actor=actor, obj=case, unit=case.unit,
               data={"members": len(rows), "leader": leader.pk if leader else None})
    _changed(case, today)


def _require_work(scope: Scope, case: Case, today: dt.date) -> None:
    _require(_access(scope, case, today).work, _("只有责任社工、帮教小组成员或帮教督导可以登记帮教记录。"))
    _require(case.is_open, _("案件已结案，不能再登记帮教记录。"))


@transaction.atomic
def record_visit(*, actor: User | None, scope: Scope, case: Case, date: dt.date,
                 place: str, notes: str, today: dt.date) -> Visit:
    _require_work(scope, case, today)
    _not_future(date, today, _("谈心日期"))
    if date < case.order_start:
        raise ValidationError({"date": _("谈心日期不能早于决定书起始日期。")})
    visit = Visit(case=case, date=date, place=place.strip()[:100], notes=notes.strip()[:4000],
                  recorded_by=actor)
    visit.full_clean(exclude=["case"])
    visit.save()
    log_action(action="cases.visit.recorded", actor=actor, obj=case, unit=case.unit,
               data={"visit": visit.pk})
    _changed(case, date)
    return visit


@transaction.atomic
def add_test(*, actor: User | None, scope: Scope, case: Case, due_on: dt.date,
             today: dt.date) -> UrineTest:
    """Schedule an extra test (临时抽检) besides those of the plan."""
    _require_work(scope, case, today)
    if due_on < case.order_start:
        raise ValidationError({"due_on": _("应检日期不能早于决定书起始日期。")})
    test = UrineTest.objects.create(case=case, due_on=due_on)
    log_action(action="cases.test.scheduled", actor=actor, obj=case, unit=case.unit,
               data={"test": test.pk})
    _changed(case, due_on)
    return test


def _alert(case: Case, kind: str, test: UrineTest | None) -> None:
    """An encrypted alert in the case inbox, and a line in the notification centre (消息中心)
    that names neither the person nor the result: the centre's digests leave the product
    by e-mail and group robots."""
    from django.urls import reverse

    from chuangjian.notify.actions import notify_users

    people = [case.caseworker, case.leader]
    Alert.objects.bulk_create([Alert(case=case, recipient=u, kind=kind, test=test)
                               for u in {p.pk: p for p in people if p is not None}.values()])
    notify_users(scope=Scope.system(), users=people, kind="cases.alert",
                 title=_("帮教提醒：案件 #%(n)d 有一次尿检需要跟进") % {"n": case.pk},
                 url=reverse("cases:inbox"))


@transaction.atomic
def record_test(*, actor: User | None, scope: Scope, test: UrineTest, result: str,
                tested_on: dt.date | None, note: str = "", today: dt.date) -> UrineTest:
    """Record a result. 阳性 records a relapse; 阳性 and 未到场 alert the 社工 and the leader."""
    test = UrineTest.objects.select_for_update().select_related("case__unit").get(pk=test.pk)
    case = test.case
    _require_work(scope, case, today)
    if test.recorded:
        raise ValidationError(_("这次尿检已登记过结果，不能重复登记。"))
    if result not in UrineResult.values:
        raise ValidationError({"result": _("检测结果须为阴性、阳性或未到场。")})
    if result != UrineResult.ABSENT:
        if tested_on is None:
            raise ValidationError({"tested_on": _("请填写检测日期。")})
        _not_future(tested_on, today, _("检测日期"))
        if tested_on < case.order_start:
            raise ValidationError({"tested_on": _("检测日期不能早于决定书起始日期。")})
    elif test.due_on > today:
        raise ValidationError({"result": _("应检日期还没到，不能登记为未到场。")})
    test.result = result
    test.tested_on = tested_on if result != UrineResult.ABSENT else None
    test.note = note.strip()[:1000]
    test.recorded = True
    test.recorded_by = actor
    test.save(update_fields=["result", "tested_on", "note", "recorded", "recorded_by"])
    if result == UrineResult.POSITIVE:
        assert tested_on is not None  # noqa: S101 - checked above
        Relapse.objects.create(case=case, found_on=tested_on, test=test, recorded_by=actor)
        _alert(case, AlertKind.POSITIVE, test)
    elif result == UrineResult.ABSENT:
        _alert(case, AlertKind.MISSED, test)
    log_action(action="cases.test.recorded", actor=actor, obj=case, unit=case.unit,
               data={"test": test.pk})
    _changed(case, test.due_on)
    return test


@transaction.atomic
def record_relapse(*, actor: User | None, scope: Scope, case: Case, found_on: dt.date,
                   note: str, today: dt.date) -> Relapse:
    _require_work(scope, case, today)
    _not_future(found_on, today, _("发现日期"))
    relapse = Relapse.objects.create(case=case, found_on=found_on, note=note.strip()[:2000],
                                     recorded_by=actor)
    log_action(action="cases.relapse.recorded", actor=actor, obj=case, unit=case.unit,
               data={"relapse": relapse.pk})
    _changed(case, found_on)
    return relapse


@transaction.atomic
def record_employment(*, actor: User | None, scope: Scope, case: Case, date: dt.date,
                      what: str, placement: Placement | None = None,
                      today: dt.date) -> EmploymentHelp:
    _require_work(scope, case, today)
    _not_future(date, today, _("日期"))
    if not what.strip():
        raise ValidationError({"what": _("请填写帮扶内容。")})
    if placement is not None and placement.person_id != case.person_id:
        raise ValidationError({"placement": _("所选的就业安置记录不是这位帮教对象的。")})
    row = EmploymentHelp.objects.create(case=case, date=date, what=what.strip()[:200],
                                        placement=placement, recorded_by=actor)
    log_action(action="cases.employment.recorded", actor=actor, obj=case, unit=case.unit,
               data={"placement": placement.pk if placement else None})
    return row


def _clean_since(case: Case) -> dt.date:
    """The day since which the case has no positive test and no relapse."""
    last = (Relapse.objects.filter(case=case).order_by("-found_on")
            .values_list("found_on", flat=True).first())
    return last + dt.timedelta(days=1) if last else case.order_start


def detox_ready_on(case: Case, *, scope: Scope) -> dt.date:
    """The first day 脱毒认定 is allowed: the rules' period without a positive test."""
    return _clean_since(case) + dt.timedelta(days=settings.CASES_DETOX_CLEAN_DAYS)


@transaction.atomic
def close_case(*, actor: User | None, scope: Scope, case: Case, reason: str, on: dt.date,
               note: str = "", today: dt.date) -> Case:
    case = Case.objects.select_for_update().select_related("unit").get(pk=case.pk)
    _require(_access(scope, case, today).manage, _("只有责任社工或帮教督导可以结案。"))
    _require(case.is_open, _("案件已经结案。"))
    if reason not in CloseReason.values:
        raise ValidationError({"reason": _("结案原因不在可选范围内。")})
    _not_future(on, today, _("结案日期"))
    if on < case.order_start:
        raise ValidationError({"on": _("结案日期不能早于决定书起始日期。")})
    if reason == CloseReason.DETOX_CERTIFIED and on < detox_ready_on(case, scope=scope):
        raise ValidationError({"reason": _(
            "脱毒认定须连续%(days)d天无阳性尿检、无复吸；这件案件最早可在%(day)s认定。")
            % {"days": settings.CASES_DETOX_CLEAN_DAYS,
               "day": detox_ready_on(case, scope=scope).isoformat()}})
    if reason == CloseReason.OTHER and not note.strip():
        raise ValidationError({"note": _("结案原因为“其他”时请写明情况。")})
    case.closed_on = on
    case.close_reason = reason
    case.close_note = note.strip()[:2000]
    case.version += 1
    case.save(update_fields=["closed_on", "close_reason", "close_note", "version",
                             "updated_at"])
    # Tests of the plan after the close are no longer due.
    UrineTest.objects.filter(case=case, recorded=False, due_on__gt=on).delete()
    Transfer.objects.filter(case=case, state=TransferState.REQUESTED).update(
        state=TransferState.REVOKED, decided_at=timezone.now())
    log_action(action="cases.case.closed", actor=actor, obj=case, unit=case.unit,
               data={"reason": reason})
    _changed(case, on)
    return case


# -- transfers (委托管理) ---------------------------------------------------------------------
@transaction.atomic
def request_transfer(*, actor: User | None, scope: Scope, case: Case, to_unit: Unit,
                     reason: str, today: dt.date) -> Transfer:
    _require(_access(scope, case, today).manage, _("只有责任社工或帮教督导可以委托管理。"))
    _require(case.is_open, _("案件已结案，不能委托管理。"))
    if to_unit.pk == case.unit_id:
        raise ValidationError({"to_unit": _("受托单位不能是本单位。")})
    if to_unit.is_closed:
        raise ValidationError({"to_unit": _("「%(u)s」已撤销。") % {"u": to_unit.name}})
    if not reason.strip():
        raise ValidationError({"reason": _("请填写委托理由（如人户分离、现住地）。")})
    if Transfer.objects.filter(case=case, state=TransferState.REQUESTED).exists():
        raise ValidationError(_("这件案件已有一项待接收的委托，请先撤回。"))
    transfer = Transfer.objects.create(case=case, from_unit=case.unit, to_unit=to_unit,
                                       reason=reason.strip()[:200], requested_by=actor)
    log_action(action="cases.transfer.requested", actor=actor, obj=case, unit=case.unit,
               data={"transfer": transfer.pk, "to_unit": to_unit.pk})
    return transfer


def _pending(transfer: Transfer) -> Transfer:
    locked = (Transfer.objects.select_for_update().select_related("case", "to_unit",
                                                                   "from_unit")
              .get(pk=transfer.pk))
    if locked.state != TransferState.REQUESTED:
        raise ValidationError(_("这项委托已经%(state)s，不能再处理。")
                              % {"state": locked.get_state_display()})
    return locked


@transaction.atomic
def accept_transfer(*, actor: User, scope: Scope, transfer: Transfer, caseworker: User,
                    today: dt.date) -> Transfer:
    """The unit of residence takes the case over: it moves there with a 社工 of theirs;
    the old unit's people leave the team and the leader is to be named anew."""
    transfer = _pending(transfer)
    _require(scope.allows(transfer.to_unit, Cap.VIEW_CASES),
             _("只有受托单位的社工可以接收委托。"))
    if not Scope.for_user(caseworker).allows(transfer.to_unit, Cap.VIEW_CASES):
        raise ValidationError({"caseworker": _("「%(u)s」不是「%(unit)s」的社工。")
                               % {"u": caseworker.display_name, "unit": transfer.to_unit.name}})
    case = Case.objects.select_for_update().get(pk=transfer.case_id)
    old_unit_id = case.unit_id
    case.unit = transfer.to_unit
    case.caseworker = caseworker
    case.leader = None
    case.version += 1
    case.save(update_fields=["unit", "caseworker", "leader", "version", "updated_at"])
    case.team.filter(user__isnull=False).delete()
    transfer.state = TransferState.ACCEPTED
    transfer.decided_by = actor
    transfer.decided_at = timezone.now()
    transfer.save(update_fields=["state", "decided_by", "decided_at"])
    log_action(action="cases.transfer.accepted", actor=actor, obj=case, unit=transfer.to_unit,
               data={"transfer": transfer.pk, "from_unit": old_unit_id})
    source_registry.changed(unit_id=old_unit_id, element_codes=FOLLOW_UP_ELEMENTS, day=today)
    _changed(case, today)
    return transfer


@transaction.atomic
def reject_transfer(*, actor: User, scope: Scope, transfer: Transfer, note: str,
                    today: dt.date) -> Transfer:
    transfer = _pending(transfer)
    _require(scope.allows(transfer.to_unit, Cap.VIEW_CASES),
             _("只有受托单位的社工可以拒收委托。"))
    if not note.strip():
        raise ValidationError({"note": _("请填写拒收理由。")})
    transfer.state = TransferState.REJECTED
    transfer.decided_by = actor
    transfer.decided_at = timezone.now()
    transfer.decision_note = note.strip()[:200]
    transfer.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    log_action(action="cases.transfer.rejected", actor=actor, obj=transfer.case,
               unit=transfer.from_unit, data={"transfer": transfer.pk})
    return transfer


@transaction.atomic
def revoke_transfer(*, actor: User, scope: Scope, transfer: Transfer,
                    today: dt.date) -> Transfer:
    transfer = _pending(transfer)
    _require(_access(scope, transfer.case, today).manage,
             _("只有委托单位的责任社工或帮教督导可以撤回委托。"))
    transfer.state = TransferState.REVOKED
    transfer.decided_by = actor
    transfer.decided_at = timezone.now()
    transfer.save(update_fields=["state", "decided_by", "decided_at"])
    log_action(action="cases.transfer.revoked", actor=actor, obj=transfer.case,
               unit=transfer.from_unit, data={"transfer": transfer.pk})
    return transfer


# -- referrals (转介) ----------------------------------------------------------------------
MAX_REFERRAL_DAYS = 180


@transaction.atomic
def refer(*, actor: User, scope: Scope, case: Case, recipient: User, body: str, service: str,
          expires_on: dt.date, today: dt.date) -> Referral:
    _require(_access(scope, case, today).manage, _("只有责任社工或帮教督导可以转介。"))
    _require(case.is_open, _("案件已结案，不能转介。"))
    if not body.strip() or not service.strip():
        raise ValidationError({"service": _("请填写接收机构和服务事项。")})
    if expires_on < today:
        raise ValidationError({"expires_on": _("有效期不能早于今天。")})
    if expires_on > today + dt.timedelta(days=MAX_REFERRAL_DAYS):
        raise ValidationError({"expires_on": _("转介有效期最长%(n)d天。") % {"n": MAX_REFERRAL_DAYS}})
    if recipient.pk == case.caseworker_id:
        raise ValidationError({"recipient": _("接收人不能是责任社工本人。")})
    referral = Referral.objects.create(case=case, recipient=recipient, body=body.strip()[:100],
                                       service=service.strip()[:100], expires_on=expires_on,
                                       created_by=actor)
    log_action(action="cases.referral.created", actor=actor, obj=case, unit=case.unit,
               data={"referral": referral.pk, "recipient": recipient.pk,
                     "expires_on": expires_on})
    return referral


@transaction.atomic
def revoke_referral(*, actor: User, scope: Scope, referral: Referral,
                    today: dt.date) -> Referral:
    referral = Referral.objects.select_for_update().select_related("case").get(pk=referral.pk)
    _require(_access(scope, referral.case, today).manage, _("只有责任社工或帮教督导可以撤回转介。"))
    if referral.revoked_at is not None:
        raise ValidationError(_("这项转介已经撤回。"))
    referral.revoked_at = timezone.now()
    referral.save(update_fields=["revoked_at"])
    log_action(action="cases.referral.revoked", actor=actor, obj=referral.case,
               unit=referral.case.unit, data={"referral": referral.pk})
    return referral


# -- alerts and the access log -------------------------------------------------------------
@transaction.atomic
def mark_alerts_read(*, scope: Scope, user: User, alert_ids: Iterable[int]) -> int:
    if scope.user_id != user.pk:
        return 0
    return Alert.objects.filter(recipient=user, pk__in=list(alert_ids),
                                read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def record_access(*, scope: Scope, user: User | None, case: Case | None, kind: str,
                  detail: str = "", reason: str = "") -> CaseAccess:
    """One row of the case access log: every read of a case leaves one."""
    if kind not in AccessKind.values:
        raise ValueError(kind)
    if kind == AccessKind.EXPORT and not reason.strip():
        raise ValidationError({"reason": _("导出前请填写事由。")})
    path = case.unit.path if case is not None else ""
    if case is None and scope.user_id is not None:
        prefixes = scope.prefixes(Cap.VIEW_CASES) or scope.prefixes(Cap.VIEW)
        path = prefixes[0] if prefixes else ""
    return CaseAccess.objects.create(user=user, case=case, unit_path=path, kind=kind,
                                     detail=detail[:200], reason=reason.strip()[:200])


# -- retention -----------------------------------------------------------------------------
@transaction.atomic
def anonymise_closed(*, scope: Scope, now: dt.datetime, years: int | None = None) -> int:
    """Cut every closed case older than the retention period from its person and wipe what
    was said, keeping the rows that the counts are made of (dates, kinds, results)."""
    if not scope.is_global or scope.user_id is not None:
        raise PermissionError("anonymising runs from the command line only")
    keep = settings.CASES_RETENTION_YEARS if years is None else years
    today = timezone.localdate(now)
    try:
        cutoff = today.replace(year=today.year - keep)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - keep, day=28)
    due = list(Case.objects.filter(closed_on__isnull=False, closed_on__lte=cutoff,
                                   anonymised_at__isnull=True).values_list("pk", flat=True))
    if not due:
        return 0
    Visit.objects.filter(case_id__in=due).update(place="", notes="")
    UrineTest.objects.filter(case_id__in=due).update(note="")
    Relapse.objects.filter(case_id__in=due).update(note="")
    EmploymentHelp.objects.filter(case_id__in=due).update(what="-", placement=None)
    TeamMember.objects.filter(case_id__in=due).delete()
    Referral.objects.filter(case_id__in=due).delete()
    Alert.objects.filter(case_id__in=due).delete()
    Case.objects.filter(pk__in=due).update(person=None, leader=None, close_note="",
                                           anonymised_at=now)
    log_action(action="cases.anonymised", actor=None, data={"cases": len(due),
                                                           "closed_before": cutoff})
    return len(due)
