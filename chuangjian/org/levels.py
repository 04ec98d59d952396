"""Levels of the unit tree (层级) and the fixed vocabularies of a unit.

Codes are fixed and used by standards files; the Chinese names can be renamed per
deployment through ``CHUANGJIAN_LEVEL_NAMES``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    DISTRICT = "district", _("区/县")
    STREET = "street", _("街道/镇")
    AREA = "area", _("管区")
    COMMUNITY = "community", _("社区/村")
    GRID = "grid", _("小区/网格")
    BUILDING = "building", _("楼组")


LEVEL_ORDER: dict[str, int] = {code: depth for depth, code in enumerate(Level.values, start=1)}


def level_label(code: str) -> str:
    """The level's display name, honouring a deployment's own names."""
    names = settings.CHUANGJIAN_LEVEL_NAMES
    depth = LEVEL_ORDER.get(code)
    if depth is not None and len(names) >= depth and names[depth - 1]:
        return str(names[depth - 1])
    return str(Level(code).label) if code in LEVEL_ORDER else code


def level_from_text(text: str) -> str | None:
    """Accept a level code, its standard name or a deployment name (for imports)."""
    text = text.strip()
    for code in Level.values:
        if text in (code, str(Level(code).label), level_label(code)):
            return code
    aliases = {"区": "district", "县": "district", "街道": "street", "镇": "street",
               "乡": "street", "乡镇": "street", "社区": "community", "村": "community",
               "小区": "grid", "网格": "grid"}
    return aliases.get(text)


class Kind(models.TextChoices):
    AREA = "area", _("块（属地）")
    DEPARTMENT = "department", _("条（职能部门）")


class Category(models.TextChoices):
    URBAN = "城镇", _("城镇")
    RURAL = "农村", _("农村")


# Functional departments (条) the plans name; free text is allowed beside them.
DEPARTMENT_TYPES = ["城管办", "执法中队", "物业办", "市场事务所", "科技文化中心", "派出所",
                    "文明办", "禁毒办", "爱卫办", "综治办", "卫生服务中心"]
