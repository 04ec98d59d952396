from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistersConfig(AppConfig):
    name = "chuangjian.registers"
    label = "registers"
    verbose_name = _("名册")
