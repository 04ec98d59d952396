"""``chuangjian registers``: the registers' spreadsheets on the command line.

    chuangjian registers list
    chuangjian registers template KIND -o FILE.xlsx
    chuangjian registers import KIND FILE.xlsx [--unit CODE] [--skip-bad] [--as USERNAME]
    chuangjian registers export KIND -o FILE.xlsx --unit CODE [--full] [--as USERNAME]
    chuangjian registers rekey
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Scope
from chuangjian.registers import io as rio
from chuangjian.registers.actions.people import rekey_personal_data


class Command(BaseCommand):
    help = "登记表：列出种类、生成导入模板、导入、导出（xlsx），轮换个人信息密钥"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True,
                                    metavar="{list,template,import,export,rekey}")
        sub.add_parser("list", help="列出登记表的种类（KIND）")
        tpl = sub.add_parser("template", help="生成某种登记表的导入模板（中文表头和一行示例）")
        tpl.add_argument("kind", metavar="KIND")
        tpl.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
        tpl.add_argument("--unit", metavar="CODE", help="模板中预填的单位编码")
        imp = sub.add_parser("import", help="导入（有任何错误则不保存，除非 --skip-bad）")
        imp.add_argument("kind", metavar="KIND")
        imp.add_argument("file", metavar="FILE.xlsx")
        imp.add_argument("--unit", metavar="CODE", help="未填单位编码的行属于这个单位")
        imp.add_argument("--skip-bad", action="store_true",
                         help="保存正确的行，错误的行写入 FILE.errors.xlsx")
        exp = sub.add_parser("export", help="导出某单位及其下级的登记表")
        exp.add_argument("kind", metavar="KIND")
        exp.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
        exp.add_argument("--unit", required=True, metavar="CODE")
        exp.add_argument("--full", action="store_true", help="导出完整的身份证号和电话（记入审计日志）")
        for p in (imp, exp):
            p.add_argument("--as", dest="as_user", metavar="USERNAME",
                           help="以该用户的身份和权限范围操作（默认：系统）")
        sub.add_parser("rekey", help="用最新的密钥重新加密身份证号和电话，并重算检索哈希")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"handle_{options['action']}")(**options)

    # -- helpers ---------------------------------------------------------------------------
    def _kind(self, code: str) -> rio.Kind:
        try:
            return rio.kind_for(code)
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from None

    def _actor(self, as_user: str | None) -> tuple[User | None, Scope]:
        if not as_user:
            return None, Scope.system()
        user = User.objects.filter(username=as_user, is_active=True).first()
        if user is None:
            raise CommandError(f"用户「{as_user}」不存在或已停用")
        return user, Scope.for_user(user)

    def _unit(self, code: str | None, scope: Scope) -> Unit | None:
        if not code:
            return None
        unit = scope.units().filter(code=code).first()
        if unit is None:
            raise CommandError(f"单位编码「{code}」不存在或不在权限范围内")
        return unit

    # -- actions ---------------------------------------------------------------------------
    def handle_list(self, **_: Any) -> None:
        for kind in rio.kinds():
            self.stdout.write(f"{kind.code:<12}{kind.label}　（{'、'.join(kind.headers)}）")

    def handle_template(self, *, kind: str, output: str, unit: str | None, **_: Any) -> None:
        chosen = self._kind(kind)
        Path(output).write_bytes(rio.template(chosen, unit_code=unit or ""))
        self.stdout.write(f"已生成「{chosen.label}」导入模板：{output}")

    def handle_import(self, *, kind: str, file: str, unit: str | None, skip_bad: bool,
                      as_user: str | None, **_: Any) -> None:
        chosen = self._kind(kind)
        actor, scope = self._actor(as_user)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        if path.stat().st_size > rio.MAX_FILE_SIZE:
            raise CommandError("文件超过 10 MB，请拆分后分批导入")
        try:
            result = rio.import_rows(chosen, path.read_bytes(), scope=scope, actor=actor,
                                     unit=self._unit(unit, scope), skip_bad=skip_bad)
        except PermissionDenied:
            raise CommandError(f"没有在该单位登记「{chosen.label}」的权限") from None
        for error in result.errors[:200]:
            self.stderr.write(str(error))
        if len(result.errors) > 200:
            self.stderr.write(f"……另有 {len(result.errors) - 200} 处错误")
        if result.error_file is not None:
            errors_path = path.with_name(path.stem + ".errors.xlsx")
            errors_path.write_bytes(result.error_file)
            self.stderr.write(f"有错误的 {result.skipped} 行已写入：{errors_path}")
        if result.errors and not skip_bad:
            raise CommandError(f"共 {len(result.errors)} 处错误，未保存任何数据。")
        self.stdout.write(f"已导入「{chosen.label}」{result.created} 行。")

    def handle_export(self, *, kind: str, output: str, unit: str, full: bool,
                      as_user: str | None, **_: Any) -> None:
        chosen = self._kind(kind)
        actor, scope = self._actor(as_user)
        root = self._unit(unit, scope)
        if root is None:
            raise CommandError("请用 --unit 指定单位")
        try:
            data = rio.export_rows(chosen, scope=scope, actor=actor, unit=root, reveal=full)
        except PermissionDenied:
            raise CommandError(f"没有导出「{root.name}」的「{chosen.label}」的权限") from None
        Path(output).write_bytes(data)
        self.stdout.write(f"已导出：{output}")

    def handle_rekey(self, **_: Any) -> None:
        done = rekey_personal_data(scope=Scope.system())
        self.stdout.write(f"已用最新密钥重新加密并重算哈希：{done} 人")
