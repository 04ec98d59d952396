"""Exports of case data (导出): asked with a reason, approved by a supervisor who is not the
asker, made once as an AES-256 zip (pyzipper) whose password is shown once, watermarked
with the exporter's name and time, and gone 7 days after approval. Each case exported
leaves an ``export`` row in the case access log with the reason."""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets

import pyzipper
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangjian.audit.log import log_action
from chuangjian.cases import actions, selectors
from chuangjian.cases.models import AccessKind, CaseExport, ExportState
from chuangjian.lib.personal import mask_id_number
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Cap, Scope

EXPORT_DAYS = 7


@transaction.atomic
def request_export(*, actor: User, scope: Scope, unit: Unit, reason: str) -> CaseExport:
    if not scope.allows(unit, Cap.VIEW_CASES):
        raise ValidationError({"unit": _("无权导出「%(u)s」的帮教数据。") % {"u": unit.name}})
    if not reason.strip():
        raise ValidationError({"reason": _("导出前请填写事由。")})
    export = CaseExport.objects.create(unit=unit, requested_by=actor, reason=reason.strip()[:200])
    log_action(action="cases.export.requested", actor=actor, obj=export, unit=unit)
    return export


def _locked(export: CaseExport) -> CaseExport:
    return CaseExport.objects.select_for_update().select_related("unit").get(pk=export.pk)


@transaction.atomic
def decide_export(*, actor: User, scope: Scope, export: CaseExport, approve: bool,
                  now: dt.datetime) -> CaseExport:
    export = _locked(export)
    if not scope.allows(export.unit, Cap.SUPERVISE_CASES):
        raise ValidationError(_("只有帮教督导可以审批导出。"))
    if export.requested_by_id == actor.pk:
        raise ValidationError(_("不能审批自己的导出申请。"))
    if export.state != ExportState.REQUESTED:
        raise ValidationError(_("这项导出申请已经%(s)s。") % {"s": export.get_state_display()})
    export.state = ExportState.APPROVED if approve else ExportState.REJECTED
    export.decided_by = actor
    export.decided_at = now
    export.expires_at = now + dt.timedelta(days=EXPORT_DAYS) if approve else None
    export.save(update_fields=["state", "decided_by", "decided_at", "expires_at"])
    log_action(action="cases.export." + ("approved" if approve else "rejected"), actor=actor,
               obj=export, unit=export.unit)
    return export


@transaction.atomic
def make_export(*, actor: User, scope: Scope, export: CaseExport, now: dt.datetime
                ) -> tuple[CaseExport, str]:
    """Build the archive once and return it with its password (shown once, never stored)."""
    export = _locked(export)
    if export.requested_by_id != actor.pk:
        raise ValidationError(_("只有申请人可以生成导出文件。"))
    if export.state != ExportState.APPROVED:
        raise ValidationError(_("导出须先经帮教督导批准。") if export.state == ExportState.REQUESTED
                              else _("这项导出申请已经%(s)s。") % {"s": export.get_state_display()})
    if export.expires_at is None or export.expires_at <= now:
        raise ValidationError(_("批准已过期，请重新申请。"))
    today = timezone.localdate(now)
    cases = list(selectors.visible_cases(scope=scope, today=today)
                 .filter(unit__path__startswith=export.unit.path))
    stamp = timezone.localtime(now).strftime("%Y-%m-%d %H:%M")
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([_("导出人：%(who)s；导出时间：%(at)s；事由：%(why)s；敏感个人信息，仅限工作使用")
                     % {"who": actor.display_name, "at": stamp, "why": export.reason}])
    writer.writerow([_("姓名"), _("公民身份号码"), _("帮教类型"), _("决定书起始日期"),
                     _("决定书截止日期"), _("风险等级"), _("管理单位"), _("责任社工"),
                     _("包帮领导"), _("结案日期"), _("结案原因")])
    for case in cases:
        person = case.person
        writer.writerow([person.name if person else "", mask_id_number(
            person.id_number if person else ""), case.get_kind_display(),
            case.order_start.isoformat(), case.order_end.isoformat(), case.get_risk_display(),
            case.unit.name, case.caseworker.display_name,
            case.leader.display_name if case.leader else "",
            case.closed_on.isoformat() if case.closed_on else "", case.get_close_reason_display()])
        actions.record_access(scope=scope, user=actor, case=case, kind=AccessKind.EXPORT,
                              reason=export.reason)
    password = secrets.token_urlsafe(12)
    buffer = io.BytesIO()
    with pyzipper.AESZipFile(buffer, "w", compression=pyzipper.ZIP_DEFLATED,
                             encryption=pyzipper.WZ_AES) as archive:
        archive.setpassword(password.encode())
        # UTF-8 with a BOM, so that Excel opens the Chinese columns correctly.
        archive.writestr(f"帮教对象_{export.unit.code}_{stamp[:10]}.csv",
                         ("\ufeff" + text.getvalue()).encode("utf-8"))
    export.archive = buffer.getvalue()
    export.state = ExportState.MADE
    export.made_at = now
    export.save(update_fields=["archive", "state", "made_at"])
    log_action(action="cases.export.made", actor=actor, obj=export, unit=export.unit,
               data={"cases": len(cases)})
    return export, password


def export_file(*, scope: Scope, export: CaseExport, now: dt.datetime) -> bytes:
    """The archive, for its exporter only, until it expires."""
    if (scope.user_id != export.requested_by_id or export.state != ExportState.MADE
            or not export.archive or export.expires_at is None or export.expires_at <= now):
        raise Http404
    return bytes(export.archive)


def exports_for(*, scope: Scope) -> list[CaseExport]:
    """The reader's own requests and those waiting for the reader's approval."""
    from django.db.models import Q

    if scope.user_id is None:
        return []
    return list(CaseExport.objects.filter(
        Q(requested_by_id=scope.user_id)
        | (scope.q(Cap.SUPERVISE_CASES, field_name="unit__path")
           & Q(state=ExportState.REQUESTED))).select_related("unit", "requested_by",
                                                            "decided_by")[:100])


def export_for(*, scope: Scope, pk: int) -> CaseExport:
    for export in exports_for(scope=scope):
        if export.pk == pk:
            return export
    raise Http404


@transaction.atomic
def purge_expired(*, scope: Scope, now: dt.datetime) -> int:
    """Wipe the archives of expired exports (run with the retention job)."""
    if not scope.is_global:
        raise PermissionError("purging runs from the command line only")
    return CaseExport.objects.filter(expires_at__lte=now, archive__isnull=False).update(
        archive=None)
