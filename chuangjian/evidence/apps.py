from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "chuangjian.evidence"
    label = "evidence"
    verbose_name = _("活动与台账")
