"""The registers that name residents or places: volunteers and their service, family
honours, blood-pressure readings, mediation cases, placements in work, facilities.

Each row belongs to a unit (the community that keeps it), so scope filters it like
everything else, and each register feeds data elements through the source registry
instead of a clerk typing totals.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class _Kept(models.Model):
    """Who entered a row and when; every register row has it."""

    version = models.PositiveIntegerField(_("版本"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


# -- volunteers (志愿者) ------------------------------------------------------------------
class VolunteerTeam(_Kept):
    unit = models.ForeignKey("org.Unit", verbose_name=_("所属单位"), on_delete=models.PROTECT,
                             related_name="volunteer_teams")
    name = models.CharField(_("队伍名称"), max_length=100)
    leader = models.ForeignKey("registers.Person", verbose_name=_("队长"), null=True,
                               blank=True, on_delete=models.SET_NULL, related_name="+")
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["unit_id", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"],
                                               name="registers_team_name_once")]

    def __str__(self) -> str:
        return self.name


class Volunteer(_Kept):
    """A registered volunteer (注册志愿者): a resident, in a team or not."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("所属单位"), on_delete=models.PROTECT,
                             related_name="volunteers")
    person = models.ForeignKey("registers.Person", verbose_name=_("居民"),
                               on_delete=models.PROTECT, related_name="volunteering")
    team = models.ForeignKey(VolunteerTeam, verbose_name=_("志愿服务队"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="members")
    skills = models.CharField(_("特长"), max_length=200, blank=True)
    registered_on = models.DateField(_("注册日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["unit_id", "registered_on", "id"]
        constraints = [models.UniqueConstraint(fields=["unit", "person"],
                                               name="registers_volunteer_once")]

    def __str__(self) -> str:
        return str(self.person)


class ServiceRecord(_Kept):
    """One volunteer's service on one day (志愿服务记录)."""

    volunteer = models.ForeignKey(Volunteer, verbose_name=_("志愿者"), on_delete=models.CASCADE,
                                  related_name="services")
    date = models.DateField(_("服务日期"))
    place = models.CharField(_("服务地点"), max_length=200)
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=5, decimal_places=1)
    content = models.CharField(_("服务内容"), max_length=200, blank=True)
    activity = models.ForeignKey("evidence.Activity", verbose_name=_("关联活动"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="services")

    class Meta:
        verbose_name = _("志愿服务记录")
        verbose_name_plural = _("志愿服务记录")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["volunteer", "date"], name="registers_service_vol_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.volunteer}"


# -- families (学习型家庭、健康家庭、文明家庭) --------------------------------------------------
class FamilyKind(models.TextChoices):
    LEARNING = "learning", _("学习型家庭")
    HEALTHY = "healthy", _("健康家庭")
    CIVILISED = "civilised", _("文明家庭")


class HonourLevel(models.TextChoices):
    COMMUNITY = "community", _("社区级")
    STREET = "street", _("街道（乡镇）级")
    COUNTY = "county", _("县（区）级")
    CITY = "city", _("市级")
    PROVINCE = "province", _("省级")
    NATIONAL = "national", _("国家级")


class FamilyHonour(_Kept):
    """A household's part in one year's 创建 of one kind: taking part, evaluated, named."""

    household = models.ForeignKey("registers.Household", verbose_name=_("户"),
                                  on_delete=models.CASCADE, related_name="honours")
    kind = models.CharField(_("类别"), max_length=12, choices=FamilyKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    evaluation = models.CharField(_("评议意见"), max_length=200, blank=True)
    awarded = models.BooleanField(_("已命名"), default=False)
    level = models.CharField(_("命名级别"), max_length=12, choices=HonourLevel.choices,
                             blank=True)

    class Meta:
        verbose_name = _("家庭创建")
        verbose_name_plural = _("家庭创建")
        ordering = ["-year", "kind", "id"]
        constraints = [models.UniqueConstraint(fields=["household", "kind", "year"],
                                               name="registers_honour_once_a_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.get_kind_display()}"


# -- health checks (血压测量) --------------------------------------------------------------
class BPReading(_Kept):
    person = models.ForeignKey("registers.Person", verbose_name=_("居民"),
                               on_delete=models.CASCADE, related_name="bp_readings")
    measured_on = models.DateField(_("测量日期"))
    place = models.CharField(_("测量地点"), max_length=100, blank=True)
    systolic = models.PositiveSmallIntegerField(_("收缩压（mmHg）"))
    diastolic = models.PositiveSmallIntegerField(_("舒张压（mmHg）"))
    measured_by = models.CharField(_("测量人"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("血压测量")
        verbose_name_plural = _("血压测量")
        ordering = ["-measured_on", "-id"]
        indexes = [models.Index(fields=["person", "measured_on"], name="registers_bp_person_date")]

    def __str__(self) -> str:
        return f"{self.measured_on:%Y-%m-%d} {self.systolic}/{self.diastolic}"


# -- mediation (人民调解) -----------------------------------------------------------------
class MediationOutcome(models.TextChoices):
    PENDING = "pending", _("调解中")
    SUCCEEDED = "succeeded", _("调解成功")
    FAILED = "failed", _("调解未成功")
    REFERRED = "referred", _("转办")


class MediationCase(_Kept):
    unit = models.ForeignKey("org.Unit", verbose_name=_("受理单位"), on_delete=models.PROTECT,
                             related_name="mediation_cases")
    kind = models.CharField(_("纠纷类型"), max_length=40)
    summary = models.CharField(_("纠纷简况"), max_length=300)
    received_on = models.DateField(_("受理日期"))
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    outcome = models.CharField(_("调解结果"), max_length=12, choices=MediationOutcome.choices,
                               default=MediationOutcome.PENDING)
    mediator = models.CharField(_("调解员"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("调解案件")
        verbose_name_plural = _("调解案件")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["unit", "received_on"], name="registers_mediation_unit")]

    def __str__(self) -> str:
        return f"{self.received_on:%Y-%m-%d} {self.kind}"


class MediationParty(models.Model):
    """A party to a dispute: a registered resident where there is one, else a name."""

    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="parties")
    person = models.ForeignKey("registers.Person", verbose_name=_("居民"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="disputes")
    name = models.CharField(_("当事人"), max_length=50)

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


# -- placements in work (再就业) ----------------------------------------------------------
class Placement(_Kept):
    unit = models.ForeignKey("org.Unit", verbose_name=_("所属单位"), on_delete=models.PROTECT,
                             related_name="placements")
    person = models.ForeignKey("registers.Person", verbose_name=_("居民"),
                               on_delete=models.PROTECT, related_name="placements")
    employer = models.CharField(_("就业单位"), max_length=100)
    placed_on = models.DateField(_("就业日期"))
    placed_by = models.CharField(_("经办人"), max_length=50, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("再就业安置")
        verbose_name_plural = _("再就业安置")
        ordering = ["-placed_on", "-id"]
        indexes = [models.Index(fields=["unit", "placed_on"], name="registers_placement_unit")]

    def __str__(self) -> str:
        return f"{self.placed_on:%Y-%m-%d} {self.employer}"


# -- facilities and places (设施与场所) -----------------------------------------------------
class FacilityKind(models.TextChoices):
    FIRE_EQUIPMENT = "fire_equipment", _("消防器材")
    CORRIDOR_LIGHT = "corridor_light", _("楼道灯")
    SANITATION_POINT = "sanitation_point", _("环卫点")
    PUBLIC_TOILET = "public_toilet", _("公共厕所")
    GREEN_AREA = "green_area", _("绿地")
    ACTIVITY_SPACE = "activity_space", _("活动场地")
    KEY_PLACE = "key_place", _("重点场所")
    OTHER = "other", _("其他")


class Facility(_Kept):
    unit = models.ForeignKey("org.Unit", verbose_name=_("所属单位"), on_delete=models.PROTECT,
                             related_name="facilities")
    kind = models.CharField(_("类别"), max_length=20, choices=FacilityKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("位置"), max_length=200, blank=True)
    # 消防器材 counts per shop, 楼道灯 per building; green areas and spaces have an area.
    quantity = models.PositiveIntegerField(_("数量"), default=1)
    area_m2 = models.DecimalField(_("面积（平方米）"), max_digits=10, decimal_places=1,
                                  null=True, blank=True)
    working = models.BooleanField(_("完好"), default=True)
    inspected_on = models.DateField(_("最近检查日期"), null=True, blank=True)
    removed_on = models.DateField(_("撤销日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("设施与场所")
        verbose_name_plural = _("设施与场所")
        ordering = ["unit_id", "kind", "name"]
        indexes = [models.Index(fields=["unit", "kind"], name="registers_facility_unit_kind")]

    def __str__(self) -> str:
        return self.name
