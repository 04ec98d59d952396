"""``chuangjian purge_files``: delete uploads nothing uses any more (run it from cron daily)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chuangjian.files.actions import MIN_AGE, purge_unused_files
from chuangjian.org.scope import Scope


class Command(BaseCommand):
    help = "删除没有任何记录使用的上传文件（如表单出错后未再提交的照片），可由 cron 每天运行"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=MIN_AGE.days,
                            help=f"只删除上传超过这么多天的文件（默认 {MIN_AGE.days}，不少于 {MIN_AGE.days}）")

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        try:
            deleted = purge_unused_files(scope=Scope.system(), older_than=dt.timedelta(days=days))
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(f"已删除 {deleted} 个没有使用的上传文件。")
