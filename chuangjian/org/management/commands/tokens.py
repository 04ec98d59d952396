from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from chuangjian.org.management.commands.units import table
from chuangjian.org.models import ApiToken, User
from chuangjian.org.tokens import create_api_token, revoke_api_token


class Command(BaseCommand):
    help = "接口令牌：新建、列出、吊销（Authorization: Bearer cj_...）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{create,list,revoke}")
        create = sub.add_parser("create", help="为用户新建令牌（密钥只显示这一次）")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="令牌用途，如「区大数据平台」")
        sub.add_parser("list", help="列出全部令牌（不含密钥）")
        revoke = sub.add_parser("revoke", help="吊销令牌")
        revoke.add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"用户「{options['username']}」不存在")
            token, key = create_api_token(actor=None, user=user, name=options["name"])
            self.stdout.write(f"已为 {user.username} 新建令牌 #{token.pk}「{token.name}」。")
            self.stdout.write("密钥只显示这一次，请妥善保存：")
            self.stdout.write(key)
        elif action == "list":
            rows = [["ID", "用户", "前缀", "最近使用", "名称"]]
            for t in ApiToken.objects.select_related("user").order_by("pk"):
                used = (timezone.localtime(t.last_used_at).strftime("%Y-%m-%d %H:%M")
                        if t.last_used_at else "从未使用")
                rows.append([str(t.pk), t.user.username, t.prefix + "…", used, t.name])
            for line in table(rows):
                self.stdout.write(line)
        else:
            found = ApiToken.objects.select_related("user").filter(pk=options["id"]).first()
            if found is None:
                raise CommandError(f"令牌 #{options['id']} 不存在")
            revoke_api_token(actor=None, token=found)
            self.stdout.write(f"已吊销令牌 #{options['id']}「{found.name}」")
