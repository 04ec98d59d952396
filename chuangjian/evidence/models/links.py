"""Evidence links (佐证): a record proves an indicator for a unit and a period.

One record can prove several indicators of several campaigns (enter once): a
link is a row per (unit, standard, indicator, period, required item, record).
The record is an activity or a stand-alone document of this app, or any other
model of the product (a report submission, a rectification order, an inspection
finding) through a generic relation with a label and a link saved beside it, so
the ledger can list it without knowing the other app. See
docs/decisions/0009-evidence-links.md.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EvidenceDocument(models.Model):
    """A document or photo that proves something on its own (e.g. 消防部门出具的火灾情况说明)."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT,
                             related_name="evidence_documents")
    title = models.CharField(_("材料名称"), max_length=200)
    date = models.DateField(_("日期"))
    file = models.ForeignKey("files.StoredFile", verbose_name=_("文件"), on_delete=models.PROTECT,
                             related_name="evidence_documents")
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.title


class EvidenceLink(models.Model):
    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT,
                             related_name="evidence_links")
    standard_code = models.CharField(_("创建标准"), max_length=64)
    indicator_code = models.CharField(_("测评标准"), max_length=64)
    period = models.CharField(_("年度"), max_length=16)
    # One of the indicator's required evidence texts (佐证材料), or "" for other evidence.
    requirement = models.CharField(_("佐证要求"), max_length=200, blank=True)
    activity = models.ForeignKey("evidence.Activity", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="links")
    document = models.ForeignKey(EvidenceDocument, null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="links")
    content_type = models.ForeignKey(ContentType, null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=40, blank=True)
    record = GenericForeignKey("content_type", "object_id")
    # Saved when linked so the checklist and the ledger list the record without its app.
    label = models.CharField(_("名称"), max_length=300)
    url = models.CharField(max_length=300, blank=True)
    record_date = models.DateField(_("日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("佐证关联")
        verbose_name_plural = _("佐证关联")
        ordering = ["record_date", "id"]
        indexes = [models.Index(fields=["unit", "standard_code", "period"],
                                name="evidence_link_unit_std")]
        constraints = [
            models.CheckConstraint(
                name="evidence_link_one_record",
                condition=(Q(activity__isnull=False, document__isnull=True,
                             content_type__isnull=True)
                           | Q(activity__isnull=True, document__isnull=False,
                               content_type__isnull=True)
                           | Q(activity__isnull=True, document__isnull=True,
                               content_type__isnull=False))),
            models.UniqueConstraint(
                fields=["unit", "standard_code", "indicator_code", "period", "requirement",
                        "activity"], condition=Q(activity__isnull=False),
                name="evidence_link_activity_once"),
            models.UniqueConstraint(
                fields=["unit", "standard_code", "indicator_code", "period", "requirement",
                        "document"], condition=Q(document__isnull=False),
                name="evidence_link_document_once"),
            models.UniqueConstraint(
                fields=["unit", "standard_code", "indicator_code", "period", "requirement",
                        "content_type", "object_id"], condition=Q(content_type__isnull=False),
                name="evidence_link_record_once"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_code} ← {self.label}"

    @property
    def kind(self) -> str:
        if self.activity_id:
            return "activity"
        if self.document_id:
            return "document"
        return "record"


class EvidenceWindow(models.Model):
    """Which dates of records count as evidence for a standard's year (佐证时间范围).

    By default the twelve months that end with the assessment year (1 January to
    31 December); a standard assessed in November can end its window earlier.
    """

    standard_code = models.CharField(_("创建标准"), max_length=64, unique=True)
    months = models.PositiveSmallIntegerField(_("月数"), default=12)
    end_month = models.PositiveSmallIntegerField(_("截止月份"), default=12)
    end_day = models.PositiveSmallIntegerField(_("截止日"), default=31)

    class Meta:
        verbose_name = _("佐证时间范围")
        verbose_name_plural = _("佐证时间范围")
        ordering = ["standard_code"]

    def __str__(self) -> str:
        return self.standard_code

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors: dict[str, str] = {}
        if not 1 <= self.months <= 36:
            errors["months"] = str(_("月数应在 1 到 36 之间"))
        if not 1 <= self.end_month <= 12:
            errors["end_month"] = str(_("截止月份应在 1 到 12 之间"))
        if not 1 <= self.end_day <= 31:
            errors["end_day"] = str(_("截止日应在 1 到 31 之间"))
        if errors:
            raise ValidationError(errors)

    def bounds(self, year: int) -> tuple[dt.date, dt.date]:
        return window_bounds(year, self.months, self.end_month, self.end_day)


def window_bounds(year: int, months: int = 12, end_month: int = 12, end_day: int = 31
                  ) -> tuple[dt.date, dt.date]:
    """The inclusive date range of ``months`` months ending on end_month/end_day of ``year``."""
    import calendar

    last = min(end_day, calendar.monthrange(year, end_month)[1])
    end = dt.date(year, end_month, last)
    # The window starts the day after the same date ``months`` months earlier.
    total = year * 12 + (end_month - 1) - months
    start_year, start_month = divmod(total, 12)
    start_month += 1
    start_last = calendar.monthrange(start_year, start_month)[1]
    before = dt.date(start_year, start_month, min(last, start_last))
    if last == calendar.monthrange(year, end_month)[1]:
        before = dt.date(start_year, start_month, start_last)
    return before + dt.timedelta(days=1), end
