"""Forms of the account pages: own password, second-factor enrolment and verification."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chuangjian.web.forms import Styled

# Bounded inputs: nobody needs a password longer than this, and hashing a megabyte of
# password on every attempt is a cheap denial of service.
MAX_PASSWORD_LENGTH = 128


class PasswordChangeForm(Styled, forms.Form):
    old_password = forms.CharField(label=_("当前密码"), max_length=MAX_PASSWORD_LENGTH, strip=False,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password1 = forms.CharField(
        label=_("新密码"), max_length=MAX_PASSWORD_LENGTH, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少 10 位，包含大写字母、小写字母、数字、符号中的至少 3 类，且不能包含用户名。"))
    new_password2 = forms.CharField(label=_("再次输入新密码"), max_length=MAX_PASSWORD_LENGTH,
                                    strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        one, two = data.get("new_password1"), data.get("new_password2")
        if one and two and one != two:
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        return data


class TokenForm(Styled, forms.Form):
    """A six-digit code from the authenticator app, or a recovery code."""

    token = forms.CharField(label=_("验证码"), max_length=16, strip=True,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                          "inputmode": "numeric",
                                                          "autofocus": True}))

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split()).lower()
        if not token.isalnum():
            raise forms.ValidationError(_("验证码只能包含数字或字母。"))
        return token
