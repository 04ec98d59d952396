"""信息报送 (篇4): news and experience items a unit sends upward, adopted or not."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NewsItem(models.Model):
    class Kind(models.TextChoices):
        NEWS = "news", _("工作动态")
        EXPERIENCE = "experience", _("经验做法")

    class State(models.TextChoices):
        PENDING = "pending", _("待采用")
        ADOPTED = "adopted", _("已采用")
        NOT_ADOPTED = "not_adopted", _("未采用")

    unit = models.ForeignKey("org.Unit", verbose_name=_("报送单位"), on_delete=models.PROTECT,
                             related_name="news_items")
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices, default=Kind.NEWS)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("报送人"),
                                     null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("报送时间"))
    state = models.CharField(_("状态"), max_length=12, choices=State.choices,
                             default=State.PENDING)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.CharField(_("审核意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("信息报送")
        verbose_name_plural = _("信息报送")
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return self.title


class NewsAttachment(models.Model):
    """A file attached to a news item, stored once per content hash."""

    item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(max_length=200)
    name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
