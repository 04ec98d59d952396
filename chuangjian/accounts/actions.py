"""Every write of account security: login events, own password, unlocking, second factor.

Each action is atomic and writes its audit entry in the same transaction. Login events
are attached to the person's top unit so that an auditor (审计管理员) of that unit sees
them; events without a known person (an unknown username) carry no unit and are seen by
auditors of a top unit only.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangjian.audit.log import log_action
from chuangjian.org.models import Membership, Unit, User
from chuangjian.org.scope import Scope

# Longest username copied into an audit entry: a failed login may carry anything.
MAX_LOGGED_USERNAME = 150


def home_unit(user: User | None) -> Unit | None:
    """The highest open unit where ``user`` holds a role (where their events are filed)."""
    if user is None or user.pk is None:
        return None
    membership = (Membership.objects.filter(user=user, unit__closed_on__isnull=True)
                  .select_related("unit").order_by("unit__depth", "unit__sort_key").first())
    return membership.unit if membership else None


@transaction.atomic
def record_auth_event(*, scope: Scope, action: str, user: User | None, username: str = "",
                      address: str = "", data: dict[str, Any] | None = None) -> None:
    """File a login, logout, lockout or second-factor event (``auth.*``) in the audit log.

    ``scope`` is the system's: these events are recorded on behalf of the product, before
    (or after) anyone holds a session.
    """
    if not scope.is_global:
        raise PermissionDenied
    payload = {"username": (username or (user.username if user else ""))[:MAX_LOGGED_USERNAME],
               "address": address[:64]}
    payload.update(data or {})
    log_action(action=action, actor=user, obj=user, unit=home_unit(user), data=payload)


@transaction.atomic
def change_own_password(*, scope: Scope, user: User, old_password: str,
                        new_password: str) -> User:
    """The signed-in person changes their own password (and so clears a forced change)."""
    if scope.user_id != user.pk:
        raise PermissionDenied
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.check_password(old_password):
        raise ValidationError({"old_password": _("当前密码不正确。")})
    if old_password == new_password:
        raise ValidationError({"new_password1": _("新密码不能与当前密码相同。")})
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password1": exc.messages}) from exc
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    log_action(action="auth.password.changed", actor=user, obj=user, unit=home_unit(user))
    return user


@transaction.atomic
def unlock_account(*, scope: Scope, user: User) -> int:
    """The 安全管理员 lifts a lockout early; returns how many failure records were cleared."""
    from axes.utils import reset

    from chuangjian.accounts.selectors import secured_people

    if not secured_people(scope=scope).filter(pk=user.pk).exists():
        raise PermissionDenied
    cleared = int(reset(username=user.username) or 0)
    actor = User.objects.filter(pk=scope.user_id).first() if scope.user_id else None
    log_action(action="auth.account.unlocked", actor=actor, obj=user, unit=home_unit(user),
               data={"username": user.username, "cleared": cleared})
    return cleared
