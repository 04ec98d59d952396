"""``chuangjian reports``: data sets, xlsx templates in and out, the missing list, rollups."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from chuangjian.engine.periods import SHANGHAI, Period, PeriodError, PeriodType
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Scope
from chuangjian.reporting import rollups, selectors, xlsx
from chuangjian.reporting.datasets import catalog, level_label_of


class Command(BaseCommand):
    help = "数据上报：datasets 数据集，template 导出模板，import 导入，missing 未报名单，rollups 汇总校验"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ds = sub.add_parser("datasets", help="列出各数据集的编码、期间类型和截止时间")
        ds.add_argument("--year", type=int, help="年度（默认今年）")
        tpl = sub.add_parser("template", help="导出 xlsx 填报模板")
        tpl.add_argument("--dataset", required=True, help="数据集编码，如 community-day")
        tpl.add_argument("--period", required=True, help="期间，如 2026-03-16、2026-03、2026Q1")
        tpl.add_argument("--unit", help="只导出该单位（或其下级）")
        tpl.add_argument("-o", "--output", required=True, help="输出文件 .xlsx")
        imp = sub.add_parser("import", help="导入填好的 xlsx（有任何错误则全部不导入）")
        imp.add_argument("file")
        imp.add_argument("--user", help="以该用户的身份和权限导入（默认系统）")
        miss = sub.add_parser("missing", help="某日未上报的单位（按街道、管区）")
        miss.add_argument("--date", required=True, help="日期 YYYY-MM-DD")
        miss.add_argument("--unit", help="只看该单位以下")
        miss.add_argument("--period-type", default="day", choices=[t.value for t in PeriodType],
                          help="期间类型（默认 day：当日日报）")
        roll = sub.add_parser("rollups", help="汇总表：--verify 按原始数据重算并列出差异")
        roll.add_argument("--verify", action="store_true")
        roll.add_argument("--rebuild", action="store_true", help="按原始数据重建全部汇总")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    # -- datasets ------------------------------------------------------------------------
    def do_datasets(self, options: dict[str, Any]) -> None:
        year = options.get("year") or timezone.localdate().year
        rows = catalog().profiles(year)
        if not rows:
            self.stdout.write(f"{year} 年没有任何数据集（请先载入标准：chuangjian standards load）")
            return
        self.stdout.write(f"{year} 年的数据集（截止时间均为北京时间）：")
        for category, _probe, ds in rows:
            variants = [c for c, p, d in rows if d.code == ds.code]
            note = f"［{category}］" if len(variants) > 1 else ""
            lock = "，逾期锁定" if ds.lock_after_deadline else ""
            self.stdout.write(
                f"  {ds.code:<22} {ds.period_type.label:<3} {ds.deadline_label}{lock}  "
                f"{level_label_of(ds.level_key)}{note} · {len(ds.elements)} 项 · "
                f"来自：{'；'.join(ds.sources)}")

    # -- template ------------------------------------------------------------------------
    def do_template(self, options: dict[str, Any]) -> None:
        try:
            period = Period.parse(options["period"])
        except PeriodError as error:
            raise CommandError(str(error), returncode=1) from None
        under = None
        if options.get("unit"):
            under = Unit.objects.filter(code=options["unit"]).first()
            if under is None:
                raise CommandError(f"单位编码「{options['unit']}」不存在", returncode=1)
        try:
            content = xlsx.build_template(options["dataset"], period, scope=Scope.system(),
                                          under=under)
        except xlsx.TemplateError as error:
            raise CommandError(str(error), returncode=1) from None
        out = Path(options["output"])
        out.write_bytes(content)
        self.stdout.write(f"已导出模板：{out}（{options['dataset']} {period.label_zh}）")

    # -- import --------------------------------------------------------------------------
    def do_import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}", returncode=1)
        actor = None
        scope = Scope.system()
        if options.get("user"):
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"用户「{options['user']}」不存在或已停用", returncode=1)
            scope = Scope.for_user(actor)
        if path.stat().st_size > xlsx.MAX_IMPORT_BYTES:
            content = path.read_bytes()[: xlsx.MAX_IMPORT_BYTES + 1]
        else:
            content = path.read_bytes()
        result = xlsx.import_workbook(content, actor=actor, scope=scope)
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"导入失败：{len(result.errors)} 处错误，未导入任何数据", returncode=1)
        self.stdout.write(f"导入成功：{result.saved} 份报表已上报，{result.unchanged} 份与已报数据相同")

    # -- missing -------------------------------------------------------------------------
    def do_missing(self, options: dict[str, Any]) -> None:
        try:
            day = dt.date.fromisoformat(options["date"])
        except ValueError:
            raise CommandError(f"日期「{options['date']}」无效，应为 YYYY-MM-DD", returncode=1) from None
        period = Period.containing(PeriodType(options["period_type"]), day)
        root = None
        if options.get("unit"):
            root = Unit.objects.filter(code=options["unit"]).first()
            if root is None:
                raise CommandError(f"单位编码「{options['unit']}」不存在", returncode=1)
        report = selectors.timeliness(Scope.system(), period, root=root)
        totals = report.totals
        now = timezone.now().astimezone(SHANGHAI)
        self.stdout.write(f"{period.label_zh} 未上报名单（{now:%Y-%m-%d %H:%M} 统计）：应报 {totals['expected']}，"
                          f"已报 {totals['submitted']}（按时 {totals['on_time']}，迟报 {totals['late']}），"
                          f"未报 {totals['missing']}")
        for group in report.groups:
            if not group.missing:
                continue
            street = group.street.name if group.street else "（无街道）"
            area = group.area.name if group.area else "（街道直属）"
            self.stdout.write(f"{street} · {area}：未报 {len(group.missing)}")
            for row in group.missing:
                self.stdout.write(f"  {row.unit.code}  {row.unit.name}  {row.dataset.code}")

    # -- rollups -------------------------------------------------------------------------
    def do_rollups(self, options: dict[str, Any]) -> None:
        if options.get("rebuild"):
            n = rollups.rebuild()
            self.stdout.write(f"已按原始数据重建汇总：{n} 行")
        if options.get("verify") or not options.get("rebuild"):
            diffs = rollups.verify()
            if diffs:
                for diff in diffs[:200]:
                    self.stderr.write(str(diff))
                raise CommandError(f"汇总与原始数据不一致：{len(diffs)} 处", returncode=1)
            self.stdout.write("汇总与原始数据一致")
