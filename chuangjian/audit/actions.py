"""Writes of the audit log itself: only the retention purge (留存期限)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangjian.audit.log import log_action
from chuangjian.audit.models import AuditEntry
from chuangjian.org.scope import Scope

# 网络安全法 §21 and 等保 2.0 ask for security logs kept at least six months.
MINIMUM_RETENTION_DAYS = 180


@transaction.atomic
def purge_expired_entries(*, scope: Scope, keep_days: int | None = None) -> int:
    """Delete audit entries older than ``keep_days`` (never fewer than 180 days).

    Only the command-line system scope may purge; the purge records itself.
    """
    if not (scope.is_global and scope.user_id is None):
        raise PermissionDenied
    days = settings.AUDIT_RETENTION_DAYS if keep_days is None else keep_days
    if days < MINIMUM_RETENTION_DAYS:
        raise ValidationError({"keep_days": _("操作日志至少保留 %(n)d 天，不能设为 %(days)d 天。") % {
            "n": MINIMUM_RETENTION_DAYS, "days": days}})
    cutoff = timezone.now() - dt.timedelta(days=days)
    deleted, _by_model = AuditEntry.objects.filter(created_at__lt=cutoff).delete()
    log_action(action="audit.purged", actor=None,
               data={"before": cutoff.isoformat(), "deleted": deleted, "keep_days": days})
    return deleted
