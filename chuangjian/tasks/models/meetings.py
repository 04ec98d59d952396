"""Meetings (例会、专题会): scheduled with an agenda, held with attendance and minutes, and
decisions that become tasks in one step.

A held meeting *is* an activity of the evidence app (types 例会 / 专题会): its minutes,
attendance and decisions are written once, on the activity, and the ledger finds them
there. The meeting row keeps what only exists before it is held (date, agenda, who is
invited) and its decisions as separate lines, each of which may become a task.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    # The values are the evidence app's built-in activity type codes.
    REGULAR = "regular_meeting", _("例会")
    SPECIAL = "special_meeting", _("专题会")


class Meeting(models.Model):
    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT,
                             related_name="meetings")
    plan = models.ForeignKey("tasks.Plan", verbose_name=_("工作计划"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="meetings")
    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("会议名称"), max_length=200)
    day = models.DateField(_("会议日期"))
    place = models.CharField(_("地点"), max_length=200)
    agenda = models.TextField(_("议程"))
    invitees = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("参会人员"),
                                      blank=True, related_name="+")
    activity = models.OneToOneField("evidence.Activity", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="meeting")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-day", "-id"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.title}"

    @property
    def held(self) -> bool:
        return self.activity_id is not None


class Decision(models.Model):
    """One decision (决定事项) of a held meeting; ``task`` once it was turned into one."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decision_rows")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("决定事项"), max_length=300)

    class Meta:
        ordering = ["meeting", "order", "id"]

    def __str__(self) -> str:
        return self.text
