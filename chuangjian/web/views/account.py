"""The signed-in person's own account: password change (自助修改密码)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from chuangjian.accounts import actions
from chuangjian.web.forms import apply_errors
from chuangjian.web.forms_accounts import PasswordChangeForm
from chuangjian.web.views.common import scope_of


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user = request.user
    forced = bool(getattr(user, "must_change_password", False))
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            changed = actions.change_own_password(
                scope=scope_of(request), user=user,  # type: ignore[arg-type]
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"])
        except ValidationError as exc:
            apply_errors(form, exc, "new_password1")
        else:
            # Keep this session signed in; other sessions of the person end.
            update_session_auth_hash(request, changed)
            messages.success(request, _("密码已修改。"))
            return redirect("web:home")
    return render(request, "web/account/password_change.html", {
        "form": form, "forced": forced,
        "base_template": "web/base_plain.html" if forced else "web/base.html",
    })
