"""``chuangjian notify digest [--dry-run]``: each person's daily digest (for cron)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from chuangjian.engine.periods import SHANGHAI
from chuangjian.notify.channels import enabled_channels
from chuangjian.notify.digest import digest_for, recipients, send_digests
from chuangjian.org.models import User
from chuangjian.org.scope import Scope


class Command(BaseCommand):
    help = "消息提醒：每日提醒（逾期和今天到期的任务、报表、整改单），每人每渠道每天最多一次"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        digest = sub.add_parser("digest", help="发送每日提醒；由 cron 在部署选定的时间运行")
        digest.add_argument("--dry-run", action="store_true", help="只显示将发给谁、几项，不发送不记录")
        digest.add_argument("--show", metavar="USERNAME", help="显示某人今天的提醒全文（不发送）")
        digest.add_argument("--now", help="按此时刻（北京时间，YYYY-MM-DDTHH:MM）计算，供补跑或测试")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options.get("now"):
            try:
                now = dt.datetime.fromisoformat(options["now"]).replace(tzinfo=SHANGHAI)
            except ValueError:
                raise CommandError("--now 应为 2026-03-16T08:00 这样的北京时间") from None
        if options.get("show"):
            user = User.objects.filter(username=options["show"][:150]).first()
            if user is None:
                raise CommandError(f"没有用户名为「{options['show']}」的人员")
            digest = digest_for(scope=Scope.for_user(user), user=user, now=now)
            self.stdout.write(digest.markdown() if not digest.empty else f"{user.display_name}：今天没有逾期或到期的事项")
            return
        channels = enabled_channels()
        if not channels and not options["dry_run"]:
            self.stdout.write("未配置任何提醒渠道（NOTIFY_EMAIL、NOTIFY_WECOM_WEBHOOK、NOTIFY_DINGTALK_WEBHOOK），"
                              "只在站内消息中心提醒。用 --dry-run 查看将提醒的内容。")
            return
        results = send_digests(scope=Scope.system(), now=now, dry_run=options["dry_run"])
        labels = {"sent": "已发送", "failed": "失败", "skipped": "今天已发过", "dry-run": "将发送"}
        for r in results:
            line = f"  {r.user.display_name}（{r.user.username}）· {r.channel} · {r.items} 项 · {labels[r.status]}"
            self.stdout.write(line + (f"：{r.error}" if r.error else ""))
        failed = sum(r.status == "failed" for r in results)
        people = len({r.user.pk for r in results})
        self.stdout.write(f"每日提醒：{people} 人，{len(results)} 条，失败 {failed} 条"
                          f"（{timezone.localtime(now, SHANGHAI):%Y-%m-%d %H:%M}）"
                          f"{'，未发送（--dry-run）' if options['dry_run'] else ''}；共 {len(recipients(scope=Scope.system()))} 人在岗")
