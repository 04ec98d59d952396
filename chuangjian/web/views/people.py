"""Users and memberships (用户与任职), for those who may manage people."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from chuangjian.lib.versions import StaleEdit, posted_version, show_stale
from chuangjian.org import actions, selectors
from chuangjian.org.models import Membership, Unit, User
from chuangjian.org.scope import Cap, Scope
from chuangjian.web.forms import (
    MembershipForm,
    PasswordForm,
    PersonCreateForm,
    PersonForm,
    apply_errors,
)
from chuangjian.web.views.common import AuthedRequest, require_any


def _manageable_units(scope: Scope) -> QuerySet[Unit]:
    """Units where this scope may give roles: strictly below its own level."""
    own_level = [g.unit_id for g in scope.grants
                 if not scope.reaches_below(g.path, Cap.MANAGE_PEOPLE)]
    return (scope.units(Cap.MANAGE_PEOPLE).filter(closed_on__isnull=True)
            .exclude(pk__in=own_level).order_by("path"))


def _person(request: AuthedRequest, pk: int, *, changing: bool = False) -> tuple[Scope, User]:
    scope = require_any(request, Cap.MANAGE_PEOPLE)
    person = selectors.user_for(scope=scope, pk=pk)
    # Only people wholly below the manager's level may be changed: a street admin must not
    # reset a district admin's password because that admin also holds a community role.
    if changing and not scope.may_change_person(person):
        raise PermissionDenied
    return scope, person


@login_required
def people(request: AuthedRequest) -> HttpResponse:
    scope = require_any(request, Cap.MANAGE_PEOPLE)
    query = request.GET.get("q", "").strip()[:50]
    qs = selectors.people_for(scope=scope).prefetch_related(Prefetch(
        "memberships", to_attr="scoped_memberships",
        queryset=scope.filter(Membership.objects.select_related("unit"),
                              field_name="unit__path").order_by("unit__depth")))
    if query:
        qs = qs.filter(Q(username__icontains=query) | Q(full_name__icontains=query) |
                       Q(phone__contains=query) | Q(title__icontains=query))
    page = Paginator(qs.order_by("-is_active", "full_name", "username"), 25).get_page(
        request.GET.get("page"))
    return render(request, "web/people_list.html", {"page": page, "query": query})


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: AuthedRequest) -> HttpResponse:
    scope = require_any(request, Cap.MANAGE_PEOPLE)
    form = PersonCreateForm(request.POST or None, units=_manageable_units(scope),
                            initial={"unit": request.GET.get("unit")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = actions.create_user_with_membership(
                actor=request.user, scope=scope, username=data["username"], full_name=data["full_name"],
                password=data["password"], unit=data["unit"], role=data["role"],
                phone=data["phone"], title=data["title"])
        except ValidationError as exc:
            apply_errors(form, exc, "password")
        except PermissionDenied as exc:
            form.add_error("role", str(exc))
        else:
            messages.success(request, _("已新建用户「%(name)s」。") % {"name": person.display_name})
            return redirect("web:person", pk=person.pk)
    return render(request, "web/person_create.html", {"form": form})


@login_required
def person(request: AuthedRequest, pk: int) -> HttpResponse:
    scope, person = _person(request, pk)
    memberships = list(selectors.memberships_of(scope=scope, user=person).order_by("unit__depth"))
    for m in memberships:
        m.can_remove = scope.allows(m.unit, Cap.MANAGE_PEOPLE)  # type: ignore[attr-defined]
    return render(request, "web/person_detail.html", {
        "person": person, "memberships": memberships,
        "membership_form": MembershipForm(units=_manageable_units(scope)),
        "password_form": PasswordForm(),
        "can_change": scope.may_change_person(person),
        "is_self": person.pk == request.user.pk,
    })


@login_required
@require_POST
@never_cache
def person_phone(request: AuthedRequest, pk: int) -> HttpResponse:
    """The full phone number of one person (personal data): shown masked everywhere,
    revealed on request, and the reveal is in the audit log."""
    scope, person = _person(request, pk)
    phone = actions.reveal_user_phone(actor=request.user, scope=scope, user=person)
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponse(format_html('<span class="code fw-semibold" data-revealed="phone">'
                                        "{}</span>", phone or "—"))
    memberships = list(selectors.memberships_of(scope=scope, user=person).order_by("unit__depth"))
    for m in memberships:
        m.can_remove = scope.allows(m.unit, Cap.MANAGE_PEOPLE)  # type: ignore[attr-defined]
    return render(request, "web/person_detail.html", {
        "person": person, "memberships": memberships, "revealed_phone": phone or "—",
        "membership_form": MembershipForm(units=_manageable_units(scope)),
        "password_form": PasswordForm(), "can_change": scope.may_change_person(person),
        "is_self": person.pk == request.user.pk})


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    scope, person = _person(request, pk, changing=True)
    form = PersonForm(request.POST or None, initial={
        "full_name": person.full_name, "phone": person.phone, "title": person.title,
        "version": person.version})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            actions.update_user(actor=request.user, scope=scope, user=person,
                                expected_version=version, **data)
        except StaleEdit as stale:
            show_stale(form, stale)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存用户信息。"))
            return redirect("web:person", pk=person.pk)
    return render(request, "web/person_edit.html", {"person": person, "form": form},
                  status=409 if getattr(form, "stale", False) else 200)


@login_required
@require_POST
def person_active(request: AuthedRequest, pk: int) -> HttpResponse:
    scope, person = _person(request, pk, changing=True)
    if person.pk == request.user.pk:
        messages.error(request, _("不能停用自己的账号。"))
        return redirect("web:person", pk=person.pk)
    active = request.POST.get("active") == "1"
    actions.update_user(actor=request.user, scope=scope, user=person, is_active=active)
    messages.success(request, _("已启用该账号。") if active else _("已停用该账号，其无法再登录。"))
    return redirect("web:person", pk=person.pk)


@login_required
@require_POST
def person_password(request: AuthedRequest, pk: int) -> HttpResponse:
    scope, person = _person(request, pk, changing=True)
    form = PasswordForm(request.POST)
    if form.is_valid():
        try:
            actions.set_user_password(actor=request.user, scope=scope, user=person,
                                      password=form.cleaned_data["password"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已重置密码。"))
    else:
        messages.error(request, _("请输入新密码。"))
    return redirect("web:person", pk=person.pk)


@login_required
@require_POST
def membership_add(request: AuthedRequest, pk: int) -> HttpResponse:
    scope, person = _person(request, pk, changing=True)
    form = MembershipForm(request.POST, units=_manageable_units(scope))
    if form.is_valid():
        try:
            actions.add_membership(actor=request.user, scope=scope, user=person,
                                   unit=form.cleaned_data["unit"], role=form.cleaned_data["role"],
                                   expected_version=posted_version(request))
        except StaleEdit as stale:
            messages.error(request, _("「%(name)s」的信息已被他人修改，任职未添加；请核对下方最新内容后重试。")
                           % {"name": person.display_name})
            del stale
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已添加任职。"))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("web:person", pk=person.pk)


@login_required
@require_POST
def membership_remove(request: AuthedRequest, pk: int, membership_id: int) -> HttpResponse:
    scope, person = _person(request, pk, changing=True)
    membership = (selectors.memberships_of(scope=scope, user=person).filter(pk=membership_id)
                  .select_related("user").first())
    if membership is None:
        from django.http import Http404

        raise Http404
    if not scope.allows(membership.unit, Cap.MANAGE_PEOPLE):
        raise PermissionDenied
    actions.remove_membership(actor=request.user, scope=scope, membership=membership)
    messages.success(request, _("已解除「%(unit)s」的任职。") % {"unit": membership.unit.name})
    return redirect("web:person", pk=person.pk)
