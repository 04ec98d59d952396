"""Findings (问题): what an inspector or a resident found, with place, photos and severity."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chuangjian.files.models import StoredFile


class Severity(models.TextChoices):
    """Severity tiers (问题等级); the values are the standards' ``Severity`` names."""

    SIMPLE = "简易", _("简易")
    ORDINARY = "一般", _("一般")
    SERIOUS = "突出", _("突出")
    MAJOR = "重大", _("重大")


# Days to rectify when the category gives none, and the default deduction per tier.
TIER_DEADLINE_DAYS = {Severity.SIMPLE: 2, Severity.ORDINARY: 5, Severity.SERIOUS: 7,
                      Severity.MAJOR: 15}
TIER_DEDUCTION = {Severity.SIMPLE: Decimal("0.5"), Severity.ORDINARY: Decimal("1"),
                  Severity.SERIOUS: Decimal("2"), Severity.MAJOR: Decimal("5")}


class FindingSource(models.TextChoices):
    INSPECTION = "inspection", _("督查发现")
    REPORT = "report", _("群众随手拍")


class Finding(models.Model):
    round = models.ForeignKey("inspections.Round", verbose_name=_("督查轮次"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="findings")
    round_point = models.ForeignKey("inspections.RoundPoint", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="findings")
    point = models.ForeignKey("inspections.Point", verbose_name=_("点位"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="findings")
    unit = models.ForeignKey("org.Unit", verbose_name=_("属地单位"), on_delete=models.PROTECT,
                             related_name="findings")
    category = models.ForeignKey("standards.ProblemCategory", verbose_name=_("问题类别"),
                                 null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    checklist_item = models.ForeignKey("inspections.ChecklistItem", verbose_name=_("检查项"),
                                       null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    description = models.TextField(_("问题描述"))
    severity = models.CharField(_("问题等级"), max_length=4, choices=Severity.choices,
                                default=Severity.ORDINARY)
    deduction = models.DecimalField(_("扣分"), max_digits=5, decimal_places=1,
                                    default=Decimal("0"))
    address = models.CharField(_("位置"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True,
                                   blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True,
                                    blank=True)
    accuracy_m = models.PositiveIntegerField(_("定位精度（米）"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=12, choices=FindingSource.choices,
                              default=FindingSource.INSPECTION)
    # True while the finding belongs to an unpublished 明察暗访 round.
    hidden = models.BooleanField(default=False, db_index=True)
    found_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发现人"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="+")
    found_at = models.DateTimeField(_("发现时间"), db_index=True)
    # A key the form carries, so a double tap or a resubmitted form keeps one finding.
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    photos: models.ManyToManyField[StoredFile, FindingPhoto] = models.ManyToManyField(
        "files.StoredFile", through="FindingPhoto",
                                    related_name="+")

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题")
        ordering = ["-found_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.description[:30]}"

    @property
    def number(self) -> str:
        return f"WT{self.found_at:%Y}{self.pk or 0:06d}"

    @property
    def category_label(self) -> str:
        if self.category_id is not None:
            return self.category.name  # type: ignore[union-attr]
        if self.checklist_item_id is not None:
            return self.checklist_item.text  # type: ignore[union-attr]
        return str(_("其他问题"))


class FindingPhoto(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="photo_links")
    file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["finding", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["finding", "file"],
                                               name="inspections_finding_photo_unique")]

    def __str__(self) -> str:
        return f"{self.finding_id}/{self.file_id}"
