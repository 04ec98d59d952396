from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "chuangjian.inspections"
    label = "inspections"
    verbose_name = _("督查整改")

    def ready(self) -> None:
        # Registers who may open inspection photos (files.access); registration only.
        from chuangjian.inspections import access  # noqa: F401
