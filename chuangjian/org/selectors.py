"""Reads of the org tree, always through the reader's scope."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from chuangjian.org.models import Membership, Unit, UnitVersion, User
from chuangjian.org.scope import Cap, Scope


def unit_for(scope: Scope, code: str, cap: Cap = Cap.VIEW) -> Unit:
    """The unit with ``code`` if the scope may ``cap`` it, else 404 (never leak existence)."""
    unit = scope.filter(Unit.objects.select_related("parent"), cap).filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


def visible_units(scope: Scope, *, level: str | None = None, query: str = "",
                  include_closed: bool = True) -> QuerySet[Unit]:
    qs = scope.units().select_related("parent")
    if level:
        qs = qs.filter(level=level)
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(code__startswith=query) |
                       Q(sort_key__contains=query.lower()))
    if not include_closed:
        qs = qs.filter(closed_on__isnull=True)
    return qs


def children_of(scope: Scope, unit: Unit | None) -> QuerySet[Unit]:
    if unit is None:
        roots = scope.root_units()
        return Unit.objects.filter(pk__in=[u.pk for u in roots]).annotate(
            n_children=Count("children")).order_by("kind", "sort_key")
    return scope.units().filter(parent=unit).annotate(
        n_children=Count("children")).order_by("kind", "sort_key")


def subtree(scope: Scope, unit: Unit) -> QuerySet[Unit]:
    """The unit and everything under it: one indexed prefix query."""
    return scope.units().filter(path__startswith=unit.path)


def ancestors(unit: Unit) -> list[Unit]:
    """Breadcrumb: names of the units above (shown even outside scope, no data)."""
    ids = unit.ancestor_ids()
    by_id = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
    return [by_id[i] for i in ids if i in by_id]


def tree_as_of(scope: Scope, day: dt.date, root: Unit | None = None) -> list[UnitVersion]:
    """The versions valid on ``day`` — the tree as it stood then — within scope."""
    qs = UnitVersion.objects.filter(valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day)).select_related("unit")
    if root is not None:
        qs = qs.filter(path__startswith=root.path) if root.path else qs
    qs = scope.filter(qs, field_name="unit__path")
    return sorted(qs, key=lambda v: v.path)


def people_for(scope: Scope) -> QuerySet[User]:
    """Users who hold a membership somewhere the scope may manage people."""
    if scope.is_global:
        return User.objects.all()
    ms = scope.filter(Membership.objects.all(), Cap.MANAGE_PEOPLE, field_name="unit__path")
    return User.objects.filter(pk__in=ms.values("user_id"))


def user_for(scope: Scope, pk: int) -> User:
    user = people_for(scope).filter(pk=pk).first()
    if user is None:
        raise Http404
    return user


def memberships_of(scope: Scope, user: User) -> QuerySet[Membership]:
    return scope.filter(Membership.objects.filter(user=user).select_related("unit"),
                        field_name="unit__path")
