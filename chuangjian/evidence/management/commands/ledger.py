"""`chuangjian ledger --unit CODE --standard CODE --year YYYY -o FILE.pdf|.docx`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chuangjian.evidence.ledger.build import LedgerError, build
from chuangjian.org.scope import Scope


class Command(BaseCommand):
    help = "生成单位某年度某创建标准的台账（PDF 或 Word）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="单位编码，如 QY-01-A-01")
        parser.add_argument("--standard", required=True, help="创建标准编码，如 wenming_shequ")
        parser.add_argument("--year", required=True, type=int, help="年度，如 2026")
        parser.add_argument("-o", "--output", required=True, help="输出文件，后缀 .pdf 或 .docx")
        parser.add_argument("--compiler", default="", help="编制单位（默认为本单位）")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["output"])
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in ("pdf", "docx"):
            raise CommandError(f"输出文件「{out.name}」的后缀不对：只能是 .pdf 或 .docx")
        if not out.parent.exists():
            raise CommandError(f"输出目录「{out.parent}」不存在")

        def progress(percent: int, message: str) -> None:
            if options["verbosity"] > 1:
                self.stderr.write(f"{percent:3d}% {message}")

        try:
            built = build(Scope.system(), unit_code=options["unit"],
                          standard_code=options["standard"], year=options["year"], fmt=fmt,
                          compiler=options["compiler"], progress=progress)
        except LedgerError as error:
            raise CommandError(str(error)) from None
        out.write_bytes(built.content)
        self.stdout.write(f"已生成台账：{out}（{len(built.content) / 1024:.0f} KB）")
