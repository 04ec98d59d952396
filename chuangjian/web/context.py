"""Template context shared by every page: the left navigation and the user's roles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from chuangjian.org.scope import Cap


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    icon: str
    active: bool = False


def _api_docs_url() -> str | None:
    """The API documentation, if the api app serves it yet (show only what works)."""
    try:
        resolve("/api/docs")
    except Resolver404:
        return None
    return "/api/docs"


def build_navigation(request: HttpRequest) -> list[NavItem]:
    scope = request.scope  # type: ignore[attr-defined]
    match = getattr(request, "resolver_match", None)
    current = getattr(match, "url_name", "") or ""
    current_ns = getattr(match, "namespace", "") or ""
    items: list[tuple[str, str, str, tuple[str, ...]]] = [
        (_("首页"), "web:home", "bi-house-door", ("home",)),
        (_("组织架构"), "web:tree", "bi-diagram-3",
         ("tree", "tree_children", "unit", "unit_create", "unit_edit", "unit_move",
          "unit_close", "unit_split")),
        (_("创建标准"), "standards:list", "bi-journal-check", ("list", "detail")),
    ]
    if not scope.is_empty:
        # Whole sections: every page of the namespace marks the item active ("*").
        at = 1
        for label, name, icon in (
                (_("数据看板"), "dashboards:index", "bi-speedometer2"),
                (_("考核评估"), "assessment:index", "bi-clipboard2-check"),
                (_("督查整改"), "inspections:index", "bi-search"),
                (_("计划与任务"), "tasks:mine", "bi-list-check"),
                (_("活动与台账"), "evidence:index", "bi-journal-album"),
                (_("问卷调查"), "surveys:index", "bi-ui-checks"),
                (_("评选与称号"), "awards:index", "bi-trophy"),
                (_("帮教对象"), "cases:index", "bi-person-heart")):
            items.insert(at, (label, name, icon, ("*",)))
            at += 1
    if not scope.is_empty:
        items.append((_("实有人口"), "residents:index", "bi-person-vcard", ("*",)))
    if not scope.is_empty:
        items.insert(1, (_("数据上报"), "reporting:inbox", "bi-clipboard-data",
                         ("inbox", "form", "review_list", "review", "missing", "xlsx",
                          "xlsx_template", "news", "news_new", "history", "exception")))
    if scope.allows_any(Cap.MANAGE_PEOPLE):
        items.append((_("用户与任职"), "web:people", "bi-people",
                      ("people", "person", "person_create", "person_edit")))
    if scope.allows_any(Cap.VIEW_AUDIT):
        items.append((_("操作日志"), "web:audit", "bi-journal-text", ("audit",)))
    if scope.allows_any(Cap.MANAGE_SECURITY):
        items.append((_("账号安全"), "web:security", "bi-shield-lock", ("security",)))
    nav: list[NavItem] = []
    for label, name, icon, names in items:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        active = ("*" in names or current in names) and name.split(":")[0] == current_ns
        nav.append(NavItem(label, url, icon, active))
    api_docs = _api_docs_url()
    if api_docs:
        nav.append(NavItem(_("API 文档"), api_docs, "bi-code-slash"))
    return nav


def role_summary(request: HttpRequest) -> list[str]:
    """"城关街道 · 领导（第一责任人）" for each role of the signed-in user."""
    user = request.user
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return [_("超级管理员")]
    from chuangjian.org.models import Membership

    rows = (Membership.objects.filter(user=user, unit__closed_on__isnull=True)
            .select_related("unit").order_by("unit__depth", "unit__sort_key"))
    return [f"{m.unit.name} · {m.get_role_display()}" for m in rows]


def navigation(request: HttpRequest) -> dict[str, Any]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    # Lazy, so that htmx partials which never show the frame cost no queries.
    return {
        "nav_items": SimpleLazyObject(lambda: build_navigation(request)),
        "user_roles": SimpleLazyObject(lambda: role_summary(request)),
    }
