"""Questionnaires (问卷) and their versions, surveys with sampling quotas, links, responses.

A ``Questionnaire`` is the form as people know it (禁毒知识问卷); each change after
responses began makes a new ``FormVersion``, and every response keeps the version it
answered. A ``Survey`` (调查) runs one questionnaire over a unit's subtree in a year;
its ``Quota`` rows are the sampling plan (抽样方案): per place and respondent group, the
group's size and the respondents wanted. Only approved responses count.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chuangjian.org.models import Unit


class Group(models.TextChoices):
    """Respondent groups (调查对象类别) of the plans (篇2: 城镇、农村、外来务工人员 …)."""

    URBAN = "urban", _("城镇居民")
    RURAL = "rural", _("农村居民")
    MIGRANTS = "migrants", _("外来务工人员")
    VENUE_STAFF = "venue_staff", _("娱乐场所业主及从业人员")
    STUDENTS = "students", _("中小学生")
    RESIDENTS = "residents", _("居民")


class Measure(models.TextChoices):
    KNOWLEDGE = "knowledge", _("知晓率")
    SATISFACTION = "satisfaction", _("满意度")


class Questionnaire(models.Model):
    code = models.CharField(_("问卷编码"), max_length=64, unique=True)
    title = models.CharField(_("问卷名称"), max_length=200)
    measure = models.CharField(_("测量"), max_length=16, choices=Measure.choices, blank=True)
    builtin = models.BooleanField(_("内置"), default=False)
    # Targets per respondent group in percent (篇2: 城镇100%、农村80% …).
    targets = models.JSONField(_("各类人群目标"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("问卷")
        verbose_name_plural = _("问卷")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title

    def published(self) -> FormVersion | None:
        return self.versions.filter(state=FormVersion.State.PUBLISHED).order_by("-number").first()


class FormVersion(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        RETIRED = "retired", _("已停用")

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE,
                                      related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    label = models.CharField(_("版本标识"), max_length=64, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices,
                             default=State.DRAFT)
    definition = models.JSONField(_("问卷定义"))
    source_file = models.ForeignKey("files.StoredFile", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("问卷版本")
        verbose_name_plural = _("问卷版本")
        constraints = [models.UniqueConstraint(fields=["questionnaire", "number"],
                                               name="surveys_version_unique")]
        ordering = ["questionnaire", "-number"]

    def __str__(self) -> str:
        return f"{self.questionnaire.title} 第{self.number}版"

    @property
    def question_count(self) -> int:
        return sum(1 for q in self.definition.get("questions", [])
                   if q["type"] not in ("note", "calculate"))


class Survey(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("收集中")
        CLOSED = "closed", _("已结束")

    code = models.CharField(_("调查编码"), max_length=64, unique=True)
    title = models.CharField(_("调查名称"), max_length=200)
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT,
                                      related_name="surveys")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("调查范围"))
    year = models.PositiveSmallIntegerField(_("年度"))
    margin = models.FloatField(_("允许误差"), default=0.1)
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("调查")
        verbose_name_plural = _("调查")
        ordering = ["-year", "code"]

    def __str__(self) -> str:
        return self.title


class Quota(models.Model):
    """The sampling plan of one place and respondent group (抽样配额)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="quotas")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    group = models.CharField(_("调查对象"), max_length=16, choices=Group.choices)
    population = models.PositiveIntegerField(_("人群规模"), null=True, blank=True)
    target_n = models.PositiveIntegerField(_("应调查人数"))

    class Meta:
        verbose_name = _("抽样配额")
        verbose_name_plural = _("抽样配额")
        constraints = [models.UniqueConstraint(fields=["survey", "unit", "group"],
                                               name="surveys_quota_unique")]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.get_group_display()}"

    @property
    def weight(self) -> float:
        """The group's weight in the unit's combined rate: its size, else its quota."""
        return float(self.population or self.target_n or 0)


class Link(models.Model):
    """A public link (and QR code) to answer without a login, per place and group, or
    for one respondent (``single_use``)."""

    token = models.CharField(max_length=32, unique=True)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="links")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    group = models.CharField(_("调查对象"), max_length=16, choices=Group.choices)
    single_use = models.BooleanField(_("仅限一人填写"), default=False)
    used_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("问卷链接")
        verbose_name_plural = _("问卷链接")

    def __str__(self) -> str:
        return f"{self.survey.title} · {self.unit.name}"


class Flag(models.TextChoices):
    DUPLICATE = "duplicate", _("疑似重复")
    TOO_FAST = "too_fast", _("答题过快")
    STRAIGHT = "straight_lined", _("答案雷同（一路同选）")


class Response(models.Model):
    class State(models.TextChoices):
        RECEIVED = "received", _("已接收")
        ISSUES = "issues", _("有疑问")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("已作废")

    uuid = models.UUIDField(unique=True)
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="responses")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    group = models.CharField(_("调查对象"), max_length=16, choices=Group.choices)
    answers = models.JSONField(default=dict)
    # Paradata (过程数据): what the device said, and what the server saw.
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField()
    seconds = models.FloatField(null=True, blank=True)
    page_seconds = models.JSONField(default=list, blank=True)
    enumerator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    link = models.ForeignKey(Link, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="responses")
    client = models.CharField(max_length=64, blank=True)  # a keyed hash, never the address
    state = models.CharField(_("审核状态"), max_length=10, choices=State.choices,
                             default=State.RECEIVED)
    reason = models.CharField(_("审核意见"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    flags = models.JSONField(default=list, blank=True)
    correct = models.PositiveSmallIntegerField(default=0)
    positive = models.BooleanField(default=False)  # aware (知晓) or satisfied (满意)
    fingerprint = models.CharField(max_length=64, db_index=True)

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["survey", "state", "unit", "group"],
                                name="surveys_resp_count")]

    def __str__(self) -> str:
        return f"{self.survey.title} {self.uuid}"

    def flag_labels(self) -> list[Any]:
        names = dict(Flag.choices)
        return [names.get(f, f) for f in self.flags]
