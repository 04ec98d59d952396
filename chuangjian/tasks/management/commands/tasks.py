"""``chuangjian tasks list [--unit CODE] [--overdue]`` and ``chuangjian tasks escalate``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from chuangjian.engine.periods import SHANGHAI
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.tasks.actions import escalate_overdue_tasks
from chuangjian.tasks.selectors import tasks_list


def _now(text: str | None) -> dt.datetime:
    if not text:
        return timezone.now()
    try:
        return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)
    except ValueError:
        raise CommandError("--now 应为 2026-03-16T09:00 这样的北京时间") from None


class Command(BaseCommand):
    help = "计划与任务：列出任务；逾期任务逐级督办（每天可运行多次，同一天只督办一次）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="列出任务（期限先后）")
        listing.add_argument("--unit", help="只列此单位及其下级的任务（单位编码）")
        listing.add_argument("--overdue", action="store_true", help="只列已逾期未完成的任务")
        listing.add_argument("--now", help="按此时刻（北京时间）判断逾期")
        esc = sub.add_parser("escalate", help="逾期未完成的任务督办第一责任人，逾期多日再报上一级")
        esc.add_argument("--now", help="按此时刻（北京时间，YYYY-MM-DDTHH:MM）计算，供补跑或测试")

    def handle(self, *args: Any, **options: Any) -> None:
        now = _now(options.get("now"))
        scope = Scope.system()
        if options["action"] == "escalate":
            done = escalate_overdue_tasks(scope=scope, now=now)
            for e in done:
                who = "、".join(e.units) or "（未找到第一责任人）"
                self.stdout.write(f"  {e.task.title}（{e.task.unit.name}）逾期 {e.overdue_days} 天 → "
                                  f"第{e.level}级督办：{who}")
            self.stdout.write(f"督办 {len(done)} 件（{timezone.localtime(now, SHANGHAI):%Y-%m-%d %H:%M}）")
            return
        unit = None
        if options.get("unit"):
            unit = Unit.objects.filter(code=options["unit"][:32]).first()
            if unit is None:
                raise CommandError(f"没有编码为「{options['unit']}」的单位")
        rows = tasks_list(scope=scope, unit=unit, overdue_at=now if options["overdue"] else None)
        count = 0
        for task in rows.iterator():
            count += 1
            late = "  逾期" if task.is_overdue(now) else ""
            who = task.direct_responsible.display_name if task.direct_responsible else "（未定）"
            self.stdout.write(f"{timezone.localtime(task.deadline, SHANGHAI):%Y-%m-%d %H:%M}  "
                              f"{task.get_state_display():<6}  {task.progress:>3}%  {task.unit.name}  "
                              f"{who}  {task.title}{late}")
        self.stdout.write(f"共 {count} 项")
