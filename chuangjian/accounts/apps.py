from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Account security (账号安全): password policy, lockout, sessions, second factor."""

    name = "chuangjian.accounts"
    label = "accounts"
    verbose_name = _("账号安全")

    def ready(self) -> None:
        # Registration only: the receivers write the login events to the audit log.
        from chuangjian.accounts import signals  # noqa: F401
