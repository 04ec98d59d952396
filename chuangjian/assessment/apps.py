from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "chuangjian.assessment"
    label = "assessment"
    verbose_name = _("考核评估")
