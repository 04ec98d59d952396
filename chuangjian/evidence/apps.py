from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "chuangjian.evidence"
    label = "evidence"
    verbose_name = _("活动与台账")

    def ready(self) -> None:
        # Registration only: who may open activity files (files.access), the ledger job.
        from chuangjian.evidence import access, jobs  # noqa: F401
