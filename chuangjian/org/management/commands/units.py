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
    help = "组织架构：列出、导出（xlsx）、导入（xlsx）单位"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{list,export,import}")
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

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"handle_{options['action']}")(**options)

    # An operator on the server sees the whole tree; --as narrows it to a user's scope.
    def _root(self, scope: Scope, code: str | None) -> Unit | None:
        if not code:
            return None
        try:
            return unit_for(scope, code)
        except Http404:
            raise CommandError(f"单位编码「{code}」不存在") from None

    def handle_list(self, *, level: str | None, under: str | None, **_: Any) -> None:
        scope = Scope.system()
        level_code = None
        if level:
            level_code = level_from_text(level)
            if level_code is None:
                raise CommandError(f"未知的层级「{level}」")
        units = visible_units(scope, level=level_code)
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
