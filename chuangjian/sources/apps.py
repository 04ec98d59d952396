from __future__ import annotations

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class SourcesConfig(AppConfig):
    name = "chuangjian.sources"
    label = "sources"
    verbose_name = _("数据来源")

    def ready(self) -> None:
        from chuangjian.lib import lookups

        # ``unit_id__ids_in=…``: the sources are asked for a whole city's units at once.
        lookups.register()
        # Each app that computes data elements declares its sources in `<app>/sources.py`.
        autodiscover_modules("sources")
