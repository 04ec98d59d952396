from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "chuangjian.tasks"
    label = "tasks"
    verbose_name = _("计划与任务")

    def ready(self) -> None:
        # Registration only: who may open the files of progress updates (files.access).
        from chuangjian.tasks import access  # noqa: F401
