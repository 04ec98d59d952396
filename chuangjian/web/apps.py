from __future__ import annotations

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class WebConfig(AppConfig):
    name = "chuangjian.web"
    label = "web"

    def ready(self) -> None:
        # Each app with work for people declares its inbox provider in `<app>/inbox.py`.
        autodiscover_modules("inbox")
