"""Residents (实有人口) and households: one row per person, however many registers name them.

A person is identified by the 公民身份号码 (GB 11643). The number and the phone are
personal information under 个人信息保护法: they are stored encrypted (Fernet, with a
key from the environment, never in the database) and found by exact value through a
keyed hash (HMAC-SHA256), so the database alone reveals neither. Sex and birth date
are derived from the number when it is set.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField


class ResidenceType(models.TextChoices):
    REGISTERED = "registered", _("户籍人口")
    MIGRANT = "migrant", _("流动人口")
    FOREIGN = "foreign", _("境外人员")


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Household(models.Model):
    """A household (户) at an address down to the 楼组 and 网格 of its community."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("所属社区"), on_delete=models.PROTECT,
                             related_name="households")
    address = models.CharField(_("住址"), max_length=200)
    building = models.CharField(_("楼组"), max_length=60, blank=True)
    grid = models.CharField(_("网格"), max_length=60, blank=True)
    head = models.ForeignKey("registers.Person", verbose_name=_("户主"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("备注"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        ordering = ["unit_id", "building", "address", "id"]
        indexes = [models.Index(fields=["unit", "grid"], name="registers_household_unit_grid")]

    def __str__(self) -> str:
        return self.address


class Person(models.Model):
    unit = models.ForeignKey("org.Unit", verbose_name=_("所属社区"), on_delete=models.PROTECT,
                             related_name="residents")
    household = models.ForeignKey(Household, verbose_name=_("户"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="members")
    relation = models.CharField(_("与户主关系"), max_length=20, blank=True)
    name = models.CharField(_("姓名"), max_length=50)
    # Encrypted at rest; `id_number_hash` (HMAC of the normalised number) finds a person by
    # exact number and makes the number unique without storing it in the clear.
    id_number = EncryptedCharField(_("公民身份号码"), max_length=18, null=True, blank=True)
    id_number_hash = models.CharField(max_length=64, null=True, blank=True, unique=True,
                                      editable=False)
    phone = EncryptedCharField(_("联系电话"), max_length=20, null=True, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    residence = models.CharField(_("人口类型"), max_length=12, choices=ResidenceType.choices,
                                 default=ResidenceType.REGISTERED)
    moved_in_on = models.DateField(_("迁入日期"), null=True, blank=True)
    moved_out_on = models.DateField(_("迁出日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["unit_id", "name", "id"]
        indexes = [models.Index(fields=["unit", "moved_out_on"], name="registers_person_unit_out"),
                   models.Index(fields=["unit", "birth_date"], name="registers_person_unit_birth")]

    def __str__(self) -> str:
        return self.name
