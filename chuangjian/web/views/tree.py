"""The org tree (组织架构): browse lazily, search, look at a past date, move a unit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chuangjian.org import actions, selectors
from chuangjian.org.models import Unit
from chuangjian.org.scope import Cap, Scope, require
from chuangjian.web.forms import MoveForm, TreeDateForm, apply_errors
from chuangjian.web.views.common import AuthedRequest, crumbs, scope_of


def _mark(scope: Scope, units: list[Unit]) -> list[Unit]:
    for u in units:
        u.can_manage = scope.allows(u, Cap.MANAGE_UNITS)  # type: ignore[attr-defined]
    return units


@login_required
def tree(request: AuthedRequest) -> HttpResponse:
    scope = scope_of(request)
    query = request.GET.get("q", "").strip()[:50]
    date_form = TreeDateForm(request.GET or None)
    context: dict[str, object] = {"query": query, "date_form": date_form,
                                  "can_manage_units": scope.allows_any(Cap.MANAGE_UNITS)}
    if query:
        results = selectors.search_units(scope=scope, query=query)
        names = selectors.names_by_id({i for u in results for i in u.ancestor_ids()})
        for u in results:
            u.trail = [names[i] for i in u.ancestor_ids() if i in names]  # type: ignore[attr-defined]
        context["results"] = _mark(scope, results)
    elif date_form.is_valid() and date_form.cleaned_data.get("on"):
        day = date_form.cleaned_data["on"]
        versions = selectors.tree_as_of(scope=scope, day=day)
        top = min((v.path.count("/") for v in versions), default=1)
        for v in versions:
            v.indent = v.path.count("/") - top  # type: ignore[attr-defined]
        context.update(history_day=day, versions=versions)
    else:
        roots = _mark(scope, list(selectors.children_of(scope=scope, unit=None)))
        # A single root (the usual case) opens one level so the page is never one line.
        if len(roots) == 1 and roots[0].n_children:  # type: ignore[attr-defined]
            roots[0].preloaded = _mark(  # type: ignore[attr-defined]
                scope, list(selectors.children_of(scope=scope, unit=roots[0])))
        context["roots"] = roots
    return render(request, "web/tree.html", context)


@login_required
def tree_children(request: AuthedRequest, code: str) -> HttpResponse:
    scope = scope_of(request)
    unit = selectors.unit_for(scope=scope, code=code)
    units = _mark(scope, list(selectors.children_of(scope=scope, unit=unit)))
    return render(request, "web/_tree_nodes.html", {"units": units})


@login_required
@require_http_methods(["GET", "POST"])
def unit_move(request: AuthedRequest, code: str) -> HttpResponse:
    """Choose the new parent, confirm (from → to, subtree size), then move."""
    scope = scope_of(request)
    unit = selectors.unit_for(scope=scope, code=code)
    require(scope, unit, Cap.MANAGE_UNITS)
    form = MoveForm(request.POST or None, targets=selectors.move_targets(scope=scope, unit=unit))
    context = {"unit": unit, "form": form, "trail": crumbs(scope, unit)}
    if request.method == "POST" and form.is_valid():
        new_parent = form.cleaned_data["new_parent"]
        require(scope, new_parent, Cap.MANAGE_UNITS)
        if request.POST.get("confirmed") == "1":
            try:
                actions.move_unit(actor=request.user, scope=scope, unit=unit, new_parent=new_parent,
                                  effective=form.cleaned_data.get("effective"))
            except ValidationError as exc:
                apply_errors(form, exc, "new_parent")
            else:
                messages.success(request, _("已将「%(unit)s」移至「%(parent)s」之下。") % {
                    "unit": unit.name, "parent": new_parent.name})
                return redirect("web:unit", code=unit.code)
        else:
            context.update(confirming=True, new_parent=new_parent,
                           new_trail=[*selectors.ancestors(new_parent), new_parent],
                           old_trail=[*selectors.ancestors(unit)],
                           subtree_size=selectors.subtree_size(scope=scope, unit=unit))
    return render(request, "web/unit_move.html", context)
