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

from chuangjian.files.models import StoredFile
from chuangjian.org.scope import Scope

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
