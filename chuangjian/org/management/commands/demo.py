from __future__ import annotations

import importlib
from typing import Any

from django.core.management.base import BaseCommand

from chuangjian.org.demo import DEMO_PASSWORD, build_demo

# `run(stdout)` of each; repeatable like the rest of the demo.
DEMO_MODULES = ("chuangjian.evidence.demo", "chuangjian.inspections.demo",
                "chuangjian.surveys.demo", "chuangjian.tasks.demo",
                "chuangjian.awards.demo", "chuangjian.assessment.demo")
# The registers come before the reports: report forms check typed figures against the
# figures the registers compute (参与活动的户数 ≤ 名册中的居民户数).
REGISTER_MODULES = ("chuangjian.registers.demo", "chuangjian.registers.demo_records",
                    "chuangjian.cases.demo")


class Command(BaseCommand):
    help = "建立演示区（可重复运行）并打印演示账号"

    def handle(self, *args: Any, **options: Any) -> None:
        result = build_demo()
        # Reports depend on the standards being loaded; `make run` loads them first.
        from django.core.management import call_command

        from chuangjian.standards.models import StandardVersion

        if StandardVersion.objects.exists():
            for module in REGISTER_MODULES:
                try:
                    registers = importlib.import_module(module)
                except ModuleNotFoundError:
                    continue
                registers.run(stdout=self.stdout)
            call_command("demo_reports", stdout=self.stdout)
            # Then each app's demo, in the order their data builds on each other:
            # activities and inspections before the assessment that scores them.
            for module in DEMO_MODULES:
                try:
                    demo = importlib.import_module(module)
                except ModuleNotFoundError:
                    continue
                demo.run(stdout=self.stdout)
        self.stdout.write(f"演示数据：新建单位 {result.units_created} 个，新建用户 {result.users_created} 个")
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        width = max(len(r[0]) for r in result.logins)
        for username, name, role, unit in result.logins:
            self.stdout.write(f"  {username.ljust(width)}  {name}\t{role}\t{unit}")
