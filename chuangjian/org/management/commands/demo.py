from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from chuangjian.org.demo import DEMO_PASSWORD, build_demo


class Command(BaseCommand):
    help = "建立演示区（可重复运行）并打印演示账号"

    def handle(self, *args: Any, **options: Any) -> None:
        result = build_demo()
        # Reports depend on the standards being loaded; `make run` loads them first.
        from django.core.management import call_command

        from chuangjian.standards.models import StandardVersion

        if StandardVersion.objects.exists():
            call_command("demo_reports", stdout=self.stdout)
        self.stdout.write(f"演示数据：新建单位 {result.units_created} 个，新建用户 {result.users_created} 个")
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        width = max(len(r[0]) for r in result.logins)
        for username, name, role, unit in result.logins:
            self.stdout.write(f"  {username.ljust(width)}  {name}\t{role}\t{unit}")
