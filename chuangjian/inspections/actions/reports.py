"""随手拍: a resident's report, its triage into a finding or a reasoned rejection, and the
reporter's "has it been fixed?" answer."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangjian.audit.log import log_action
from chuangjian.files.storing import discarded_on_error
from chuangjian.inspections import policy
from chuangjian.inspections.actions.common import coordinates, store_photos
from chuangjian.inspections.actions.findings import create_finding
from chuangjian.inspections.actions.rectification import reopen_order
from chuangjian.inspections.models import (
    CitizenReport,
    Finding,
    FindingSource,
    FollowUp,
    ReportPhoto,
    ReportStatus,
    State,
)
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Cap, Scope
from chuangjian.standards.models import ProblemCategory

MOBILE = re.compile(r"^1\d{10}$")
# Public uploads are smaller than staff ones: a phone photo is well under this.
PUBLIC_MAX_BYTES = 10 * 1024 * 1024
MAX_PUBLIC_PHOTOS = 3
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud over the phone


def new_code() -> str:
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{body[:4]}-{body[4:]}"


def client_hash(address: str) -> str:
    """The client address, hashed with the secret key: enough to see a flood, not to
    identify a resident."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()


def submit_report(*, category: ProblemCategory | None, description: str, address: str,
                  latitude: Any = None, longitude: Any = None, unit: Unit | None = None,
                  phone: str = "", photos: Sequence[Any] = (), client: str = "",
                  idempotency_key: str | None = None) -> tuple[CitizenReport, bool]:
    """File a 随手拍 report (no account). Returns (report, created)."""
    key = (idempotency_key or "").strip()[:64] or None
    if key is not None:
        existing = CitizenReport.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing, False
    try:
        with discarded_on_error(), transaction.atomic():
            report = _submit(category=category, description=description, address=address,
                             latitude=latitude, longitude=longitude, unit=unit, phone=phone,
                             photos=photos, client=client, key=key)
    except IntegrityError:
        existing = CitizenReport.objects.filter(idempotency_key=key).first() if key else None
        if existing is None:
            raise
        return existing, False
    return report, True


