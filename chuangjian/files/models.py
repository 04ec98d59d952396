"""Uploaded files stored once by content hash (the same photo is stored once).

An image keeps its original (private, never served to the public) and a
re-encoded copy with the orientation applied and every other EXIF tag removed
(GPS positions in phone photos must not leak), plus a thumbnail. Files go
through Django's storage, so the same code runs on a folder or on S3.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FileKind(models.TextChoices):
    IMAGE = "image", _("图片")
    DOCUMENT = "document", _("文档")


class StoredFile(models.Model):
    sha256 = models.CharField(max_length=64, unique=True)
    kind = models.CharField(_("类型"), max_length=8, choices=FileKind.choices)
    name = models.CharField(_("文件名"), max_length=200)
    mime = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    original = models.FileField(upload_to="files/original/%Y/%m/")
    display = models.FileField(upload_to="files/display/%Y/%m/", blank=True)
    thumb = models.FileField(upload_to="files/thumb/%Y/%m/", blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("文件")
        verbose_name_plural = _("文件")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.kind == FileKind.IMAGE

    def url(self, variant: str = "display") -> str:
        from django.urls import reverse

        return reverse("files:serve", args=[self.sha256, variant])
