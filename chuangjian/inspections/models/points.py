"""Inspection points (点位): the places inspectors visit — roads, markets, compounds, shops,
KTV and other key places (篇6), schools, public toilets — each with its responsible unit
and contact person (联络员)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PointType(models.TextChoices):
    ROAD = "road", _("主次干道")
    ALLEY = "alley", _("背街小巷")
    MARKET = "market", _("农贸集贸市场")
    COMPOUND = "compound", _("居民小区")
    SHOP = "shop", _("沿街商铺")
    KTV = "ktv", _("KTV及娱乐场所")
    RESTAURANT = "restaurant", _("餐饮场所")
    BEAUTY = "beauty", _("美容美发场所")
    SCHOOL = "school", _("学校")
    TOILET = "toilet", _("公共厕所")
    SQUARE = "square", _("广场公园")
    SITE = "site", _("建筑工地")
    OTHER = "other", _("其他")


class Point(models.Model):
    unit = models.ForeignKey("org.Unit", verbose_name=_("所在单位"), on_delete=models.PROTECT,
                             related_name="inspection_points")
    code = models.CharField(_("点位编码"), max_length=40, unique=True)
    name = models.CharField(_("点位名称"), max_length=100)
    type = models.CharField(_("点位类型"), max_length=16, choices=PointType.choices)
    address = models.CharField(_("地址"), max_length=200)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True,
                                   blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True,
                                    blank=True)
    # The unit that must fix what is found here: a 条 department (a market → 市场事务所)
    # or the 块 unit itself.
    responsible_unit = models.ForeignKey("org.Unit", verbose_name=_("责任单位"),
                                         on_delete=models.PROTECT, related_name="+")
    contact_name = models.CharField(_("联络员"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联络电话"), max_length=20, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("点位")
        verbose_name_plural = _("点位")
        ordering = ["unit__path", "type", "code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors: dict[str, str] = {}
        if (self.latitude is None) != (self.longitude is None):
            errors["latitude"] = str(_("经度和纬度要么都填，要么都不填"))
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            errors["latitude"] = str(_("纬度应在 -90 到 90 之间"))
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            errors["longitude"] = str(_("经度应在 -180 到 180 之间"))
        if errors:
            raise ValidationError(errors)
