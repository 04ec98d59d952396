"""Password rules of 等保 2.0 level 3 (口令复杂度), as Django password validators.

Django's own validators give the length, the common-password list and the similarity
check; these two add what the standard asks beyond them: three of the four character
classes, and never the username inside the password (whatever the case).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def character_classes(password: str) -> int:
    """How many of lower case, upper case, digits and other signs the password uses."""
    lower = any(c.isascii() and c.islower() for c in password)
    upper = any(c.isascii() and c.isupper() for c in password)
    digit = any(c.isascii() and c.isdigit() for c in password)
    other = any(not (c.isascii() and c.isalnum()) for c in password)
    return lower + upper + digit + other


class CharacterClassesValidator:
    """At least ``min_classes`` of: lower case, upper case, digits, other signs."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类。") % {"n": self.min_classes},
                code="password_too_simple")

    def get_help_text(self) -> str:
        return _("至少包含大写字母、小写字母、数字、符号中的 %(n)d 类。") % {"n": self.min_classes}


class NotUsernameValidator:
    """The password may not contain the username (nor the username reversed)."""

    def validate(self, password: str, user: Any = None) -> None:
        username = (getattr(user, "username", "") or "").strip().lower()
        if len(username) < 3:
            return
        lowered = password.lower()
        if username in lowered or username[::-1] in lowered:
            raise ValidationError(_("密码不能包含用户名。"), code="password_contains_username")

    def get_help_text(self) -> str:
        return _("不能包含用户名。")
