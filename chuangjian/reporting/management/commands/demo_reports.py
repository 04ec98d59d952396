from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chuangjian.reporting.demo import build_reporting_demo


class Command(BaseCommand):
    help = "演示上报数据：近一个月的日报、近一年的月报/季报/年报（可重复运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="以这一天为“今天”（YYYY-MM-DD，默认今天）")

    def handle(self, *args: Any, **options: Any) -> None:
        today = dt.date.fromisoformat(options["today"]) if options.get("today") else None
        result = build_reporting_demo(today=today)
        self.stdout.write(f"演示上报：新上报 {result.submitted} 份（其中迟报 {result.late} 份），"
                          f"有意未报 {result.missing} 份，已存在 {result.skipped} 份；"
                          f"信息报送 {result.news} 条")
        for note in result.notes[:20]:
            self.stdout.write(f"  {note}")
