from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from chuangjian.org.io import export_tree, import_tree
from chuangjian.org.levels import level_from_text, level_label
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Scope
from chuangjian.org.selectors import unit_for, visible_units


# Aligned console columns count a Chinese character as two cells wide.
def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, cells: int) -> str:
    return text + " " * max(cells - width(text), 0)


def table(rows: Sequence[Sequence[str]]) -> list[str]:
    """Lines of ``rows`` with every column but the last padded to its widest cell."""
    if not rows:
        return []
    widths = [max(width(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return ["  ".join([*(pad(c, w) for c, w in zip(r, widths, strict=False)), r[-1]]).rstrip()
            for r in rows]


class Command(BaseCommand):
    help = "组织架构：列出、导出（xlsx）、导入（xlsx）单位；单位类别（保无毒 / 创无毒 …）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True,
                                    metavar="{list,export,import,classes}")
        listing = sub.add_parser("list", help="列出单位：编码、层级、城乡分类、名称")
        listing.add_argument("--level", help="只列出这一层级（如 社区、街道/镇、community）")
        listing.add_argument("--under", metavar="CODE", help="只列出这个单位及其下级")
        export = sub.add_parser("export", help="导出组织架构为 xlsx")
        export.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
        export.add_argument("--under", metavar="CODE", help="只导出这个单位及其下级")
        imp = sub.add_parser("import", help="从 xlsx 导入组织架构（有任何错误则不保存）")
        imp.add_argument("file", metavar="FILE.xlsx")
        imp.add_argument("--as", dest="as_user", metavar="USERNAME",
                         help="以该用户的身份和权限范围导入（默认：系统管理员）")
        classes = sub.add_parser("classes", help="单位类别：列出、设置、导入、动态升降建议与确认")
        csub = classes.add_subparsers(dest="class_action", required=True,
                                      metavar="{list,set,import,export,propose,confirm}")
        clist = csub.add_parser("list", help="列出某年度各单位的类别和待确认的建议")
        cset = csub.add_parser("set", help="把一个单位设为某类别（自某期间起）")
        cset.add_argument("unit", metavar="UNIT_CODE")
        cset.add_argument("unit_class", metavar="CLASS", help="类别名称或编码，如 保无毒")
        cset.add_argument("--period", required=True, help="起始期间，如 2026 或 2026Q2")
        cset.add_argument("--reason", default="", help="依据")
        cimp = csub.add_parser("import", help="从 xlsx 导入单位类别（有任何错误则不保存）")
        cimp.add_argument("file", metavar="FILE.xlsx")
        cexp = csub.add_parser("export", help="导出某年度各单位的类别为 xlsx")
        cexp.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
        cprop = csub.add_parser("propose", help="动态升降：按本年度结果建议下一年度的类别")
        cconf = csub.add_parser("confirm", help="确认某期间的类别建议")
        cconf.add_argument("--period", required=True, help="建议所属期间，如 2027")
        cconf.add_argument("--unit", action="append", default=[], metavar="UNIT_CODE",
                           help="只确认这些单位（可重复；默认全部）")
        for p in (clist, cset, cimp, cexp, cprop, cconf):
            p.add_argument("--as", dest="as_user", metavar="USERNAME",
                           help="以该用户的身份和权限范围操作（默认：系统管理员）")
        for p in (clist, cset, cexp, cprop, cconf):
            p.add_argument("--standard", required=True, help="标准编码，如 wudu_xian")
        for p in (clist, cexp, cprop):
            p.add_argument("--year", type=int, required=True, help="年度")
            p.add_argument("--under", metavar="CODE", help="只处理这个单位及其下级")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"handle_{options['action']}")(**options)

    # An operator on the server sees the whole tree; --as narrows it to a user's scope.
    def _root(self, scope: Scope, code: str | None) -> Unit | None:
        if not code:
            return None
        try:
            return unit_for(scope=scope, code=code)
        except Http404:
            raise CommandError(f"单位编码「{code}」不存在") from None

    def handle_list(self, *, level: str | None, under: str | None, **_: Any) -> None:
        scope = Scope.system()
        level_code = None
        if level:
            level_code = level_from_text(level)
            if level_code is None:
                raise CommandError(f"未知的层级「{level}」")
        units = visible_units(scope=scope, level=level_code)
        root = self._root(scope, under)
        if root is not None:
            units = units.filter(path__startswith=root.path)
        rows = [[u.code, level_label(u.level), u.category,
                 u.name + (f"（已撤销 {u.closed_on}）" if u.closed_on else "")]
                for u in units.order_by("path")]
        for line in table([["编码", "层级", "城乡", "名称"], *rows]):
            self.stdout.write(line)
        self.stdout.write(f"共 {len(rows)} 个单位")

    def handle_export(self, *, output: str, under: str | None, **_: Any) -> None:
        scope = Scope.system()
        data = export_tree(scope, self._root(scope, under))
        Path(output).write_bytes(data)
        self.stdout.write(f"已导出到 {output}")

    def handle_import(self, *, file: str, as_user: str | None, **_: Any) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        actor: User | None = None
        scope = Scope.system()
        if as_user:
            actor = User.objects.filter(username=as_user, is_active=True).first()
            if actor is None:
                raise CommandError(f"用户「{as_user}」不存在或已停用")
            scope = Scope.for_user(actor)
        result = import_tree(actor=actor, scope=scope, data=path.read_bytes(), filename=path.name)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"导入失败：共 {len(result.errors)} 处错误，未保存任何数据")
        self.stdout.write(
            f"导入完成：新建 {result.created}，更新 {result.updated}（其中移动 {result.moved}），"
            f"撤销 {result.closed}，未变 {result.unchanged}")

    # -- unit classes (单位类别) --------------------------------------------------------
    # The classes belong to the standards and the 动态升降 step to the assessment; both
    # sit above org, so they are imported here, when the subcommand runs.

    def _actor(self, as_user: str | None) -> tuple[User | None, Scope]:
        if not as_user:
            return None, Scope.system()
        actor = User.objects.filter(username=as_user, is_active=True).first()
        if actor is None:
            raise CommandError(f"用户「{as_user}」不存在或已停用")
        return actor, Scope.for_user(actor)

    def handle_classes(self, *, class_action: str, **options: Any) -> None:
        from django.core.exceptions import ValidationError

        try:
            getattr(self, f"classes_{class_action}")(**options)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None

    def _under(self, scope: Scope, under: str | None) -> Unit:
        root = self._root(scope, under)
        if root is not None:
            return root
        if scope.is_global:
            top = Unit.objects.filter(parent__isnull=True).order_by("path").first()
        else:
            roots = scope.root_units()
            top = roots[0] if roots else None
        if top is None:
            raise CommandError("还没有任何单位")
        return top

    def classes_list(self, *, standard: str, year: int, under: str | None,
                     as_user: str | None, **_: Any) -> None:
        from chuangjian.standards.selectors import class_rows

        _actor, scope = self._actor(as_user)
        rows = class_rows(scope=scope, standard_code=standard, year=year,
                          root=self._under(scope, under))
        lines = [[r.unit.code, r.unit.name, r.unit_class or "未设置", r.since or "",
                  f"建议 {r.proposed}" if r.proposed else ""] for r in rows]
        for line in table([["编码", "名称", "类别", "起始期间", "待确认"], *lines]):
            self.stdout.write(line)
        self.stdout.write(f"共 {len(lines)} 个单位，未设置类别 {sum(not r.unit_class for r in rows)} 个")

    def classes_set(self, *, unit: str, unit_class: str, standard: str, period: str, reason: str,
                    as_user: str | None, **_: Any) -> None:
        from chuangjian.standards.actions import set_unit_class

        actor, scope = self._actor(as_user)
        target = self._root(scope, unit)
        assert target is not None  # noqa: S101 - a code was given
        row = set_unit_class(actor=actor, scope=scope, unit=target, standard_code=standard,
                             period=period, unit_class=unit_class, reason=reason)
        self.stdout.write(f"「{target.name}」自 {row.period} 起为「{row.unit_class}」")

    def classes_import(self, *, file: str, as_user: str | None, **_: Any) -> None:
        from chuangjian.standards.classes_io import import_unit_classes

        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        actor, scope = self._actor(as_user)
        result = import_unit_classes(actor=actor, scope=scope, data=path.read_bytes(),
                                     filename=path.name)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"导入失败：共 {len(result.errors)} 处错误，未保存任何数据")
        self.stdout.write(f"导入完成：设置类别 {result.saved} 条")

    def classes_export(self, *, output: str, standard: str, year: int, as_user: str | None,
                       **_: Any) -> None:
        from chuangjian.standards.classes_io import export_unit_classes

        _actor, scope = self._actor(as_user)
        Path(output).write_bytes(export_unit_classes(scope, standard, year))
        self.stdout.write(f"已导出到 {output}")

    def classes_propose(self, *, standard: str, year: int, under: str | None,
                        as_user: str | None, **_: Any) -> None:
        from chuangjian.assessment.classes import propose_next_year_classes

        actor, scope = self._actor(as_user)
        decisions = propose_next_year_classes(actor=actor, scope=scope, standard_code=standard,
                                              year=year, unit=self._under(scope, under))
        for d in decisions:
            self.stdout.write(f"{d.unit.code}  {d.unit.name}  "
                              f"{d.unit_class.name if d.unit_class else '无建议'}  {d.reason}")
        self.stdout.write(f"已为 {year + 1} 年度建议 {len(decisions)} 个单位的类别；"
                          f"确认：chuangjian units classes confirm --standard {standard} "
                          f"--period {year + 1}")

    def classes_confirm(self, *, standard: str, period: str, unit: list[str],
                        as_user: str | None, **_: Any) -> None:
        from chuangjian.standards.actions import confirm_unit_classes

        actor, scope = self._actor(as_user)
        units = [u for u in (self._root(scope, code) for code in unit) if u is not None]
        n = confirm_unit_classes(actor=actor, scope=scope, standard_code=standard, period=period,
                                 units=units or None)
        self.stdout.write(f"已确认 {n} 个单位自 {period} 起的类别")
