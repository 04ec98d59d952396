"""One audit log for the whole product (操作日志).

Written by ``log_action`` inside the same transaction as the change it records,
so a change and its record stand or fall together. The unit's path is copied onto
the entry so that scoped browsing is one prefix query, even after the unit moves.
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    action = models.CharField(_("操作"), max_length=80, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    unit_path = models.CharField(max_length=255, blank=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    data = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("操作日志")
        verbose_name_plural = _("操作日志")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["unit_path"], name="audit_unit_path_like",
                         opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"
