"""Standards as stored metadata (as DHIS2 stores its metadata).

A loaded standard version is immutable: loading a new version adds rows and never
rewrites the old ones, so results computed under an old version keep their meaning.
The YAML text is kept verbatim so the exact file behind any result can be re-read.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataElement(models.Model):
    """A data element (数据元素), defined once and shared by every standard (一数一源)."""

    code = models.CharField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    type = models.CharField(_("类型"), max_length=16)
    unit = models.CharField(_("计量单位"), max_length=20, blank=True)
    period = models.CharField(_("期间类型"), max_length=16)
    time_agg = models.CharField(_("时间汇总"), max_length=8)
    tree_agg = models.CharField(_("层级汇总"), max_length=8)
    min_value = models.FloatField(null=True, blank=True)
    max_value = models.FloatField(null=True, blank=True)
    description = models.TextField(blank=True)
    definition_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("数据元素")
        verbose_name_plural = _("数据元素")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name  # codes are for the API and tooltips; people read names


LEVEL_NAMES = {"district": _("区/县"), "street": _("街道"), "town": _("镇/乡"), "area": _("管区"),
               "community": _("社区"), "village": _("村"), "grid": _("小区/网格"),
               "building": _("楼组"), "department": _("职能部门")}


class StandardVersion(models.Model):
    code = models.CharField(_("编码"), max_length=64)
    version = models.PositiveIntegerField(_("版本"))
    name = models.CharField(_("名称"), max_length=200)
    campaign = models.CharField(_("创建项目"), max_length=50)
    description = models.TextField(blank=True)
    year_from = models.PositiveSmallIntegerField(_("起始年度"))
    year_to = models.PositiveSmallIntegerField(_("截止年度"), null=True, blank=True)
    levels = models.JSONField(_("适用层级"), default=list)
    categories = models.JSONField(_("适用城乡"), default=list)
    plans = models.JSONField(_("依据计划"), default=list)
    total = models.FloatField(_("总分"), default=100)
    pass_mark = models.FloatField(_("合格分"))
    bonus_cap = models.FloatField(_("加分上限"), default=0)
    tiers = models.JSONField(_("等次"), default=list)
    source_file = models.CharField(max_length=200)
    source_text = models.TextField()
    content_hash = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)
    elements = models.ManyToManyField(DataElement, related_name="standards", blank=True)
    # An office's overlay (本地设定) on top of the built-in version ``version``: 0 for the
    # file as shipped, else the overlay's own version. ``source_text`` then holds the
    # merged standard and ``overlay_text`` the overlay file, verbatim.
    overlay_version = models.PositiveIntegerField(_("本地设定版本"), default=0)
    overlay_name = models.CharField(_("本地设定"), max_length=200, blank=True)
    overlay_office = models.CharField(_("设定单位"), max_length=200, blank=True)
    overlay_reason = models.TextField(_("设定理由"), blank=True)
    overlay_text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("创建标准")
        verbose_name_plural = _("创建标准")
        ordering = ["campaign", "code", "-version", "-overlay_version"]
        constraints = [models.UniqueConstraint(fields=["code", "version", "overlay_version"],
                                               name="standards_code_version_overlay_unique")]

    def __str__(self) -> str:
        if self.overlay_version:
            return f"{self.name}（第{self.version}版 · 本地设定第{self.overlay_version}版）"
        return f"{self.name}（第{self.version}版）"

    @property
    def is_overlay(self) -> bool:
        return self.overlay_version > 0

    @property
    def level_names(self) -> list[str]:
        return [str(LEVEL_NAMES.get(level, level)) for level in self.levels]

    @property
    def years_label(self) -> str:
        return f"{self.year_from}–{self.year_to}" if self.year_to else f"{self.year_from}起"


class Indicator(models.Model):
    """A 测评标准 row, with its 测评项目 and 测评内容 kept on the row for display."""

    standard = models.ForeignKey(StandardVersion, on_delete=models.CASCADE,
                                 related_name="indicators")
    order = models.PositiveIntegerField()
    item_code = models.CharField(max_length=64)
    item_name = models.CharField(_("测评项目"), max_length=200)
    content_code = models.CharField(max_length=64)
    content_name = models.CharField(_("测评内容"), max_length=200)
    code = models.CharField(_("编码"), max_length=64)
    name = models.CharField(_("测评标准"), max_length=300)
    description = models.TextField(blank=True)
    method = models.CharField(_("测评方法"), max_length=8)
    expression = models.CharField(_("计算公式"), max_length=500, blank=True)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    target_text = models.CharField(_("目标"), max_length=300, blank=True)
    score_rule = models.CharField(_("计分规则"), max_length=16)
    max_score = models.FloatField(_("分值"))
    deduct_per = models.FloatField(null=True, blank=True)
    deduct_cap = models.FloatField(null=True, blank=True)
    missing = models.CharField(max_length=8)
    veto = models.BooleanField(_("一票否决"), default=False)
    bonus = models.BooleanField(_("加分项"), default=False)
    evidence = models.JSONField(_("佐证材料"), default=list)
    level = models.CharField(max_length=16, blank=True)
    source_plan = models.CharField(_("依据"), max_length=8)
    source_quote = models.TextField(_("原文"))

    class Meta:
        ordering = ["standard", "order"]
        constraints = [models.UniqueConstraint(fields=["standard", "code"],
                                               name="standards_indicator_unique")]

    def __str__(self) -> str:
        return self.name  # codes are for the API and tooltips; people read names


class UnitClassDefinition(models.Model):
    """A class of units by a rule over data (保无毒 / 创无毒), per standard version."""

    standard = models.ForeignKey(StandardVersion, on_delete=models.CASCADE,
                                 related_name="unit_classes")
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=50)
    rule = models.CharField(max_length=500)
    order = models.IntegerField()
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["standard", "order"]

    def __str__(self) -> str:
        return self.name


class UnitClassAssignment(models.Model):
    """The class a unit is in from a period on (effective-dated: it holds until a later
    period's row changes it); a new row per period keeps the 动态升降 history.

    ``proposed_class`` is the yearly 动态升降 step's suggestion for the period, made from
    the previous year's results; it counts only once a person confirms it into
    ``unit_class``.
    """

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="classes")
    standard_code = models.CharField(max_length=64)
    period = models.CharField(_("起始期间"), max_length=16)
    unit_class = models.ForeignKey(UnitClassDefinition, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("单位类别"))
    reason = models.CharField(_("依据"), max_length=300)
    assigned_by = models.ForeignKey("org.User", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    proposed_class = models.ForeignKey(UnitClassDefinition, null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    proposal_reason = models.CharField(max_length=300, blank=True)
    evaluated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit", "standard_code", "period"]
        constraints = [models.UniqueConstraint(fields=["unit", "standard_code", "period"],
                                               name="standards_class_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.unit} {self.period} {self.unit_class or '—'}"


class Dataset(models.Model):
    """A reporting schedule declared by a standard: period, deadline, elements."""

    standard = models.ForeignKey(StandardVersion, on_delete=models.CASCADE,
                                 related_name="datasets")
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=100)
    period = models.CharField(max_length=16)
    day_offset = models.PositiveSmallIntegerField(default=0)
    due_time = models.TimeField()
    lock_after_deadline = models.BooleanField(default=False)
    levels = models.JSONField(default=list)
    elements = models.ManyToManyField(DataElement, related_name="datasets")
    # Element codes in the order the file lists them: the form shows them so, and the
    # many-to-many above keeps no order. Stored at load, never re-read from the YAML.
    element_order = models.JSONField(default=list)

    class Meta:
        ordering = ["standard", "code"]

    def __str__(self) -> str:
        return self.name


class ValidationRule(models.Model):
    """A cross-element rule every submission must satisfy (``validations:``), stored at load
    after the loader parsed and type-checked it, so a rule is never re-read from the YAML."""

    standard = models.ForeignKey(StandardVersion, on_delete=models.CASCADE,
                                 related_name="validation_rules")
    code = models.CharField(max_length=64)
    expression = models.TextField(_("校验规则"))
    message = models.TextField(_("提示"))
    order = models.PositiveIntegerField()
    line = models.PositiveIntegerField(null=True, blank=True)  # in the standard's file

    class Meta:
        ordering = ["standard", "order"]
        constraints = [models.UniqueConstraint(fields=["standard", "code"],
                                               name="standards_validation_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.expression}"


class ProblemCategory(models.Model):
    """The problem taxonomy that ships with a standard (六乱 → 乱停乱放 …)."""

    standard = models.ForeignKey(StandardVersion, on_delete=models.CASCADE,
                                 related_name="problem_categories")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="children")
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=100)
    severity = models.CharField(max_length=8)
    deadline_days = models.PositiveSmallIntegerField()
    order = models.PositiveIntegerField()

    class Meta:
        ordering = ["standard", "order"]

    def __str__(self) -> str:
        return self.name
