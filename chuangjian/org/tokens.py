"""API tokens (接口令牌): create, revoke, and resolve a bearer key to its user.

Only the SHA-256 of a key is stored, so a key is shown exactly once, when it is
created; a lost key is revoked and replaced, never recovered.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from chuangjian.audit.log import log_action
from chuangjian.org.models import ApiToken, User

# Writing last_used_at on every request would turn each API read into a write;
# once a minute is precise enough to tell a live integration from a dead one.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


@transaction.atomic
def create_api_token(*, actor: User | None, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns it with the plain key (shown only now)."""
    key = ApiToken.new_key()
    token = ApiToken(user=user, name=name.strip(), prefix=key[:8],
                     key_hash=ApiToken.hash_key(key))
    token.full_clean()
    token.save()
    log_action(action="org.token.created", actor=actor, obj=token,
               data={"user": user.username, "name": token.name, "prefix": token.prefix})
    return token, key


@transaction.atomic
def revoke_api_token(*, actor: User | None, token: ApiToken) -> None:
    log_action(action="org.token.revoked", actor=actor, obj=token,
               data={"user": token.user.username, "name": token.name, "prefix": token.prefix})
    token.delete()


def user_for_key(key: str) -> User | None:
    """The active user a bearer key belongs to, or None; marks the token as used."""
    if not key.startswith("cj_"):
        return None
    token = (ApiToken.objects.select_related("user")
             .filter(key_hash=ApiToken.hash_key(key)).first())
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        # A bookkeeping timestamp, not a change of state: no audit entry.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
