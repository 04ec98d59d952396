"""Annual work plans (年度创建工作计划): a unit's targets under one standard for one year,
its leadership group and the 条块 split of every target.

篇3: 把社区年度的各项目标任务量化、细化,并分解到责任人. A plan is generated from the
standard's indicators that apply to the unit; each becomes a ``PlanItem`` (目标) with the
standard's target and, where the unit sets one, its own stricter target (篇12 raises 绿化率
from 20% to 38%). 篇10: 条块结合 — a department (条) guides an item, an area (块) carries it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Plan(models.Model):
    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT,
                             related_name="work_plans")
    standard = models.ForeignKey("standards.StandardVersion", verbose_name=_("创建标准"),
                                 on_delete=models.PROTECT, related_name="+")
    standard_code = models.CharField(max_length=64, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("计划名称"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("年度工作计划")
        verbose_name_plural = _("年度工作计划")
        ordering = ["-year", "unit__path", "standard_code"]
        constraints = [models.UniqueConstraint(fields=["unit", "standard_code", "year"],
                                               name="tasks_plan_once_a_year")]

    def __str__(self) -> str:
        return self.title


class PlanItem(models.Model):
    """One target (目标) of a plan, with who guides it and who carries it out."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveIntegerField(default=0)
    indicator_code = models.CharField(max_length=64, blank=True)
    group_name = models.CharField(_("测评项目"), max_length=200, blank=True)
    name = models.CharField(_("目标任务"), max_length=300)
    standard_target = models.CharField(_("标准目标"), max_length=300, blank=True)
    own_target = models.CharField(_("本单位目标"), max_length=300, blank=True,
                                  help_text=_("本单位自定的更高目标，如绿化率38%"))
    # 篇12's stricter target counts in the unit's own scoring only when it chose so.
    score_own = models.BooleanField(_("按本单位目标考核"), default=False)
    guiding_unit = models.ForeignKey("org.Unit", verbose_name=_("业务指导部门（条）"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    carrying_unit = models.ForeignKey("org.Unit", verbose_name=_("牵头落实单位（块）"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("计划目标")
        verbose_name_plural = _("计划目标")
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def target_in_force(self) -> str:
        return self.own_target if (self.own_target and self.score_own) else self.standard_target


class GroupRole(models.TextChoices):
    LEADER = "leader", _("组长")
    DEPUTY = "deputy", _("副组长")
    MEMBER = "member", _("成员")
    OFFICE = "office", _("办公室")


class GroupMember(models.Model):
    """A member of the plan's 创建领导小组 (篇3: 主管干部全面抓, 分管干部具体抓)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="group")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("人员"),
                             on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("职务"), max_length=8, choices=GroupRole.choices)
    duty = models.CharField(_("分工"), max_length=200, blank=True)

    class Meta:
        ordering = ["plan", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "user"],
                                               name="tasks_group_member_once")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.user}"
