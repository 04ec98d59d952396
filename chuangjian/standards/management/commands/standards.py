from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chuangjian.org.scope import Scope
from chuangjian.standards import actions, loader, selectors
from chuangjian.standards.models import StandardVersion


class Command(BaseCommand):
    help = ("创建标准：validate 校验文件，list 列出，show 显示，load 载入，elements 数据元素用途，"
            "overlay 载入本地设定")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        validate = sub.add_parser("validate", help="校验标准文件（不写入数据库）")
        validate.add_argument("paths", nargs="+")
        sub.add_parser("list", help="列出已载入的标准")
        show = sub.add_parser("show", help="显示一个标准的测评体系")
        show.add_argument("code")
        show.add_argument("--version", type=int)
        load = sub.add_parser("load", help="载入标准（默认载入内置标准；可重复运行）")
        load.add_argument("paths", nargs="*")
        sub.add_parser("elements", help="数据元素及使用它的标准")
        overlay = sub.add_parser("overlay", help="载入本地设定（覆盖内置标准的合格分、等次、分值、否决项）")
        overlay.add_argument("path")
        overlay.add_argument("--check", action="store_true", help="只校验，不写入数据库")
        inputs = sub.add_parser("inputs", help="列出无法取得数值的指标：其数据元素没有报表填报、"
                                               "也没有数据来源计算（默认检查内置标准）")
        inputs.add_argument("paths", nargs="*")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def _load(self, paths: list[str]) -> loader.LoadResult:
        result = loader.load_paths(paths) if paths else loader.load_builtin()
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"校验未通过：{len(result.errors)} 处错误，未载入任何内容", returncode=1)
        return result

    def do_validate(self, options: dict[str, Any]) -> None:
        result = self._load(options["paths"])
        for standard in result.standards:
            n = len(standard.all_indicators())
            self.stdout.write(f"✓ {standard.code} 第{standard.version}版 {standard.name}：{n} 项指标")
        self.stdout.write(f"校验通过：{len(result.standards)} 个标准，{len(result.elements)} 个数据元素")

    def do_load(self, options: dict[str, Any]) -> None:
        result = self._load(options["paths"])
        try:
            summary = actions.load_standards(actor=None, result=result, scope=Scope.system())
        except ValidationError as error:
            for message in error.messages:
                self.stderr.write(message)
            raise CommandError("载入失败，未写入任何内容", returncode=1) from error
        for label in summary.created:
            self.stdout.write(f"已载入 {label}")
        self.stdout.write(
            f"标准：新载入 {len(summary.created)} 个，未变 {len(summary.unchanged)} 个；"
            f"数据元素：新增 {summary.elements_created} 个，未变 {summary.elements_unchanged} 个")

    def do_overlay(self, options: dict[str, Any]) -> None:
        from chuangjian.org.scope import Scope
        from chuangjian.standards import overlays

        path = options["path"]
        if options["check"]:
            overlay, _document, errors = overlays.read_overlay(path)
            base = (StandardVersion.objects.filter(
                code=overlay.overlay, version=overlay.standard_version, overlay_version=0).first()
                if overlay is not None else None)
            if overlay is not None and base is not None:
                errors = overlays.apply_overlay(path, base.source_text).errors
            elif overlay is not None:
                errors = [loader.StandardError(path, None, "overlay",
                                               f"没有已载入的标准「{overlay.overlay}」"
                                               f"第 {overlay.standard_version} 版")]
            self._fail_on(errors)
            self.stdout.write("校验通过：本地设定可以载入")
            return
        try:
            summary = actions.load_overlay(actor=None, scope=Scope.system(), path=path)
        except loader.StandardsInvalid as error:
            self._fail_on(list(error.errors))
            return
        except ValidationError as error:
            for message in error.messages:
                self.stderr.write(message)
            raise CommandError("载入失败，未写入任何内容", returncode=1) from error
        v = summary.version
        if summary.created:
            self.stdout.write(f"已载入 {v.code} 第{v.version}版的本地设定第{v.overlay_version}版"
                              f"「{v.overlay_name}」（{v.overlay_office}）")
        else:
            self.stdout.write(f"未变：{v.code} 第{v.version}版的本地设定第{v.overlay_version}版已载入")

    def _fail_on(self, errors: list[loader.StandardError]) -> None:
        if errors:
            for error in errors:
                self.stderr.write(str(error))
            raise CommandError(f"校验未通过：{len(errors)} 处错误，未载入任何内容", returncode=1)

    def do_inputs(self, options: dict[str, Any]) -> None:
        from chuangjian.standards.inputs import computed_inputs, unfed_indicators

        result = self._load(options["paths"])
        computed = computed_inputs(result)
        for c in computed:
            self.stdout.write(f"{c.element}  {c.name}：由{c.source}计算，{c.how}"
                              f"（{'、'.join(c.standards)}）")
        self.stdout.write(f"由数据来源计算、不再填报的数据元素 {len(computed)} 项")
        unfed = unfed_indicators(result)
        for u in unfed:
            self.stdout.write(f"{u.standard}  {u.indicator}  {u.name}：缺 {'、'.join(u.elements)}"
                              f"（{u.waiting_for or '未说明原因'}）")
        unexplained = [u for u in unfed if u.waiting_for is None]
        self.stdout.write(f"无法取得数值的指标 {len(unfed)} 项，其中未说明原因 {len(unexplained)} 项")
        if unexplained:
            raise CommandError("有指标的数据元素既无人填报也无数据来源计算", returncode=1)

    def do_list(self, options: dict[str, Any]) -> None:
        rows = list(selectors.current_standards())
        if not rows:
            self.stdout.write("尚未载入任何标准。运行 chuangjian standards load")
            return
        width = max(len(s.code) for s in rows)
        for s in rows:
            self.stdout.write(f"{s.code.ljust(width)}  v{s.version}  {s.campaign}\t{s.years_label}"
                              f"\t{s.n_indicators}项\t{s.name}")

    def do_show(self, options: dict[str, Any]) -> None:
        from django.http import Http404

        try:
            standard = selectors.standard_for(options["code"], options.get("version"))
        except Http404:
            raise CommandError(f"没有编码为「{options['code']}」的标准", returncode=1) from None
        self.stdout.write(f"{standard.name}（{standard.code} 第{standard.version}版，{standard.years_label}）")
        self.stdout.write(f"合格分 {standard.pass_mark:g}，总分 {standard.total:g}，加分上限 {standard.bonus_cap:g}")
        for item in selectors.standard_table(standard):
            self.stdout.write(f"\n【{item.name}】{item.max_score:g}分")
            for content in item.contents:
                self.stdout.write(f"  {content.name}")
                for ind in content.indicators:
                    flags = "（一票否决）" if ind.veto else ("（加分）" if ind.bonus else "")
                    self.stdout.write(f"    - {ind.name}{flags}｜{ind.method}｜{ind.max_score:g}分"
                                      f"｜目标 {ind.target_text or '—'}｜{ind.source_plan}")

    def do_elements(self, options: dict[str, Any]) -> None:
        result = self._load([])
        usage = loader.element_usage(result)
        for code, element in result.elements.items():
            users = "、".join(usage.get(code, [])) or "（未使用）"
            self.stdout.write(f"{code}\t{element.name}\t{element.type.value}\t{element.period.value}\t{users}")
