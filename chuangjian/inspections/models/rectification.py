"""The rectification order (整改单) and its state machine.

发现 → 立案 (the finding) → 派单 → 接单 (or 退回: wrong unit, re-dispatched) → 整改 with
after-photos → 复核 by someone other than the rectifier → 销号, or 返工 → … ; extensions
on approval; overdue orders escalate daily to the 第一责任人 and the level above; a
closed order reopens when the problem recurs.

Transitions are django-fsm methods that only change fields; the actions in
``inspections.actions.rectification`` lock the row, check who acts, call the
transition and write the audit entry. Two people acting on one order at once
cannot both win: the actions compare the version the person saw, and
``ConcurrentTransitionMixin`` refuses a save whose state changed underneath.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition


class State(models.TextChoices):
    PENDING = "pending", _("待派单")
    DISPATCHED = "dispatched", _("待接单")
    REJECTED = "rejected", _("已退回待改派")
    ACCEPTED = "accepted", _("整改中")
    SUBMITTED = "submitted", _("待复核")
    REWORK = "rework", _("复核未通过，返工中")
    CLOSED = "closed", _("已销号")
    CANCELLED = "cancelled", _("已撤销")


OPEN_STATES = (State.PENDING, State.DISPATCHED, State.REJECTED, State.ACCEPTED,
               State.SUBMITTED, State.REWORK)
# States in which the clock runs against the responsible unit.
RUNNING_STATES = (State.DISPATCHED, State.ACCEPTED, State.REWORK)


class RectificationOrder(ConcurrentTransitionMixin, models.Model):
    finding = models.OneToOneField("inspections.Finding", on_delete=models.PROTECT,
                                   related_name="order")
    state = FSMField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING,
                     protected=False, db_index=True)
    version = models.PositiveIntegerField(default=1)
    assignee_unit = models.ForeignKey("org.Unit", verbose_name=_("责任单位"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="+")
    assignee_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("责任人"),
                                      null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    deadline = models.DateTimeField(_("整改期限"), null=True, blank=True, db_index=True)
    first_deadline = models.DateTimeField(_("原定期限"), null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    accepted_at = models.DateTimeField(null=True, blank=True)
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    rectified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    rectify_note = models.TextField(_("整改情况"), blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True, db_index=True)
    # Whether the accepted rectification was handed in by the deadline then in force.
    on_time = models.BooleanField(null=True, blank=True)
    last_reason = models.CharField(_("退回理由"), max_length=300, blank=True)
    returns = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    reworks = models.PositiveSmallIntegerField(_("返工次数"), default=0)
    reopenings = models.PositiveSmallIntegerField(_("复发次数"), default=0)
    escalation_level = models.PositiveSmallIntegerField(_("督办级别"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("整改单")
        verbose_name_plural = _("整改单")
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"ZG{self.created_at:%Y}{self.pk or 0:06d}" if self.created_at else "ZG"

    def is_overdue(self, now: dt.datetime) -> bool:
        return (self.state in RUNNING_STATES and self.deadline is not None
                and now >= self.deadline)

    # -- transitions (field changes only; the actions do the rest) ------------------------

    @transition(field=state, source=[State.PENDING, State.REJECTED], target=State.DISPATCHED)
    def dispatch(self) -> None:
        pass

    @transition(field=state, source=State.DISPATCHED, target=State.ACCEPTED)
    def accept(self) -> None:
        pass

    @transition(field=state, source=State.DISPATCHED, target=State.REJECTED)
    def reject(self) -> None:
        self.returns += 1

    @transition(field=state, source=[State.ACCEPTED, State.REWORK], target=State.SUBMITTED)
    def submit(self) -> None:
        pass

    @transition(field=state, source=State.SUBMITTED, target=State.CLOSED)
    def close(self) -> None:
        pass

    @transition(field=state, source=State.SUBMITTED, target=State.REWORK)
    def send_back(self) -> None:
        self.reworks += 1

    @transition(field=state, source=State.CLOSED, target=State.DISPATCHED)
    def reopen(self) -> None:
        self.reopenings += 1

    @transition(field=state, source=[State.PENDING, State.DISPATCHED, State.REJECTED],
                target=State.CANCELLED)
    def cancel(self) -> None:
        pass


class RectificationPhoto(models.Model):
    """After-photos (整改后照片) of one hand-in; ``attempt`` counts the hand-ins."""

    order = models.ForeignKey(RectificationOrder, on_delete=models.CASCADE,
                              related_name="photo_links")
    file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    attempt = models.PositiveSmallIntegerField(default=1)
    order_no = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "attempt", "order_no", "id"]
        constraints = [models.UniqueConstraint(fields=["order", "file", "attempt"],
                                               name="inspections_rect_photo_unique")]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.attempt}/{self.file_id}"


class ExtensionRequest(models.Model):
    """A request for more time (延期申请), approved or refused by the supervising side."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已同意")
        REFUSED = "refused", _("未同意")

    order = models.ForeignKey(RectificationOrder, on_delete=models.CASCADE,
                              related_name="extensions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    old_deadline = models.DateTimeField()
    new_deadline = models.DateTimeField(_("申请延至"))
    reason = models.CharField(_("延期理由"), max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.order} → {self.new_deadline:%Y-%m-%d}"


class Escalation(models.Model):
    """One day's 督办 of an overdue order: who was told (第一责任人, then the level above)."""

    order = models.ForeignKey(RectificationOrder, on_delete=models.CASCADE,
                              related_name="escalations")
    day = models.DateField(_("督办日期"))
    level = models.PositiveSmallIntegerField(_("督办级别"))
    overdue_days = models.PositiveIntegerField(_("逾期天数"))
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="escalations")
    units = models.JSONField(default=list)  # names of the units whose leaders were told
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "-id"]
        constraints = [models.UniqueConstraint(fields=["order", "day"],
                                               name="inspections_escalation_daily")]

    def __str__(self) -> str:
        return f"{self.order} {self.day} L{self.level}"


class Recurrence(models.Model):
    """The problem came back after 销号 (复发): the order reopened, with what was seen."""

    order = models.ForeignKey(RectificationOrder, on_delete=models.CASCADE,
                              related_name="recurrences")
    found_at = models.DateTimeField(_("复发时间"))
    found_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("复发情况"), max_length=300)
    photos = models.ManyToManyField("files.StoredFile", blank=True, related_name="+")
    report = models.ForeignKey("inspections.CitizenReport", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-found_at", "-id"]

    def __str__(self) -> str:
        return f"{self.order} {self.found_at:%Y-%m-%d}"
