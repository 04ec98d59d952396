"""``chuangjian sweep_jobs``: mark jobs whose worker died as failed (run it from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from chuangjian.jobs.actions import fail_stale_jobs
from chuangjian.org.scope import Scope


class Command(BaseCommand):
    help = "将后台进程已中断的任务标记为失败（可由 cron 每几分钟运行一次）"

    def handle(self, *args: Any, **options: Any) -> None:
        failed = fail_stale_jobs(actor=None, scope=Scope.system())
        self.stdout.write(f"已将 {failed} 个中断的后台任务标记为失败。")
