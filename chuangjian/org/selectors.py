"""Reads of the org tree, always through the reader's scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import CharField, Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from chuangjian.org.models import Membership, Unit, UnitVersion, User
from chuangjian.org.scope import Cap, Scope, require_visible


def unit_for(*, scope: Scope, code: str, cap: Cap = Cap.VIEW) -> Unit:
    """The unit with ``code`` if the scope may ``cap`` it, else 404 (never leak existence)."""
    unit = scope.filter(Unit.objects.select_related("parent"), cap).filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


def visible_units(*, scope: Scope, level: str | None = None, query: str = "",
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


def children_of(*, scope: Scope, unit: Unit | None) -> QuerySet[Unit]:
    if unit is None:
        roots = scope.root_units()
        return Unit.objects.filter(pk__in=[u.pk for u in roots]).annotate(
            n_children=Count("children")).order_by("kind", "sort_key")
    return scope.units().filter(parent=unit).annotate(
        n_children=Count("children")).order_by("kind", "sort_key")


def subtree(*, scope: Scope, unit: Unit) -> QuerySet[Unit]:
    """The unit and everything under it: one indexed prefix query."""
    return scope.units().filter(path__startswith=unit.path)


def ancestors(unit: Unit) -> list[Unit]:
    """Breadcrumb: names of the units above (shown even outside scope, no data)."""
    ids = unit.ancestor_ids()
    by_id = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
    return [by_id[i] for i in ids if i in by_id]


def tree_as_of(*, scope: Scope, day: dt.date, root: Unit | None = None) -> list[UnitVersion]:
    """The versions valid on ``day`` — the tree as it stood then — within scope."""
    qs = UnitVersion.objects.filter(valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day)).select_related("unit")
    if root is not None:
        qs = qs.filter(path__startswith=root.path) if root.path else qs
    qs = scope.filter(qs, field_name="unit__path")
    return sorted(qs, key=lambda v: v.path)


def people_for(*, scope: Scope) -> QuerySet[User]:
    """Users who hold a membership somewhere the scope may manage people."""
    if scope.is_global:
        return User.objects.all()
    ms = scope.filter(Membership.objects.all(), Cap.MANAGE_PEOPLE, field_name="unit__path")
    return User.objects.filter(pk__in=ms.values("user_id"))


def user_for(*, scope: Scope, pk: int) -> User:
    user = people_for(scope=scope).filter(pk=pk).first()
    if user is None:
        raise Http404
    return user


def memberships_of(*, scope: Scope, user: User) -> QuerySet[Membership]:
    return scope.filter(Membership.objects.filter(user=user).select_related("unit"),
                        field_name="unit__path")


# -- helpers for the web pages (appended) ------------------------------------------------

def search_units(*, scope: Scope, query: str, limit: int = 100) -> list[Unit]:
    """Units matching ``query`` by name, code prefix or pinyin (spaces ignored: "xingfu")."""
    from django.db.models import Value
    from django.db.models.functions import Replace

    query = query.strip()
    if not query:
        return []
    compact = query.lower().replace(" ", "")
    qs = scope.units().select_related("parent").annotate(
        pinyin_compact=Replace("sort_key", Value(" "), Value("")))
    qs = qs.filter(Q(name__icontains=query) | Q(code__istartswith=query) |
                   Q(sort_key__contains=query.lower()) | Q(pinyin_compact__contains=compact))
    return list(qs.order_by("path")[:limit])


def names_by_id(ids: set[int]) -> dict[int, str]:
    """Unit names for a set of ids, in one query (breadcrumb trails of search results)."""
    return dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name"))


def unit_counts_by_level(*, scope: Scope, include_closed: bool = False) -> dict[str, int]:
    qs = scope.units()
    if not include_closed:
        qs = qs.filter(closed_on__isnull=True)
    return dict(qs.order_by().values_list("level").annotate(n=Count("pk")))


def memberships_at_or_above(*, scope: Scope, unit: Unit) -> QuerySet[Membership]:
    """Roles held at the unit or an ancestor: the chain of responsibility (责任链)."""
    require_visible(scope, unit)
    return (Membership.objects.filter(unit_id__in=[*unit.ancestor_ids(), unit.pk],
                                      user__is_active=True)
            .select_related("user", "unit").order_by("unit__depth", "role", "user__full_name"))


def subtree_size(*, scope: Scope, unit: Unit) -> int:
    require_visible(scope, unit)
    return Unit.objects.filter(path__startswith=unit.path).count()


def move_targets(*, scope: Scope, unit: Unit) -> QuerySet[Unit]:
    """Open units where ``unit`` could go: managed by the scope, outside its own subtree,
    and (for an area unit 块) of a higher level."""
    from chuangjian.org.levels import LEVEL_ORDER, Kind

    qs = scope.units(Cap.MANAGE_UNITS).filter(closed_on__isnull=True).exclude(
        path__startswith=unit.path)
    if unit.parent_id is not None:
        qs = qs.exclude(pk=unit.parent_id)
    if unit.kind == Kind.AREA:
        higher = [code for code, order in LEVEL_ORDER.items() if order < LEVEL_ORDER[unit.level]]
        qs = qs.filter(level__in=higher, kind=Kind.AREA)
    else:
        qs = qs.filter(kind=Kind.AREA)
    return qs.order_by("path")


def audit_entries(*, scope: Scope) -> QuerySet[Any]:
    """Audit entries the scope may browse: within VIEW_AUDIT prefixes (the 审计管理员's).

    Entries without a unit (accounts, tokens, logins of unknown usernames) belong to the
    whole deployment: an auditor whose role sits at a top unit sees them too.
    """
    from chuangjian.audit.models import AuditEntry

    entries = AuditEntry.objects.select_related("actor", "unit")
    cond = scope.q(Cap.VIEW_AUDIT, field_name="unit_path")
    top = [p for p in scope.prefixes(Cap.VIEW_AUDIT) if p.count("/") == 1]
    if top:
        cond |= Q(unit_path="")
    return entries.filter(cond)


def unit_history(*, scope: Scope, unit: Unit) -> tuple[list[UnitVersion], list[Any]]:
    """The unit's versions (newest first) and the splits/merges it took part in."""
    require_visible(scope, unit)
    from chuangjian.org.models import UnitSuccession

    versions = list(unit.versions.select_related("parent").order_by("-valid_from", "-pk"))
    successions = list(UnitSuccession.objects.filter(Q(predecessor=unit) | Q(successor=unit))
                       .select_related("predecessor", "successor").order_by("-on"))
    return versions, successions


# -- the tree as it stood on a past day (effective-dated) ---------------------------------

def path_on(day: dt.date, *, unit_ref: str = "pk") -> Coalesce:
    """An expression for ``annotate()``: the materialized path the unit held on ``day``.

    ``unit_ref`` names the unit in the annotated query (``"pk"`` on ``Unit``, ``"unit"``
    on a model with a ``unit`` foreign key). The place is the unit's version valid that
    day. A unit closed (or split away) by then keeps the place it held last, so data it
    reported before closing still counts where it stood; a unit created later takes its
    first place; a unit without any version, its current path.
    """
    versions = UnitVersion.objects.filter(unit=OuterRef(unit_ref))
    held_last = versions.filter(valid_from__lte=day).order_by("-valid_from", "-pk")
    held_first = versions.order_by("valid_from", "pk")
    current = "path" if unit_ref == "pk" else f"{unit_ref}__path"
    return Coalesce(Subquery(held_last.values("path")[:1]),
                    Subquery(held_first.values("path")[:1]), F(current),
                    output_field=CharField())


def paths_on(units: Iterable[Unit], day: dt.date) -> dict[int, str]:
    """Unit id → the path it held on ``day`` (see ``path_on``), in one query."""
    ids = [u.pk for u in units]
    return dict(Unit.objects.filter(pk__in=ids).annotate(then=path_on(day))
                .values_list("pk", "then"))


def subtree_on(unit: Unit, day: dt.date) -> QuerySet[Unit]:
    """The unit and the units under it as the tree stood on ``day`` (descendants of X as
    of D): units open that day whose path then starts with the unit's path then, each
    annotated with ``path_then`` and ordered by it."""
    root = paths_on([unit], day)[unit.pk]
    return (Unit.objects.open_on(day).annotate(path_then=path_on(day))
            .filter(path_then__startswith=root).order_by("path_then"))


def moved_since(units: Iterable[Unit], day: dt.date) -> bool:
    """Whether the subtrees of ``units`` differ from the current tree when seen as of
    ``day``: some unit under one of them, then or now, held on or after ``day`` a place
    it no longer holds. When false, the current paths are the paths of ``day``."""
    cond = Q()
    for unit in units:
        cond |= Q(path__startswith=unit.path) | Q(unit__path__startswith=unit.path)
    if not cond:
        return False
    # A version ending after ``day`` was (or became) valid on or after it; if its path is
    # not the unit's current one, the unit stood elsewhere then.
    return (UnitVersion.objects.filter(cond, valid_to__gt=day)
            .exclude(path=F("unit__path")).exists())


def search_people(query: str, *, scope: Scope, limit: int = 50) -> list[User]:
    """People the scope may manage whose name, username, phone or title matches ``query``."""
    query = query.strip()
    if not query or not scope.allows_any(Cap.MANAGE_PEOPLE):
        return []
    qs = people_for(scope=scope).filter(Q(username__icontains=query) | Q(full_name__icontains=query) |
                                  Q(phone__contains=query) | Q(title__icontains=query))
    return list(qs.order_by("-is_active", "full_name", "username")[:limit])
