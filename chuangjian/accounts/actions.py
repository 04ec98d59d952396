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


@transaction.atomic
def confirm_totp_enrolment(*, scope: Scope, user: User, hex_key: str, token: str) -> list[str]:
    """Bind the authenticator app whose first code confirms ``hex_key``; return the new
    recovery codes (shown once). Any earlier devices of the person are replaced."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from chuangjian.accounts.otp import RECOVERY_CODES

    if scope.user_id != user.pk:
        raise PermissionDenied
    # Earlier devices go first; a wrong code rolls the whole enrolment back.
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    device = TOTPDevice(user=user, key=hex_key, name=_("手机动态口令"), confirmed=False)
    device.full_clean()
    if not token.isdigit() or not device.verify_token(token):
        raise ValidationError({"token": _("验证码不正确，请核对手机上显示的 6 位数字后重试。")})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    static = StaticDevice.objects.create(user=user, name=_("恢复码"), confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    log_action(action="auth.otp.enrolled", actor=user, obj=user, unit=home_unit(user))
    return codes


@transaction.atomic
def verify_second_factor(*, scope: Scope, user: User, token: str,
                         address: str = "") -> tuple[str, str]:
    """Check a code from the app (or a recovery code, used up).

    Returns ``(device id, "")`` when it passes, ``("", Chinese error)`` when not. A wrong
    code does not raise, so its audit entry and django-otp's failure count (which slows
    down guessing) are committed.
    """
    from chuangjian.accounts.otp import devices_of

    if scope.user_id != user.pk:
        raise PermissionDenied
    totp, static = devices_of(user)
    if totp is None:
        return "", _("尚未绑定动态口令。")
    allowed, _info = totp.verify_is_allowed()
    if not allowed:
        log_action(action="auth.otp.failed", actor=user, obj=user, unit=home_unit(user),
                   data={"address": address})
        return "", _("验证失败次数过多，请稍等片刻再试。")
    if token.isdigit() and len(token) == totp.digits:
        if totp.verify_token(token):
            log_action(action="auth.otp.verified", actor=user, obj=user, unit=home_unit(user),
                       data={"address": address})
            return str(totp.persistent_id), ""
    elif static is not None and static.verify_token(token):
        log_action(action="auth.otp.recovery_used", actor=user, obj=user, unit=home_unit(user),
                   data={"address": address, "left": static.token_set.count()})
        return str(static.persistent_id), ""
    if not (token.isdigit() and len(token) == totp.digits):
        # A wrong recovery code counts against the app's device too.
        totp.throttle_increment()
    log_action(action="auth.otp.failed", actor=user, obj=user, unit=home_unit(user),
               data={"address": address})
    return "", _("验证码不正确或已过期。")


@transaction.atomic
def reset_second_factor(*, scope: Scope, user: User) -> None:
    """The 安全管理员 removes a person's authenticator and recovery codes (a lost phone);
    the person binds a new one at their next login."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from chuangjian.accounts.selectors import secured_people

    if not secured_people(scope=scope).filter(pk=user.pk).exists() or scope.user_id == user.pk:
        raise PermissionDenied
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    actor = User.objects.filter(pk=scope.user_id).first() if scope.user_id else None
    log_action(action="auth.otp.reset", actor=actor, obj=user, unit=home_unit(user),
               data={"username": user.username})
