"""`chuangjian surveys import FILE.xlsx | list | results --survey CODE --unit CODE [--json]`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count

from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.surveys import actions, forms_io, selectors
from chuangjian.surveys.models import Quota, Survey
from chuangjian.surveys.xlsform import FormError

MAX_FILE = 5 * 1024 * 1024


class Command(BaseCommand):
    help = "问卷调查：导入 XLSForm 问卷、列出调查、查看各类人群的结果"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="导入 XLSForm 问卷（.xlsx）")
        imp.add_argument("file")
        imp.add_argument("--publish", action="store_true", help="导入后立即发布")
        sub.add_parser("builtin", help="载入内置问卷（禁毒知识、五个人人、创城满意度）")
        sub.add_parser("list", help="列出调查：编码、名称、问卷版本、地点数、答卷数")
        res = sub.add_parser("results", help="某单位各类人群的比率、95% 置信区间和样本数")
        res.add_argument("--survey", required=True, help="调查编码")
        res.add_argument("--unit", required=True, help="单位编码")
        res.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["action"])(options)

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件「{path}」不存在")
        if path.stat().st_size > MAX_FILE:
            raise CommandError(f"文件「{path.name}」超过 {MAX_FILE // 1024 // 1024} MB")
        try:
            parsed = forms_io.read_xlsx(path.read_bytes(), fallback_id=path.stem)
        except FormError as error:
            raise CommandError("问卷未导入：\n" + "\n".join(error.messages)) from None
        version = actions.import_questionnaire(actor=None, scope=Scope.system(), parsed=parsed,
                                               publish=options["publish"])
        self.stdout.write(f"已导入「{version.questionnaire.title}」（{version.questionnaire.code}）"
                          f"第 {version.number} 版，{version.get_state_display()}，"
                          f"{version.question_count} 道题")

    def _builtin(self, options: dict[str, Any]) -> None:
        for version in actions.load_builtin(scope=Scope.system()):
            self.stdout.write(f"{version.questionnaire.code}\t{version.questionnaire.title}"
                              f"\t第 {version.number} 版")

    def _list(self, options: dict[str, Any]) -> None:
        surveys = selectors.visible_surveys(scope=Scope.system()).annotate(
            n=Count("responses", distinct=True))
        places = dict(Quota.objects.values("survey_id").annotate(p=Count("unit", distinct=True))
                      .values_list("survey_id", "p"))
        self.stdout.write("编码\t名称\t问卷\t版本\t地点数\t答卷数")
        for s in surveys:
            version = s.questionnaire.published()
            self.stdout.write(f"{s.code}\t{s.title}\t{s.questionnaire.code}\t"
                              f"{version.number if version else '—'}\t{places.get(s.pk, 0)}\t{s.n}")

    def _results(self, options: dict[str, Any]) -> None:
        system = Scope.system()
        survey = Survey.objects.select_related("questionnaire").filter(
            code=options["survey"]).first()
        if survey is None:
            raise CommandError(f"没有编码为「{options['survey']}」的调查")
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"没有编码为「{options['unit']}」的单位")
        result = selectors.results(scope=system, survey=survey, unit=unit)
        if options["json"]:
            self.stdout.write(json.dumps([g.as_json() for g in result.groups], ensure_ascii=False,
                                         indent=2))
            return
        self.stdout.write(f"{survey.title} · {unit.name}")
        for g in result.groups:
            if g.n:
                line = (f"{g.rate:.1f}%（95% 置信区间 {g.ci_low:.1f}%–{g.ci_high:.1f}%，"
                        f"n={g.n}）")
            else:
                line = "无样本"
            target = f" 目标 {g.target:g}%" if g.target is not None else ""
            self.stdout.write(f"  {g.label}\t{line}{target}\t{g.status}")
        if result.combined is not None:
            self.stdout.write(f"  加权综合\t{result.combined:.1f}%（{result.combined_low:.1f}%–"
                              f"{result.combined_high:.1f}%，n={result.n}）")
