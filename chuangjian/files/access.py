"""Who may open a stored file: every app that links files registers a checker.

A file is served when any registered checker says the user may see an object
that uses it (a finding's photo, an activity's document). Nothing is public
by default.

    from chuangjian.files.access import register

    @register
    def activity_files(user, scope, stored_file) -> bool:
        return activity_selectors.visible(scope).filter(photos=stored_file).exists()
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

from chuangjian.audit.log import log_action
from chuangjian.files.models import StoredFile
from chuangjian.org.scope import Cap, Scope

Checker = Callable[[Any, Scope, StoredFile], bool]
_CHECKERS: list[Checker] = []


def register(checker: Checker) -> Checker:
    if checker not in _CHECKERS:
        _CHECKERS.append(checker)
    return checker


def may_open(user: Any, scope: Scope, stored: StoredFile) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    if stored.uploaded_by_id is not None and stored.uploaded_by_id == getattr(user, "pk", None):
        return True
    return any(check(user, scope, stored) for check in _CHECKERS)


# The capability whose work needs a photo's place and device: an inspector checks
# where a problem was photographed. Everyone else sees the copy without EXIF.
ORIGINAL_CAP = Cap.INSPECT


def may_open_original(user: Any, scope: Scope, stored: StoredFile) -> bool:
    """Whether ``user`` may download an image's original with its EXIF (GPS, phone)."""
    if not stored.is_image:
        return may_open(user, scope, stored)
    if stored.uploaded_by_id is not None and stored.uploaded_by_id == getattr(user, "pk", None):
        return True
    return scope.allows_any(ORIGINAL_CAP) and may_open(user, scope, stored)


@transaction.atomic
def record_original_read(*, actor: Any, scope: Scope, stored: StoredFile) -> None:
    """Audit that an original image (with its location data) was handed out."""
    log_action(action="files.original.read", actor=actor, obj=stored,
               data={"name": stored.name, "global": scope.is_global})
