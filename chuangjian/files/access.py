"""Who may open a stored file: every app that links files registers a checker.

A file is served when any registered checker says the user holds ``cap`` at the
unit of an object that uses it (a finding's photo, an activity's document): ``VIEW``
for the display copy, ``INSPECT`` for an image's original. Nothing is public by
default.

    from chuangjian.files.access import register

    @register
    def activity_files(user, scope, stored_file, cap) -> bool:
        return scope.filter(Activity.objects.filter(files=stored_file), cap,
                            field_name="unit__path").exists()
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

from chuangjian.audit.log import log_action
from chuangjian.files.models import StoredFile
from chuangjian.org.scope import Cap, Scope

Checker = Callable[[Any, Scope, StoredFile, Cap], bool]
_CHECKERS: list[Checker] = []


def register(checker: Checker) -> Checker:
    if checker not in _CHECKERS:
        _CHECKERS.append(checker)
    return checker


def may_open(user: Any, scope: Scope, stored: StoredFile, *, cap: Cap = Cap.VIEW) -> bool:
    """Whether ``user`` uploaded ``stored`` or holds ``cap`` where an object using it is."""
    if getattr(user, "is_superuser", False):
        return True
    if stored.uploaded_by_id is not None and stored.uploaded_by_id == getattr(user, "pk", None):
        return True
    return any(check(user, scope, stored, cap) for check in _CHECKERS)


# The capability whose work needs a photo's place and device: an inspector checks
# where a problem was photographed. Everyone else sees the copy without EXIF.
ORIGINAL_CAP = Cap.INSPECT


def may_open_original(user: Any, scope: Scope, stored: StoredFile) -> bool:
    """Whether ``user`` may download an image's original with its EXIF (GPS, phone): its
    uploader, or someone holding INSPECT at the unit of the finding, report or activity
    the photo belongs to — not an inspector of some other street who can merely view it."""
    if not stored.is_image:
        return may_open(user, scope, stored)
    return may_open(user, scope, stored, cap=ORIGINAL_CAP)


@transaction.atomic
def record_original_read(*, actor: Any, scope: Scope, stored: StoredFile) -> None:
    """Audit that an original image (with its location data) was handed out."""
    log_action(action="files.original.read", actor=actor, obj=stored,
               data={"name": stored.name, "global": scope.is_global})
