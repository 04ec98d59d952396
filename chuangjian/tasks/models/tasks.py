"""Tasks (任务): a piece of work with an owner unit, a 第一责任人 and a 直接责任人, a deadline
in working days, progress with evidence, and verification by the person who assigned it.

A task comes from a plan's target, an inspection finding, a meeting's decision or nothing
(自定). Sub-tasks go down the tree (street → 管区 → community) and their progress rolls up.
A recurring task (every quarter's 自查, every month's 例会) is a series of tasks created
together, one per occurrence, up to an end the rule must give. Overdue open tasks are
escalated once a day, as rectification orders are (篇10: 问责).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskState(models.TextChoices):
    OPEN = "open", _("进行中")
    DONE = "done", _("已完成待核验")
    VERIFIED = "verified", _("已核验")
    CANCELLED = "cancelled", _("已撤销")


OPEN_STATES = (TaskState.OPEN,)


class Origin(models.TextChoices):
    TARGET = "target", _("年度目标")
    FINDING = "finding", _("督查问题")
    DECISION = "decision", _("会议决定")
    FREE = "free", _("自定任务")


class Priority(models.IntegerChoices):
    HIGH = 1, _("紧急")
    NORMAL = 2, _("一般")
    LOW = 3, _("较低")


class Recurrence(models.TextChoices):
    NONE = "", _("不重复")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    YEARLY = "yearly", _("每年")


class Task(models.Model):
    title = models.CharField(_("任务"), max_length=200)
    description = models.TextField(_("要求"), blank=True)
    unit = models.ForeignKey("org.Unit", verbose_name=_("责任单位"), on_delete=models.PROTECT,
                             related_name="tasks")
    origin = models.CharField(_("来源"), max_length=10, choices=Origin.choices,
                              default=Origin.FREE)
    plan = models.ForeignKey("tasks.Plan", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="tasks")
    item = models.ForeignKey("tasks.PlanItem", verbose_name=_("计划目标"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="tasks")
    finding = models.ForeignKey("inspections.Finding", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="tasks")
    decision = models.ForeignKey("tasks.Decision", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="tasks")
    parent = models.ForeignKey("self", verbose_name=_("上级任务"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="children")
    series = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="occurrences")
    recurrence = models.CharField(_("重复"), max_length=10, choices=Recurrence.choices,
                                  blank=True, default=Recurrence.NONE)
    recurrence_until = models.DateField(_("重复截止"), null=True, blank=True)
    first_responsible = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("第一责任人"),
                                          null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="tasks_led")
    direct_responsible = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("直接责任人"),
                                           null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="tasks_owned")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("交办人"), null=True,
                                    blank=True, on_delete=models.SET_NULL,
                                    related_name="tasks_assigned")
    start = models.DateField(_("开始日期"))
    deadline = models.DateTimeField(_("完成期限"), db_index=True)
    working_days = models.PositiveSmallIntegerField(_("工作日"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(_("优先级"), choices=Priority.choices,
                                                default=Priority.NORMAL)
    state = models.CharField(_("状态"), max_length=10, choices=TaskState.choices,
                             default=TaskState.OPEN, db_index=True)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    last_reason = models.CharField(_("退回理由"), max_length=300, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("督办级别"), default=0)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["state", "deadline"], name="tasks_task_state_deadline")]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, now: dt.datetime) -> bool:
        return self.state in OPEN_STATES and now >= self.deadline

    @property
    def is_closed(self) -> bool:
        return self.state in (TaskState.VERIFIED, TaskState.CANCELLED)


class TaskUpdate(models.Model):
    """A progress report (进展) with its evidence: photos, documents, activity links."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("时间"))
    progress = models.PositiveSmallIntegerField(_("进度"))
    note = models.TextField(_("进展情况"), blank=True)
    files = models.ManyToManyField("files.StoredFile", blank=True, related_name="+")
    activity = models.ForeignKey("evidence.Activity", verbose_name=_("关联活动"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=12, default="progress")  # progress / done / verified / returned

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.progress}%"


class TaskEscalation(models.Model):
    """One day's 督办 of an overdue task: who was told (第一责任人, then the level above)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="escalations")
    day = models.DateField(_("督办日期"))
    level = models.PositiveSmallIntegerField(_("督办级别"))
    overdue_days = models.PositiveIntegerField(_("逾期天数"))
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="task_escalations")
    units = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "-id"]
        constraints = [models.UniqueConstraint(fields=["task", "day"],
                                               name="tasks_escalation_daily")]

    def __str__(self) -> str:
        return f"{self.task_id} {self.day} L{self.level}"
