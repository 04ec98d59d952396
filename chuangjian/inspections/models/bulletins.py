"""通报 (bulletins) and 问责 (accountability records linked to the problems behind them)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Bulletin(models.Model):
    class Kind(models.TextChoices):
        ROUND = "round", _("轮次通报")
        MONTH = "month", _("月度通报")

    unit = models.ForeignKey("org.Unit", verbose_name=_("发文单位"), on_delete=models.PROTECT,
                             related_name="+")
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    round = models.ForeignKey("inspections.Round", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="bulletins")
    month = models.CharField(_("月份"), max_length=7, blank=True)  # "2026-03"
    issuer = models.CharField(_("发文机关"), max_length=100)
    number = models.CharField(_("文号"), max_length=60)
    # The N of 〔year〕N号: numbered per issuing unit and year, unique so that two
    # bulletins issued at once can never take the same number.
    year = models.PositiveSmallIntegerField(default=0)
    seq = models.PositiveIntegerField(default=0)
    title = models.CharField(_("标题"), max_length=200)
    issued_on = models.DateField(_("成文日期"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-issued_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["unit", "year", "seq"],
                                               name="inspections_bulletin_number_unique")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Accountability(models.Model):
    """A 问责 decision against a unit (and its responsible person), for named problems."""

    class Measure(models.TextChoices):
        REMINDER = "reminder", _("约谈提醒")
        CRITICISM = "criticism", _("通报批评")
        ADMONITION = "admonition", _("诫勉谈话")
        SELF_EXAMINATION = "self_exam", _("责令书面检查")
        APPRAISAL = "appraisal", _("年度考核扣分")

    unit = models.ForeignKey("org.Unit", verbose_name=_("问责单位"), on_delete=models.PROTECT,
                             related_name="+")
    person = models.CharField(_("问责对象"), max_length=60)
    measure = models.CharField(_("问责方式"), max_length=12, choices=Measure.choices)
    reason = models.TextField(_("问责事由"))
    decided_on = models.DateField(_("决定日期"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    findings = models.ManyToManyField("inspections.Finding", verbose_name=_("相关问题"),
                                      related_name="accountabilities")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("问责记录")
        verbose_name_plural = _("问责记录")
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_measure_display()}"
