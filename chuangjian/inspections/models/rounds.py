"""Inspection plans, rounds, supervision groups (督导组), checklists and sampled points."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RoundKind(models.TextChoices):
    DAILY = "daily", _("日常巡查")
    WEEKLY = "weekly", _("每周督查")
    COVERT = "covert", _("明察暗访")
    SURPRISE = "surprise", _("突击督查")


class SupervisionGroup(models.Model):
    """A 督导组: led by one person, covering part of the tree (分片负责)."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("组建单位"), on_delete=models.PROTECT,
                             related_name="supervision_groups")
    name = models.CharField(_("名称"), max_length=60)
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("组长"), null=True,
                               blank=True, on_delete=models.SET_NULL, related_name="+")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("组员"),
                                     blank=True, related_name="supervision_groups")
    areas = models.ManyToManyField("org.Unit", verbose_name=_("负责片区"), related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("督导组")
        verbose_name_plural = _("督导组")
        ordering = ["unit__path", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"],
                                               name="inspections_group_unique")]

    def __str__(self) -> str:
        return self.name


class Round(models.Model):
    """One inspection round (轮次): who organises it, where, when, and how points were drawn."""

    class Status(models.TextChoices):
        ONGOING = "ongoing", _("进行中")
        FINISHED = "finished", _("已结束")
        PUBLISHED = "published", _("已通报")

    unit = models.ForeignKey("org.Unit", verbose_name=_("组织单位"), on_delete=models.PROTECT,
                             related_name="inspection_rounds")
    scope_unit = models.ForeignKey("org.Unit", verbose_name=_("检查范围"), on_delete=models.PROTECT,
                                   related_name="+")
    kind = models.CharField(_("类型"), max_length=10, choices=RoundKind.choices)
    title = models.CharField(_("名称"), max_length=100)
    standard = models.ForeignKey("standards.StandardVersion", verbose_name=_("依据标准"),
                                 null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.ONGOING)
    # 明察暗访: hidden from the inspected units until the results are published.
    covert = models.BooleanField(_("暗访"), default=False)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    groups = models.ManyToManyField(SupervisionGroup, verbose_name=_("督导组"), blank=True,
                                    related_name="rounds")
    # The sampling as drawn: {"seed": ..., "quotas": {type: n}, "drawn": {type: n}}.
    sampling = models.JSONField(_("抽样"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("督查轮次")
        verbose_name_plural = _("督查轮次")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_hidden(self) -> bool:
        return self.covert and self.published_at is None


class ChecklistItem(models.Model):
    """One line of a round's checklist, from the standard's 实地考察 indicators or its
    problem taxonomy."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="checklist")
    order = models.PositiveIntegerField()
    indicator = models.ForeignKey("standards.Indicator", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey("standards.ProblemCategory", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    text = models.CharField(_("检查内容"), max_length=300)

    class Meta:
        ordering = ["round", "order"]

    def __str__(self) -> str:
        return self.text


class RoundPoint(models.Model):
    """A point drawn into a round, the group that covers it, and the visit (督查记录)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="points")
    point = models.ForeignKey("inspections.Point", on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(SupervisionGroup, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    order = models.PositiveIntegerField()
    visited_at = models.DateTimeField(_("检查时间"), null=True, blank=True)
    visited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    # {checklist item id: "pass" | "fail" | "na"}
    results = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["round", "order"]
        constraints = [models.UniqueConstraint(fields=["round", "point"],
                                               name="inspections_round_point_unique")]

    def __str__(self) -> str:
        return f"{self.round} · {self.point}"
