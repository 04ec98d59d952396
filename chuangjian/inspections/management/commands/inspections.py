"""``chuangjian inspections``: escalate overdue rectification orders (for cron or a queue)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from chuangjian.engine.periods import SHANGHAI
from chuangjian.inspections.actions.rectification import escalate_overdue
from chuangjian.org.scope import Scope


class Command(BaseCommand):
    help = "督查整改：escalate 逾期整改单督办（每天可运行多次，同一天只督办一次）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        esc = sub.add_parser("escalate", help="逾期未整改的整改单逐级督办（第一责任人，逾期多日再报上一级）")
        esc.add_argument("--now", help="按此时刻（北京时间，YYYY-MM-DDTHH:MM）计算，供补跑或测试")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options.get("now"):
            try:
                now = dt.datetime.fromisoformat(options["now"]).replace(tzinfo=SHANGHAI)
            except ValueError:
                raise CommandError("--now 应为 2026-03-16T09:00 这样的北京时间") from None
        done = escalate_overdue(scope=Scope.system(), now=now)
        for e in done:
            who = "、".join(e.units) or "（未找到第一责任人）"
            self.stdout.write(f"  {e.order.number} 逾期 {e.overdue_days} 天 → 第{e.level}级督办：{who}")
        self.stdout.write(f"督办 {len(done)} 件（{timezone.localtime(now, SHANGHAI):%Y-%m-%d %H:%M}）")
