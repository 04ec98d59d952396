from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from chuangjian.org.models import Membership, Unit


class UnitOut(Schema):
    code: str = Field(description="单位编码")
    name: str = Field(description="名称")
    level: str = Field(description="层级代码：district/street/area/community/grid/building")
    level_label: str = Field(description="层级名称，如「社区/村」")
    kind: str = Field(description="area 块（属地）或 department 条（职能部门）")
    department_type: str = Field(description="部门类别（仅条）")
    category: str = Field(description="城乡分类：城镇 或 农村")
    division_code: str = Field(description="统计用区划代码")
    parent_code: str | None = Field(None, description="上级单位编码；顶级单位为 null")
    depth: int = Field(description="在树中的深度（顶级为 1）")
    opened_on: dt.date | None = Field(None, description="设立日期")
    closed_on: dt.date | None = Field(None, description="撤销日期")

    @staticmethod
    def resolve_parent_code(obj: Unit) -> str | None:
        return obj.parent.code if obj.parent is not None else None


class MembershipOut(Schema):
    unit_code: str = Field(alias="unit.code")
    unit_name: str = Field(alias="unit.name")
    role: str
    role_label: str

    @staticmethod
    def resolve_role_label(obj: Membership) -> str:
        return str(obj.get_role_display())


class MeOut(Schema):
    username: str
    full_name: str
    is_superuser: bool
    roles: list[str] = Field(description="在各单位担任的角色代码（去重）")
    memberships: list[MembershipOut]
