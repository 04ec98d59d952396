from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    name = "chuangjian.standards"
    label = "standards"
    verbose_name = _("创建标准")
