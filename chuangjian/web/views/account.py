"""The signed-in person's own account: password change (自助修改密码) and the second
factor (动态口令): enrolment and verification."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from chuangjian.accounts import actions, otp
from chuangjian.accounts.signals import client_address
from chuangjian.web.forms import apply_errors
from chuangjian.web.forms_accounts import PasswordChangeForm, TokenForm
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


@login_required
def otp_enrol(request: HttpRequest) -> HttpResponse:
    """Bind an authenticator app: scan the QR code, type the first code, keep the
    recovery codes."""
    user = request.user
    if otp.has_confirmed_totp(user) and not otp.is_verified(request.session):  # type: ignore[arg-type]
        # A new app is bound only by someone who has passed the current one.
        return redirect("web:otp_verify")
    key = otp.pending_key(request.session)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = actions.confirm_totp_enrolment(
                scope=scope_of(request), user=user,  # type: ignore[arg-type]
                hex_key=key, token=form.cleaned_data["token"])
        except ValidationError as exc:
            apply_errors(form, exc, "token")
        else:
            totp, _static = otp.devices_of(user)  # type: ignore[arg-type]
            otp.mark_verified(request.session, str(totp.persistent_id if totp else ""))
            return render(request, "web/account/otp_codes.html", {"codes": codes})
    return render(request, "web/account/otp_enrol.html", {
        "form": form, "qr": otp.qr_svg(user, key),  # type: ignore[arg-type]
        "readable_key": otp.readable_key(key), "issuer": otp.issuer(),
    })


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step after the password: a code from the app, or a recovery code."""
    user = request.user
    if not otp.has_confirmed_totp(user):  # type: ignore[arg-type]
        return redirect("web:otp_enrol")
    form = TokenForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        device_id, error = actions.verify_second_factor(
            scope=scope_of(request), user=user,  # type: ignore[arg-type]
            token=form.cleaned_data["token"], address=client_address(request))
        if device_id:
            otp.mark_verified(request.session, device_id)
            if not url_has_allowed_host_and_scheme(next_url, {request.get_host()},
                                                   require_https=request.is_secure()):
                next_url = ""
            return redirect(next_url or "web:home")
        form.add_error("token", error)
    return render(request, "web/account/otp_verify.html", {"form": form, "next": next_url})
