"""The notification centre (消息中心) and the log of digests sent through each channel.

A notification is a line in the product for one person (a task given to them, an overdue
task escalated to them, a task waiting for their verification), read or unread. The
digest (每日提醒) goes out through the channels the deployment configures (e-mail, the
group robots of 企业微信 and 钉钉) at most once a day per person and channel; every
attempt is recorded, so a webhook that failed is seen and a second run the same day
retries only what failed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications")
    at = models.DateTimeField(_("时间"), db_index=True)
    kind = models.CharField(max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    body = models.CharField(_("内容"), max_length=500, blank=True)
    url = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notify_user_unread")]

    def __str__(self) -> str:
        return self.title


class Channel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")


class Delivery(models.Model):
    """One person's digest of one day through one channel: sent, or failed and why."""

    class Status(models.TextChoices):
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    day = models.DateField(_("日期"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    items = models.PositiveIntegerField(_("事项数"), default=0)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("提醒发送记录")
        verbose_name_plural = _("提醒发送记录")
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "channel", "day"],
                                               name="notify_one_digest_a_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.channel} {self.day} {self.status}"
