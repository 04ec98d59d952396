"""The one place that answers "what may this user see and do here" (权限范围).

A membership gives a role at a unit, and that role reaches the unit's whole
subtree. A user's scope is resolved once per request into a set of path prefixes
with the capabilities each brings; every selector, view, API endpoint, export and
background job filters through it. A superuser is a 管理员 of the whole tree.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from chuangjian.org.levels import LEVEL_ORDER, Level
from chuangjian.org.models import Membership, Role, Unit

if TYPE_CHECKING:
    from chuangjian.org.models import User


class Cap(enum.StrEnum):
    """Capabilities. Views ask for a capability, never for a role."""

    VIEW = "view"                      # see the unit, its data and pages
    ENTER_DATA = "enter_data"          # fill in reports, record activities
    APPROVE = "approve"                # accept / return the reports of units below
    INSPECT = "inspect"                # run inspections, record findings
    MANAGE_UNITS = "manage_units"      # create, move, rename, close units
    MANAGE_PEOPLE = "manage_people"    # users and memberships
    VIEW_AUDIT = "view_audit"          # browse the audit log (审计管理员 only)
    VIEW_CASES = "view_cases"          # work the case register here (帮教对象): open cases
    VIEW_CASE_NOTES = "view_case_notes"  # read visit notes and test results of a case one sees
    SUPERVISE_CASES = "supervise_cases"  # every case in scope, approve exports (帮教督导)
    VIEW_CASE_LOG = "view_case_log"    # read who looked at which case (帮教查看记录)
    MANAGE_SECURITY = "manage_security"  # unlock accounts, reset second factors (安全管理员)
    AUTHOR_STANDARDS = "author_standards"  # draft campaign standards from plans (计划读取)
    # Personal data of the registers (个人信息保护法, decision 0020): who may see the rows
    # that name residents (names, masked numbers), and who may reveal a full ID or phone
    # number (each reveal audited). Above the community only counts and rates are shown.
    VIEW_PERSONS = "view_persons"
    REVEAL_PERSONAL = "reveal_personal"
    # Awards and titles (评选与称号, decision 0031): who organises a round at a unit
    # (open it, 初审, scores, 公示, answer objections) and who names or withdraws titles.
    ORGANISE_AWARDS = "organise_awards"
    NAME_AWARDS = "name_awards"


# Capabilities of the other two administrators (三员分立): nobody but the 审计管理员 reads
# the audit log, nobody but the 安全管理员 manages account security (decision 0010).
SEPARATED_CAPS = frozenset({Cap.VIEW_AUDIT, Cap.MANAGE_SECURITY})
# The case register (帮教对象) is open only to those who work the case; no administrator
# holds any of it, and its access log is read by the 安全管理员 (decision 0022).
CASE_CAPS = frozenset({Cap.VIEW_CASES, Cap.VIEW_CASE_NOTES, Cap.SUPERVISE_CASES,
                       Cap.VIEW_CASE_LOG})

# Capabilities over personal data that a role brings only where it works with residents
# in person: held at a community (or a grid or building below it), they reach that
# community's registers; held at a street or district, they are not granted, and the
# level above sees counts and rates, never names (decision 0020).
PERSONAL_CAPS = frozenset({Cap.VIEW_PERSONS, Cap.REVEAL_PERSONAL})
ROLE_NEAR_CAPS: dict[str, frozenset[Cap]] = {
    Role.LEADER: frozenset({Cap.VIEW_PERSONS}),
    Role.RESPONSIBLE: frozenset({Cap.VIEW_PERSONS, Cap.REVEAL_PERSONAL}),
    Role.WORKER: frozenset({Cap.VIEW_PERSONS, Cap.REVEAL_PERSONAL}),
}
# ... and the roles whose work needs names wherever they are held: the 社工 of a street
# works the cases of its residents, who are found in the resident register.
ROLE_FAR_CAPS: dict[str, frozenset[Cap]] = {
    Role.CASEWORKER: frozenset({Cap.VIEW_PERSONS, Cap.REVEAL_PERSONAL}),
    Role.CASE_SUPERVISOR: frozenset({Cap.VIEW_PERSONS, Cap.REVEAL_PERSONAL}),
}


def _near(level: str) -> bool:
    return LEVEL_ORDER.get(level, 0) >= LEVEL_ORDER[Level.COMMUNITY]


ROLE_CAPS: dict[str, frozenset[Cap]] = {
    Role.ADMIN: frozenset(Cap) - CASE_CAPS - SEPARATED_CAPS - PERSONAL_CAPS,
    Role.SECURITY: frozenset({Cap.MANAGE_SECURITY, Cap.VIEW_CASE_LOG}),
    Role.AUDITOR: frozenset({Cap.VIEW_AUDIT}),
    Role.LEADER: frozenset({Cap.VIEW, Cap.ENTER_DATA, Cap.APPROVE, Cap.ORGANISE_AWARDS,
                            Cap.NAME_AWARDS}),
    Role.RESPONSIBLE: frozenset({Cap.VIEW, Cap.ENTER_DATA, Cap.APPROVE, Cap.ORGANISE_AWARDS}),
    Role.WORKER: frozenset({Cap.VIEW, Cap.ENTER_DATA}),
    Role.INSPECTOR: frozenset({Cap.VIEW, Cap.INSPECT}),
    Role.CASEWORKER: frozenset({Cap.VIEW, Cap.VIEW_CASES, Cap.VIEW_CASE_NOTES}),
    Role.CASE_SUPERVISOR: frozenset({Cap.VIEW, Cap.VIEW_CASES, Cap.VIEW_CASE_NOTES,
                                     Cap.SUPERVISE_CASES}),
    Role.READONLY: frozenset({Cap.VIEW}),
}


@dataclass(frozen=True)
class Grant:
    path: str
    unit_id: int
    role: str
    level: str = ""

    @property
    def caps(self) -> frozenset[Cap]:
        caps = ROLE_CAPS.get(self.role, frozenset()) | ROLE_FAR_CAPS.get(self.role, frozenset())
        if _near(self.level):
            caps |= ROLE_NEAR_CAPS.get(self.role, frozenset())
        return caps


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    is_global: bool = False
    grants: tuple[Grant, ...] = field(default_factory=tuple)

    # -- building ---------------------------------------------------------------------
    @classmethod
    def for_user(cls, user: User | Any) -> Scope:
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return cls(user_id=None)
        if user.is_superuser:
            return cls(user_id=user.pk, is_global=True)
        rows = (Membership.objects.filter(user=user, unit__closed_on__isnull=True)
                .values_list("unit__path", "unit_id", "role", "unit__level"))
        return cls(user_id=user.pk, grants=tuple(Grant(p, u, r, lv) for p, u, r, lv in rows))

    @classmethod
    def system(cls) -> Scope:
        """The scope of command-line tools run by an operator on the server."""
        return cls(user_id=None, is_global=True)

    # -- questions --------------------------------------------------------------------
    @property
    def is_empty(self) -> bool:
        return not self.is_global and not self.grants

    def prefixes(self, cap: Cap = Cap.VIEW) -> list[str]:
        """Minimal set of path prefixes where ``cap`` holds (nested ones folded)."""
        paths = sorted({g.path for g in self.grants if cap in g.caps})
        folded: list[str] = []
        for p in paths:
            if not any(p.startswith(q) for q in folded):
                folded.append(p)
        return folded

    def _global_allows(self, cap: Cap) -> bool:
        # The operator account (a 系统管理员 of the whole tree) has everything except the
        # sensitive case register, which only the people who work the case (社工) may
        # open, the names and numbers of residents (decision 0020), and the powers of the
        # auditor and the security administrator (三员分立); the command-line system scope
        # (no user) is the one exception, for maintenance.
        if self.user_id is None:
            return True
        return cap not in CASE_CAPS and cap not in SEPARATED_CAPS and cap not in PERSONAL_CAPS

    def q(self, cap: Cap = Cap.VIEW, *, field_name: str = "path") -> Q:
        """A filter matching rows whose ``field_name`` path lies where ``cap`` holds."""
        if self.is_global:
            return Q() if self._global_allows(cap) else Q(pk__in=[])
        prefixes = self.prefixes(cap)
        if not prefixes:
            return Q(pk__in=[])
        cond = Q()
        for p in prefixes:
            cond |= Q(**{f"{field_name}__startswith": p})
        return cond

    def filter(self, qs: QuerySet[Any], cap: Cap = Cap.VIEW, *, field_name: str = "path"
               ) -> QuerySet[Any]:
        return qs.filter(self.q(cap, field_name=field_name))

    def units(self, cap: Cap = Cap.VIEW) -> QuerySet[Unit]:
        return self.filter(Unit.objects.all(), cap)

    def allows(self, unit: Unit | str, cap: Cap = Cap.VIEW) -> bool:
        if self.is_global:
            return self._global_allows(cap)
        path = unit if isinstance(unit, str) else unit.path
        return any(path.startswith(g.path) and cap in g.caps for g in self.grants)

    def allows_any(self, cap: Cap) -> bool:
        if self.is_global:
            return self._global_allows(cap)
        return any(cap in g.caps for g in self.grants)

    def roles_at(self, unit: Unit) -> set[str]:
        """The roles that reach ``unit`` (held there or at an ancestor)."""
        if self.is_global:
            return {Role.ADMIN.value}
        return {g.role for g in self.grants if unit.path.startswith(g.path)}

    def caps_at(self, unit: Unit) -> frozenset[Cap]:
        if self.is_global:
            return frozenset(c for c in Cap if self._global_allows(c))
        caps: set[Cap] = set()
        for g in self.grants:
            if unit.path.startswith(g.path):
                caps |= g.caps
        return frozenset(caps)

    def reaches_below(self, path: str, cap: Cap) -> bool:
        """Whether ``cap`` holds at ``path`` through a grant strictly above it: the rule for
        changing people, who may only be managed from a higher level than theirs."""
        if self.is_global:
            return self._global_allows(cap)
        return any(path.startswith(g.path) and path != g.path and cap in g.caps
                   for g in self.grants)

    def may_change_person(self, person: User) -> bool:
        """Whether this scope may change ``person`` (password, roles, activation).

        Every membership the person holds must lie strictly below a unit where this
        scope manages people: a street admin must not reach a district admin who also
        holds a community role, nor a fellow admin of the same street, nor themselves.
        """
        if self.is_global:
            return True
        if person.is_superuser or person.pk == self.user_id:
            return False
        paths = list(Membership.objects.filter(user=person).values_list("unit__path", flat=True))
        return bool(paths) and all(self.reaches_below(p, Cap.MANAGE_PEOPLE) for p in paths)

    def may_grant(self, unit: Unit, role: str, *, to_self: bool = False) -> bool:
        """Whether this scope may give ``role`` at ``unit``: below its own level, and only a
        role whose capabilities it holds there itself (no admin makes anyone a 社工).
        Nobody but the operator gives themselves a role; the operator account may give
        any role to others, never to itself one that carries a capability it lacks."""
        caps = ROLE_CAPS.get(role, frozenset())
        if self.is_global:
            # Including the personal-data capabilities the role would bring at this level:
            # the operator does not give itself a community role to read residents' names.
            full = Grant(unit.path, unit.pk, role, unit.level).caps
            return not to_self or full <= self.caps_at(unit)
        return (not to_self and self.reaches_below(unit.path, Cap.MANAGE_PEOPLE)
                and caps <= self.caps_at(unit))

    def root_units(self) -> list[Unit]:
        """The top units of the user's scope, for a home page or a tree."""
        if self.is_global:
            return list(Unit.objects.filter(parent__isnull=True).order_by("sort_key"))
        ids = [g.unit_id for g in self.grants if g.path in self.prefixes(Cap.VIEW)]
        return list(Unit.objects.filter(pk__in=ids).order_by("depth", "sort_key"))


def require(scope: Scope, unit: Unit, cap: Cap) -> None:
    """Raise ``PermissionDenied`` (403) unless ``cap`` holds at ``unit``."""
    from django.core.exceptions import PermissionDenied

    if not scope.allows(unit, cap):
        raise PermissionDenied


def require_visible(scope: Scope, unit: Unit, cap: Cap = Cap.VIEW) -> None:
    """Raise ``Http404`` unless ``cap`` holds at ``unit``: a selector never tells an
    outsider that something exists."""
    from django.http import Http404

    if not scope.allows(unit, cap):
        raise Http404


def path_of(ids: Iterable[int]) -> str:
    from chuangjian.org.models.units import path_segment

    return "".join(path_segment(i) for i in ids)
