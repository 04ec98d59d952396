"""``chuangjian awards schemes``, ``chuangjian awards rounds [--year YYYY]`` and
``chuangjian awards recheck --year YYYY [--dry-run]`` (the yearly re-check)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chuangjian.awards import actions, selectors
from chuangjian.awards.schemes import LEVEL_NAMES, SchemeError, builtin
from chuangjian.org.scope import Scope


def _year(value: Any) -> int:
    text = str(value or "")
    if not (text.isdigit() and 2000 <= int(text) <= 2100):
        raise CommandError(f"--year 应为 2000 至 2100 之间的年份，这里是「{text[:10]}」")
    return int(text)


class Command(BaseCommand):
    help = "评选与称号：列出评选方案、评选；每年复查称号（不再符合条件的待确认摘牌）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("schemes", help="列出内置评选方案（名额、资格条件、依据）")
        rounds = sub.add_parser("rounds", help="列出评选")
        rounds.add_argument("--year", help="只列此年度")
        recheck = sub.add_parser("recheck", help="复查某年度有效的称号")
        recheck.add_argument("--year", required=True, help="复查的年度")
        recheck.add_argument("--dry-run", action="store_true", help="只列出，不标记待摘牌")

    def handle(self, *args: Any, **options: Any) -> None:
        scope = Scope.system()
        if options["action"] == "schemes":
            try:
                schemes = builtin()
            except SchemeError as error:
                raise CommandError("\n".join(error.messages)) from None
            for s in schemes.values():
                quotas = "，".join(
                    f"{LEVEL_NAMES[q.level]}{q.total}个" if q.total else
                    f"{LEVEL_NAMES[q.level]}按{LEVEL_NAMES[q.of or 'city']}{q.ratio}"
                    for q in s.quotas)
                self.stdout.write(f"{s.code}  {s.name}（{s.nominee_label}，{s.campaign}）  名额：{quotas}"
                                  f"  依据：{s.source.plan}「{s.source.quote}」")
            self.stdout.write(f"共 {len(schemes)} 个评选方案")
            return
        if options["action"] == "rounds":
            year = _year(options["year"]) if options.get("year") else None
            rows = selectors.rounds(scope=scope, year=year).order_by("-year", "organiser__path")
            count = 0
            for r in rows:
                count += 1
                named = r.titles.count()
                self.stdout.write(f"{r.year}  {r.title}  {r.get_stage_display()}  "
                                  f"推荐 {r.nominations.count()}  名额 {r.quota}  已命名 {named}")
            self.stdout.write(f"共 {count} 个评选")
            return
        year = _year(options["year"])
        found = selectors.recheck(scope=scope, year=year)
        for f in found:
            self.stdout.write(f"  {f.title.title}（{f.title.get_level_display()}，{f.title.year}年）"
                              f"{f.title.name}：{'；'.join(f.reasons)}")
            if not options["dry_run"]:
                actions.flag_recheck(scope=scope, title=f.title, year=year, reasons=f.reasons)
        verb = "（未标记，--dry-run）" if options["dry_run"] else "，已标记待确认摘牌"
        self.stdout.write(f"{year}年复查：{len(found)} 项称号不再符合条件{verb if found else ''}")
