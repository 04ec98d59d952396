"""``chuangjian purge_audit``: delete audit entries past the retention period (≥ 180 days)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chuangjian.audit.actions import purge_expired_entries
from chuangjian.org.scope import Scope


class Command(BaseCommand):
    help = "删除超过留存期限的操作日志（至少保留 180 天）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--keep-days", type=int, default=None,
                            help="保留天数（默认 AUDIT_RETENTION_DAYS，不少于 180）")

    def handle(self, *args: Any, keep_days: int | None = None, **options: Any) -> None:
        try:
            deleted = purge_expired_entries(scope=Scope.system(), keep_days=keep_days)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(f"已删除 {deleted} 条超过留存期限的操作日志。")
