"""``chuangjian reports``: data sets, xlsx templates in and out, the missing list, rollups."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangjian.engine.periods import SHANGHAI, Period, PeriodError, PeriodType
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Scope
from chuangjian.reporting import rollups, selectors, xlsx
from chuangjian.reporting.datasets import catalog, level_label_of
from chuangjian.reporting.labels import period_error, period_label, period_type_label


class Command(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        # Set here, not as the class's ``help``: argparse cannot wrap a lazy translation,
        # and here the command's language is active.
        parser.description = _("数据上报：datasets 数据集，template 导出模板，import 导入，"
                               "missing 未报名单，rollups 汇总校验")
        sub = parser.add_subparsers(dest="action", required=True)
        ds = sub.add_parser("datasets", help=_("列出各数据集的编码、期间类型和截止时间"))
        ds.add_argument("--year", type=int, help=_("年度（默认今年）"))
        tpl = sub.add_parser("template", help=_("导出 xlsx 填报模板"))
        tpl.add_argument("--dataset", required=True, help=_("数据集编码，如 community-day"))
        tpl.add_argument("--period", required=True, help=_("期间，如 2026-03-16、2026-03、2026Q1"))
        tpl.add_argument("--unit", help=_("只导出该单位（或其下级）"))
        tpl.add_argument("-o", "--output", required=True, help=_("输出文件 .xlsx"))
        imp = sub.add_parser("import", help=_("导入填好的 xlsx（有任何错误则全部不导入）"))
        imp.add_argument("file")
        imp.add_argument("--user", help=_("以该用户的身份和权限导入（默认系统）"))
        miss = sub.add_parser("missing", help=_("某日未上报的单位（按街道、管区）"))
        miss.add_argument("--date", required=True, help=_("日期 YYYY-MM-DD"))
        miss.add_argument("--unit", help=_("只看该单位以下"))
        miss.add_argument("--period-type", default="day", choices=[t.value for t in PeriodType],
                          help=_("期间类型（默认 day：当日日报）"))
        roll = sub.add_parser("rollups", help=_("汇总表：--verify 按原始数据重算并列出差异"))
        roll.add_argument("--verify", action="store_true")
        roll.add_argument("--rebuild", action="store_true", help=_("按原始数据重建全部汇总"))

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    # -- datasets ------------------------------------------------------------------------
    def do_datasets(self, options: dict[str, Any]) -> None:
        year = options.get("year") or timezone.localdate().year
        rows = catalog().profiles(year)
        if not rows:
            self.stdout.write(_("%(year)d 年没有任何数据集（请先载入标准：chuangjian standards load）")
                              % {"year": year})
            return
        self.stdout.write(_("%(year)d 年的数据集（截止时间均为北京时间）：") % {"year": year})
        for category, _probe, ds in rows:
            variants = [c for c, p, d in rows if d.code == ds.code]
            note = f"［{category}］" if len(variants) > 1 else ""
            lock = _("，逾期锁定") if ds.lock_after_deadline else ""
            details = _("%(n)d 项 · 来自：%(sources)s") % {"n": len(ds.elements),
                                                        "sources": _("；").join(ds.sources)}
            self.stdout.write(
                f"  {ds.code:<22} {period_type_label(ds.period_type):<3} {ds.deadline_label}{lock}  "
                f"{level_label_of(ds.level_key)}{note} · {details}")

    # -- template ------------------------------------------------------------------------
    def do_template(self, options: dict[str, Any]) -> None:
        try:
            period = Period.parse(options["period"])
        except PeriodError as error:
            raise CommandError(period_error(options["period"], error), returncode=1) from None
        under = None
        if options.get("unit"):
            under = Unit.objects.filter(code=options["unit"]).first()
            if under is None:
                raise CommandError(_("单位编码「%(code)s」不存在") % {"code": options["unit"]},
                                   returncode=1)
        try:
            content = xlsx.build_template(options["dataset"], period, scope=Scope.system(),
                                          under=under)
        except xlsx.TemplateError as error:
            raise CommandError(str(error), returncode=1) from None
        out = Path(options["output"])
        out.write_bytes(content)
        self.stdout.write(_("已导出模板：%(path)s（%(dataset)s %(period)s）") % {
            "path": out, "dataset": options["dataset"], "period": period_label(period)})

    # -- import --------------------------------------------------------------------------
    def do_import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("找不到文件：%(path)s") % {"path": path}, returncode=1)
        actor = None
        scope = Scope.system()
        if options.get("user"):
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(_("用户「%(user)s」不存在或已停用") % {"user": options["user"]},
                                   returncode=1)
            scope = Scope.for_user(actor)
        if path.stat().st_size > xlsx.MAX_IMPORT_BYTES:
            content = path.read_bytes()[: xlsx.MAX_IMPORT_BYTES + 1]
        else:
            content = path.read_bytes()
        result = xlsx.import_workbook(content, actor=actor, scope=scope)
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(_("导入失败：%(n)d 处错误，未导入任何数据") % {
                "n": len(result.errors)}, returncode=1)
        self.stdout.write(xlsx.imported_text(result))

    # -- missing -------------------------------------------------------------------------
    def do_missing(self, options: dict[str, Any]) -> None:
        try:
            day = dt.date.fromisoformat(options["date"])
        except ValueError:
            raise CommandError(_("日期「%(date)s」无效，应为 YYYY-MM-DD") % {"date": options["date"]},
                               returncode=1) from None
        period = Period.containing(PeriodType(options["period_type"]), day)
        root = None
        if options.get("unit"):
            root = Unit.objects.filter(code=options["unit"]).first()
            if root is None:
                raise CommandError(_("单位编码「%(code)s」不存在") % {"code": options["unit"]},
                                   returncode=1)
        report = selectors.timeliness(scope=Scope.system(), period=period, root=root)
        totals = report.totals
        now = timezone.now().astimezone(SHANGHAI)
        self.stdout.write(_("%(period)s 未上报名单（%(now)s 统计）：应报 %(expected)d，"
                            "已报 %(submitted)d（按时 %(on_time)d，迟报 %(late)d），未报 %(missing)d")
                          % {"period": period_label(period), "now": f"{now:%Y-%m-%d %H:%M}",
                             **totals})
        for group in report.groups:
            if not group.missing:
                continue
            street = group.street.name if group.street else _("（无街道）")
            area = group.area.name if group.area else _("（街道直属）")
            self.stdout.write(_("%(street)s · %(area)s：未报 %(n)d") % {
                "street": street, "area": area, "n": len(group.missing)})
            for row in group.missing:
                self.stdout.write(f"  {row.unit.code}  {row.unit.name}  {row.dataset.code}")

    # -- rollups -------------------------------------------------------------------------
    def do_rollups(self, options: dict[str, Any]) -> None:
        if options.get("rebuild"):
            n = rollups.rebuild()
            self.stdout.write(_("已按原始数据重建汇总：%(n)d 行") % {"n": n})
        if options.get("verify") or not options.get("rebuild"):
            diffs = rollups.verify()
            if diffs:
                for diff in diffs[:200]:
                    self.stderr.write(str(diff))
                raise CommandError(_("汇总与原始数据不一致：%(n)d 处") % {"n": len(diffs)},
                                   returncode=1)
            self.stdout.write(_("汇总与原始数据一致"))
