"""Activities (活动台账): every event recorded once, with its photos and documents.

An activity is the record a clerk would otherwise re-type for each campaign's
ledger: a 文体活动, a 道德讲堂 session, a 6·26 publicity day, a 例会 with its
minutes. Its type says which data elements it counts toward (篇1: 小型文体活动一年
不少于4次 is counted from the activities of type 文体活动), so the type table is
data that administrators extend, not code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from chuangjian.files.models import StoredFile


class ActivityType(models.Model):
    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    is_meeting = models.BooleanField(_("会议类"), default=False,
                                     help_text=_("会议类活动记录纪要、出席人员和决定事项"))
    # Data element codes this type counts toward (活动台账统计), e.g. cultural_sports_activities.
    elements = models.JSONField(_("计入的数据元素"), default=list, blank=True)
    # Words that tie the type to a standard's required evidence (佐证材料), e.g. 例会 → 例会记录.
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    order = models.PositiveIntegerField(_("排序"), default=100)
    builtin = models.BooleanField(_("内置"), default=False)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("活动类型")
        verbose_name_plural = _("活动类型")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT,
                             related_name="activities")
    type = models.ForeignKey(ActivityType, verbose_name=_("活动类型"), on_delete=models.PROTECT,
                             related_name="activities")
    title = models.CharField(_("活动名称"), max_length=200)
    date = models.DateField(_("活动日期"))
    place = models.CharField(_("地点"), max_length=200)
    organiser = models.CharField(_("组织者"), max_length=100)
    participants_count = models.PositiveIntegerField(_("参加人数"))
    participants = models.TextField(_("参加人员"), blank=True,
                                    help_text=_("需要时列出参加的单位或人员"))
    description = models.TextField(_("活动内容"), blank=True)
    # Meetings (例会、专题会、现场会) only.
    minutes = models.TextField(_("会议纪要"), blank=True)
    attendance = models.TextField(_("出席人员"), blank=True)
    decisions = models.TextField(_("决定事项"), blank=True)
    files: models.ManyToManyField[StoredFile, ActivityFile] = models.ManyToManyField(
        "files.StoredFile", through="ActivityFile",
                                   related_name="activities", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["unit", "date"], name="evidence_activity_unit_date"),
                   models.Index(fields=["type", "date"], name="evidence_activity_type_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"


class ActivityFile(models.Model):
    """A photo or document of an activity; the same stored file is linked once."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attachments")
    file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveIntegerField(default=0)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["activity", "file"],
                                               name="evidence_activity_file_once")]

    def __str__(self) -> str:
        return f"{self.activity_id}:{self.file_id}"