def _submit(*, category: ProblemCategory | None, description: str, address: str,
            latitude: Any, longitude: Any, unit: Unit | None, phone: str,
            photos: Sequence[Any], client: str, key: str | None) -> CitizenReport:
    errors: dict[str, str] = {}
    description, address, phone = description.strip(), address.strip(), phone.strip()
    if category is None:
        errors["category"] = _("请选择问题类型")
    if not description:
        errors["description"] = _("请简单描述问题")
    elif len(description) > 500:
        errors["description"] = _("问题描述不能超过500字")
    if not address:
        errors["address"] = _("请填写问题所在位置，或点击“获取当前位置”")
    elif len(address) > 200:
        errors["address"] = _("位置不能超过200字")
    if phone and not MOBILE.match(phone):
        errors["phone"] = _("手机号应为11位数字，可以不填")
    lat = lng = None
    try:
        lat, lng = coordinates(latitude, longitude)
    except ValidationError as error:
        errors.update({k: "；".join(v) for k, v in error.message_dict.items()})
    stored = []
    if len(photos) > MAX_PUBLIC_PHOTOS:
        errors["photos"] = _("照片最多 %(n)d 张") % {"n": MAX_PUBLIC_PHOTOS}
    else:
        # Checked together with the fields, so the resident sees every problem at once;
        # the transaction drops any photo stored here if something else is wrong.
        try:
            stored = store_photos(photos, user=None, max_bytes=PUBLIC_MAX_BYTES)
        except ValidationError as error:
            errors.update({k: "；".join(v) for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    report = CitizenReport(category=category, description=description, address=address,
                           latitude=lat, longitude=lng, unit=unit, phone=phone,
                           client_hash=client_hash(client) if client else "",
                           idempotency_key=key)
    for _attempt in range(5):
        report.code = new_code()
        if not CitizenReport.objects.filter(code=report.code).exists():
            break
    report.full_clean(exclude=["idempotency_key"])
    report.save()
    ReportPhoto.objects.bulk_create([ReportPhoto(report=report, file=f, order=i)
                                     for i, f in enumerate(stored)])
    log_action(action="inspections.report.submitted", actor=None, obj=report, unit=unit,
               data={"code": report.code, "category": category.name if category else "",
                     "photos": [f.sha256 for f in stored]})
    return report


def _may_triage(scope: Scope, report: CitizenReport) -> bool:
    if report.unit is not None:
        return scope.allows(report.unit, Cap.INSPECT)
    return scope.allows_any(Cap.INSPECT)


@transaction.atomic
def accept_report(*, actor: User, scope: Scope, report: CitizenReport, unit: Unit,
                  severity: str, category: ProblemCategory | None = None,
                  description: str = "", deduction: Any = None, dispatch: bool = True,
                  now: dt.datetime | None = None) -> Finding:
    """立案: the report becomes a finding with its photos and place."""
    report = CitizenReport.objects.select_for_update().get(pk=report.pk)
    if not _may_triage(scope, report):
        raise PermissionDenied
    if report.status != ReportStatus.RECEIVED:
        raise ValidationError(_("这条随手拍已处理过了（%(s)s）") % {"s": report.get_status_display()})
    finding, _created = create_finding(
        actor=actor, scope=scope, unit=unit, description=description or report.description,
        severity=severity, category=category or report.category, deduction=deduction,
        address=report.address, latitude=report.latitude, longitude=report.longitude,
        photos=list(report.photos.all()), source=FindingSource.REPORT, dispatch=dispatch,
        idempotency_key=f"report-{report.pk}", now=now)
    report.status, report.finding = ReportStatus.ACCEPTED, finding
    report.triaged_by, report.triaged_at = actor, now or timezone.now()
    report.save(update_fields=["status", "finding", "triaged_by", "triaged_at"])
    log_action(action="inspections.report.accepted", actor=actor, obj=report, unit=unit,
               data={"code": report.code, "finding": finding.number})
    return finding


@transaction.atomic
def reject_report(*, actor: User, scope: Scope, report: CitizenReport, reason: str,
                  now: dt.datetime | None = None) -> CitizenReport:
    """不予立案, with the reason the reporter reads on the status page."""
    report = CitizenReport.objects.select_for_update().get(pk=report.pk)
    if not _may_triage(scope, report):
        raise PermissionDenied
    reason = reason.strip()
    if report.status != ReportStatus.RECEIVED:
        raise ValidationError(_("这条随手拍已处理过了（%(s)s）") % {"s": report.get_status_display()})
    if not reason:
        raise ValidationError({"reason": _("请填写不予立案的理由，群众查询时可以看到")})
    report.status, report.reject_reason = ReportStatus.REJECTED, reason[:300]
    report.triaged_by, report.triaged_at = actor, now or timezone.now()
    report.save(update_fields=["status", "reject_reason", "triaged_by", "triaged_at"])
    log_action(action="inspections.report.rejected", actor=actor, obj=report, unit=report.unit,
               data={"code": report.code, "reason": report.reject_reason})
    return report


@transaction.atomic
def answer_follow_up(*, report: CitizenReport, fixed: bool, note: str = "",
                     now: dt.datetime | None = None) -> CitizenReport:
    """The reporter says whether the problem is really fixed (after 销号)."""
    report = CitizenReport.objects.select_for_update(of=("self",)).select_related(
        "finding__order").get(pk=report.pk)
    order = getattr(report.finding, "order", None) if report.finding else None
    if order is None or order.state != State.CLOSED:
        raise ValidationError(_("问题办结后才能反馈是否解决"))
    if report.follow_up and report.follow_up_at and order.closed_at and \
            report.follow_up_at >= order.closed_at:
        raise ValidationError(_("您已经反馈过了，谢谢"))
    report.follow_up = FollowUp.FIXED if fixed else FollowUp.NOT_FIXED
    report.follow_up_note = note.strip()[:300]
    report.follow_up_at = now or timezone.now()
    report.needs_review = not fixed
    report.save(update_fields=["follow_up", "follow_up_note", "follow_up_at", "needs_review"])
    log_action(action="inspections.report.followed_up", actor=None, obj=report,
               unit=report.finding.unit if report.finding else None,
               data={"code": report.code, "fixed": fixed, "note": report.follow_up_note})
    return report


@transaction.atomic
def review_follow_up(*, actor: User, scope: Scope, report: CitizenReport, reopen: bool,
                     note: str, now: dt.datetime | None = None) -> CitizenReport:
    """An inspector looks at a "not fixed" answer: reopen the order, or keep it closed."""
    report = CitizenReport.objects.select_for_update(of=("self",)).select_related(
        "finding__order", "finding__unit").get(pk=report.pk)
    if report.finding is None or not report.needs_review:
        raise ValidationError(_("这条反馈不需要处理"))
    order = report.finding.order
    if not policy.may_supervise(scope, order):
        raise PermissionDenied
    if reopen:
        reopen_order(actor=actor, scope=scope, order=order,
                     note=note or _("群众反馈问题未解决：%(n)s") % {"n": report.follow_up_note},
                     report=report, now=now)
    elif not note.strip():
        raise ValidationError({"note": _("请说明为何维持销号")})
    report.needs_review = False
    report.save(update_fields=["needs_review"])
    log_action(action="inspections.report.follow_up_reviewed", actor=actor, obj=report,
               unit=report.finding.unit, data={"reopen": reopen, "note": note})
    return report
