"""``chuangjian assess``: run an assessment (考核) from the command line."""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chuangjian.assessment import actions, selectors
from chuangjian.assessment.models import AssessmentRun, UnitResult
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Scope


class Command(BaseCommand):
    help = "按标准和年度计算考核结果：自查、考核或抽查"

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--standard", help="标准编码，如 wenming_shequ")
        which.add_argument("--all", action="store_true",
                           help="该年度有效的全部标准（年终考核），每个标准各自考核适用的顶层单位")
        parser.add_argument("--year", required=True, type=int, help="考核年度，如 2026")
        parser.add_argument("--unit", help="只考核该单位及其下级（单位编码；默认每个适用该标准的顶层单位各一个批次）")
        parser.add_argument("--kind", default="考核", help="自查、考核 或 抽查（也可写 self/review/spot）")
        parser.add_argument("--user", help="以该用户的身份和权限运行（默认系统管理员）")
        parser.add_argument("--reopen", metavar="理由",
                            help="重新考核已公布（关闭）的年度，须由管理员填写理由")
        parser.add_argument("--processes", type=int, metavar="N",
                            help="--all 时分担各标准的进程数（默认设置 ASSESSMENT_PROCESSES）")
        parser.add_argument("--json", action="store_true",
                            help="以 JSON 输出每个单位的结果（与接口 /api/assessment/runs/{id}/results 相同）")

    def handle(self, *args: Any, **options: Any) -> None:
        actor: User | None = None
        scope = Scope.system()
        if options.get("user"):
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"未知的用户「{options['user']}」")
            scope = Scope.for_user(actor)
        units: list[Unit] = []
        if options.get("unit"):
            unit = Unit.objects.filter(code=options["unit"]).first()
            if unit is None or not scope.allows(unit):
                raise CommandError(f"未知的单位「{options['unit']}」")
            units = [unit]
        if options.get("all"):
            if units:
                raise CommandError("--all 考核每个标准适用的全部顶层单位，不能与 --unit 同用")
            self._all(actor, scope, options)
            return
        started = time.perf_counter()
        try:
            if not units:
                # Every top-level unit (of the user's scope) the standard applies to, read
                # and scored together; the others are named.
                tops = scope.root_units()
                units = actions.applicable_units(standard_code=options["standard"],
                                                 year=options["year"], units=tops, scope=scope)
                for left in tops:
                    if left not in units:
                        self.stderr.write(f"「{left.name}」：不适用该标准，未考核")
                if not units:
                    raise CommandError("组织树中没有适用该标准的单位")
            runs = actions.start_runs(actor=actor, scope=scope, standard_code=options["standard"],
                                      year=options["year"], kind=options["kind"], units=units,
                                      reopen_reason=options.get("reopen") or "")
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        except PermissionDenied as error:
            raise CommandError(str(error) or "无权执行该考核") from None
        seconds = time.perf_counter() - started
        if options.get("json"):
            # One run prints its units' results as before; several print each run with
            # its root and its results.
            printed: Any = (selectors.run_results(scope=scope, run=runs[0]) if len(runs) == 1
                            else [{"run": run.pk, "unit": run.root.code, "unit_name": run.root.name,
                                   "results": selectors.run_results(scope=scope, run=run)}
                                  for run in runs])
            self.stdout.write(json.dumps(printed, ensure_ascii=False, indent=2))
            return
        for run in runs:
            self._summary(run)
        self.stdout.write(f"用时 {seconds:.2f} 秒")

    def _all(self, actor: User | None, scope: Scope, options: dict[str, Any]) -> None:
        """Every standard in force in the year (``actions.assess_year``)."""
        processes = options.get("processes")
        processes = settings.ASSESSMENT_PROCESSES if processes is None else processes
        if processes < 1:
            raise CommandError("--processes 至少为 1")
        started = time.perf_counter()
        try:
            outcomes = actions.assess_year(actor=actor, scope=scope, year=options["year"],
                                           kind=options["kind"], processes=processes,
                                           reopen_reason=options.get("reopen") or "")
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        seconds = time.perf_counter() - started
        if options.get("json"):
            self.stdout.write(json.dumps([
                {"standard": o.version.code, "standard_name": o.version.name,
                 "error": o.error, "left_out": [u.code for u in o.left_out],
                 "runs": [{"run": run.pk, "unit": run.root.code, "unit_name": run.root.name,
                           "results": selectors.run_results(scope=scope, run=run)}
                          for run in o.runs]}
                for o in outcomes], ensure_ascii=False, indent=2))
        else:
            for outcome in outcomes:
                for left in outcome.left_out:
                    self.stderr.write(f"「{outcome.version.name}」不适用于「{left.name}」，未考核")
                if outcome.error:
                    self.stderr.write(f"「{outcome.version.name}」未完成：{outcome.error}")
                for run in outcome.runs:
                    self._summary(run)
            used = len({o.process for o in outcomes if o.runs or o.error})
            self.stdout.write(f"共 {len(outcomes)} 个标准，用时 {seconds:.2f} 秒（{used} 个进程）")
        failed = [o.version.name for o in outcomes if o.error]
        if failed:
            raise CommandError(f"{len(failed)} 个标准未完成：{'、'.join(failed)}")

    def _summary(self, run: AssessmentRun) -> None:
        tiers = Counter(UnitResult.objects.filter(run=run).exclude(tier="")
                        .values_list("tier", flat=True))
        tier_text = "、".join(f"{name} {n} 个" for name, n in sorted(tiers.items())) or "无"
        self.stdout.write(
            f"{run.year} 年{run.get_kind_display()}「{run.standard.name}」（{run.root.name}）：\n"
            f"  考核单位 {run.units_assessed} 个，合格 {run.units_passed} 个，"
            f"一票否决 {run.units_vetoed} 个\n"
            f"  等次：{tier_text}\n"
            f"  批次 #{run.pk}")
