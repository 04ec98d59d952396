from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from chuangjian.reporting.demo import build_history, build_reporting_demo


class Command(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        # Set here, not as the class's ``help``: argparse cannot wrap a lazy translation.
        parser.description = _("演示上报数据：近一个月的日报、近一年的月报/季报/年报（可重复运行）")
        parser.add_argument("--today", help=_("以这一天为“今天”（YYYY-MM-DD，默认今天）"))

    def handle(self, *args: Any, **options: Any) -> None:
        today = dt.date.fromisoformat(options["today"]) if options.get("today") else None
        result = build_reporting_demo(today=today)
        self.stdout.write(_("演示上报：新上报 %(submitted)d 份（其中迟报 %(late)d 份），"
                            "有意未报 %(missing)d 份，已存在 %(skipped)d 份；信息报送 %(news)d 条")
                          % {"submitted": result.submitted, "late": result.late,
                             "missing": result.missing, "skipped": result.skipped,
                             "news": result.news})
        for note in result.notes[:20]:
            self.stdout.write(f"  {note}")
        history = build_history()
        self.stdout.write(_("历史数据：导入 %(years)s 年的年报、季报 %(n)d 份（%(values)d 个数值）")
                          % {"years": "2022–2025", "n": history.submissions,
                             "values": history.values})
