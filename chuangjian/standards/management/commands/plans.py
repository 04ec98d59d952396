from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chuangjian.standards.plans.documents import PlanFileError, read_plan_file
from chuangjian.standards.plans.reader import read_targets


class Command(BaseCommand):
    help = "工作计划：read 读取计划文件中的量化目标（JSON 输出），evaluate 计算读取器的准确率与召回率"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        read = sub.add_parser("read", help="读取 .txt、.docx 或带文字层的 .pdf，输出量化目标的 JSON 列表")
        read.add_argument("file")
        evaluate = sub.add_parser("evaluate", help="用人工标注的计划衡量读取器")
        evaluate.add_argument("--detail", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def do_read(self, options: dict[str, Any]) -> None:
        try:
            plan = read_plan_file(options["file"])
        except PlanFileError as error:
            if error.unreadable:
                self._say(error.message)
                raise SystemExit(2) from None
            self._say(error.message)
            self._print([])
            return
        if plan.warning:
            self._say(plan.warning)
            self._print([])
            return
        targets = [target.as_dict() for target in read_targets(plan.text)]
        if not targets:
            self._say("没有在计划中找到量化目标。")
        self._print(targets)

    def _print(self, targets: list[dict[str, Any]]) -> None:
        # Raw bytes: UTF-8 whatever the console's locale, and nothing else on stdout.
        self._write(self.stdout, json.dumps(targets, ensure_ascii=False, indent=1) + "\n")

    def _say(self, message: str) -> None:
        self._write(self.stderr, message + "\n")

    def _write(self, wrapper: Any, data: str) -> None:
        stream = getattr(wrapper, "_out", sys.stdout)
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            buffer.write(data.encode("utf-8"))
            buffer.flush()
        else:
            stream.write(data)

    def do_evaluate(self, options: dict[str, Any]) -> None:
        from chuangjian.standards.plans import evaluate

        evaluate.main(["--detail"] if options["detail"] else [])
