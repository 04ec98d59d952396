"""Residents' reports (随手拍): filed on the public page without an account, followed by
receipt code, triaged by inspectors into a finding or rejected with a reason."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chuangjian.files.models import StoredFile


class ReportStatus(models.TextChoices):
    RECEIVED = "received", _("已受理，待核实")
    ACCEPTED = "accepted", _("已立案")
    REJECTED = "rejected", _("不予立案")


class FollowUp(models.TextChoices):
    FIXED = "fixed", _("已解决")
    NOT_FIXED = "not_fixed", _("未解决")


class CitizenReport(models.Model):
    code = models.CharField(_("回执码"), max_length=16, unique=True)
    category = models.ForeignKey("standards.ProblemCategory", verbose_name=_("问题类别"),
                                 on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("问题描述"))
    address = models.CharField(_("位置"), max_length=200)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    # The community the resident picked, if any; triage decides the unit in the end.
    unit = models.ForeignKey("org.Unit", verbose_name=_("所在社区"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    photos: models.ManyToManyField[StoredFile, ReportPhoto] = models.ManyToManyField(
        "files.StoredFile", through="ReportPhoto", related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=ReportStatus.choices,
                              default=ReportStatus.RECEIVED, db_index=True)
    reject_reason = models.CharField(_("不予立案理由"), max_length=300, blank=True)
    finding = models.OneToOneField("inspections.Finding", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="report")
    triaged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    triaged_at = models.DateTimeField(null=True, blank=True)
    follow_up = models.CharField(_("群众反馈"), max_length=10, choices=FollowUp.choices,
                                 blank=True)
    follow_up_note = models.CharField(_("反馈说明"), max_length=300, blank=True)
    follow_up_at = models.DateTimeField(null=True, blank=True)
    # Set when the reporter says it is not fixed; cleared when an inspector has looked.
    needs_review = models.BooleanField(default=False, db_index=True)
    client_hash = models.CharField(max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("随手拍")
        verbose_name_plural = _("随手拍")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.code

    @property
    def masked_phone(self) -> str:
        p = self.phone
        return p[:3] + "****" + p[-4:] if len(p) >= 11 else ("****" if p else "")


class ReportPhoto(models.Model):
    report = models.ForeignKey(CitizenReport, on_delete=models.CASCADE, related_name="photo_links")
    file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["report", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "file"],
                                               name="inspections_report_photo_unique")]

    def __str__(self) -> str:
        return f"{self.report_id}/{self.file_id}"
