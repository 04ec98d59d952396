from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chuangjian.assessment.exports import report, scoresheet
from chuangjian.assessment.exports.data import ExportError, collect
from chuangjian.org.scope import Scope


class Command(BaseCommand):
    help = "导出考核结果：scoresheet 考核评分表（.xlsx），report 考核报告（.pdf 或 .docx）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        for name, help_text, suffixes in (
                ("scoresheet", "考核评分表（.xlsx）", ".xlsx"),
                ("report", "考核报告（.pdf 或 .docx）", ".pdf 或 .docx")):
            p = sub.add_parser(name, help=help_text)
            p.add_argument("--standard", required=True, help="标准编码，如 wenming_shequ")
            p.add_argument("--year", required=True, type=int, help="考核年度，如 2026")
            p.add_argument("--unit", required=True, help="单位编码；街道等上级单位含各下级单位")
            p.add_argument("--kind", default="考核", help="自查、考核 或 抽查（默认 考核）")
            p.add_argument("-o", "--output", required=True, help=f"输出文件（{suffixes}）")

    def handle(self, *args: Any, **options: Any) -> None:
        what = options["what"]
        out = Path(options["output"])
        suffix = out.suffix.lower()
        allowed = (".xlsx",) if what == "scoresheet" else (".pdf", ".docx")
        if suffix not in allowed:
            raise CommandError(f"输出文件「{out.name}」的扩展名应为 {' 或 '.join(allowed)}",
                               returncode=1)
        if not out.parent.exists():
            raise CommandError(f"输出目录「{out.parent}」不存在", returncode=1)
        try:
            data = collect(Scope.system(), unit_code=options["unit"],
                           standard_code=options["standard"], year=options["year"],
                           kind=options["kind"])
        except ExportError as error:
            raise CommandError(str(error), returncode=1) from None
        if what == "scoresheet":
            content = scoresheet.build(data)
        elif suffix == ".pdf":
            content = report.build_pdf(data)
        else:
            content = report.build_docx(data)
        out.write_bytes(content)
        units = len(data.all_cards)
        self.stdout.write(f"已导出 {out}（{len(content) // 1024} KB，{units} 个单位）")
