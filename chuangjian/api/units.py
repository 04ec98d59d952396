"""Endpoints of the org tree: units, a unit's subtree, the caller."""

# No ``from __future__ import annotations`` here: django-ninja reads the handlers'
# annotations at import time to build the request parsers and the OpenAPI schema.

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from chuangjian.api.auth import scope_of
from chuangjian.api.pagination import BoundedPageNumberPagination
from chuangjian.api.schemas import MeOut, UnitOut
from chuangjian.org.levels import level_from_text
from chuangjian.org.models import Role, Unit
from chuangjian.org.selectors import memberships_of, subtree, unit_for, visible_units

router = Router(tags=["组织架构"])


class UnitFilters(Schema):
    level: str | None = None
    q: str = ""
    under: str | None = None


@router.get("/units", response=list[UnitOut], summary="单位列表",
            description="权限范围内的单位，按树的顺序。level：层级代码或名称；q：名称、编码前缀或拼音；"
                        "under：只列出该编码的单位及其下级。")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_units(request: HttpRequest, filters: Query[UnitFilters]) -> QuerySet[Unit]:
    scope = scope_of(request)
    level = None
    if filters.level:
        level = level_from_text(filters.level)
        if level is None:
            raise HttpError(400, f"未知的层级「{filters.level}」")
    units = visible_units(scope=scope, level=level, query=filters.q.strip())
    if filters.under:
        root = unit_for(scope=scope, code=filters.under)
        units = units.filter(path__startswith=root.path)
    return units.order_by("path")


@router.get("/units/{code}", response=UnitOut, summary="单个单位")
def get_unit(request: HttpRequest, code: str) -> Unit:
    return unit_for(scope=scope_of(request), code=code)


@router.get("/units/{code}/subtree", response=list[UnitOut], summary="单位及其全部下级",
            description="该单位和它下面的所有单位（含已撤销），按树的顺序。")
def get_subtree(request: HttpRequest, code: str) -> QuerySet[Unit]:
    scope = scope_of(request)
    return subtree(scope=scope, unit=unit_for(scope=scope, code=code)).select_related("parent").order_by("path")


@router.get("/me", response=MeOut, summary="当前用户", tags=["用户"])
def me(request: HttpRequest) -> dict[str, object]:
    user = request.auth  # type: ignore[attr-defined]
    scope = scope_of(request)
    memberships = list(memberships_of(scope=scope, user=user).order_by("unit__path", "role"))
    roles = sorted({m.role for m in memberships} | ({Role.ADMIN.value} if scope.is_global else set()))
    return {"username": user.username, "full_name": user.full_name,
            "is_superuser": user.is_superuser, "roles": roles, "memberships": memberships}
