from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "chuangjian.awards"
    label = "awards"
    verbose_name = _("评选与称号")

    def ready(self) -> None:
        # Registration only: the title-based elements (sources) and who may open the
        # photos of a nomination (files.access).
        from chuangjian.awards import access, sources  # noqa: F401
