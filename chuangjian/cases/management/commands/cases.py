from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from chuangjian.cases.actions import anonymise_closed
from chuangjian.cases.exports import purge_expired
from chuangjian.org.scope import Scope


class Command(BaseCommand):
    help = "帮教对象名册：anonymise 将结案满 N 年的案件匿名化（供 cron 每日运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{anonymise}")
        anon = sub.add_parser("anonymise", help="匿名化结案满 N 年的案件，保留统计数字")
        anon.add_argument("--years", type=int, default=None,
                          help=f"保留年限（默认取设置 CASES_RETENTION_YEARS，"
                               f"当前为 {settings.CASES_RETENTION_YEARS}）")

    def handle(self, *args: Any, **options: Any) -> None:
        years = options.get("years")
        if years is not None and not 1 <= years <= 100:
            raise CommandError("--years 应在 1 至 100 之间")
        now = timezone.now()
        n = anonymise_closed(scope=Scope.system(), now=now, years=years)
        wiped = purge_expired(scope=Scope.system(), now=now)
        self.stdout.write(f"已匿名化 {n} 件结案案件，清除过期导出文件 {wiped} 个。")
