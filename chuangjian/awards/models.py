"""Rounds of an award (评选), their nominations, votes and objections, and the titles
named (称号) — which live on after the naming: re-checked every year and withdrawn
(摘牌) when the holder no longer qualifies.

A nominee is a unit, a household or volunteer of the registers, or a person of the
resident register; ``name`` is the name the nominating unit gives for publication (公示
and the certificate), the register row behind it is read only by those who may see
names (decision 0020). An objector's name and phone are encrypted at rest and shown
masked.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField

from chuangjian.lib.personal import mask_name, mask_phone


class Level(models.TextChoices):
    STREET = "street", _("街道（乡镇）级")
    COUNTY = "county", _("县（区）级")
    CITY = "city", _("市级")
    PROVINCE = "province", _("省级")
    NATIONAL = "national", _("国家级")


class Stage(models.TextChoices):
    NOMINATING = "nominating", _("推荐中")
    REVIEWING = "reviewing", _("初审中")
    VOTING = "voting", _("投票中")
    EVALUATING = "evaluating", _("综合评定")
    PUBLICISING = "publicising", _("公示中")
    NAMED = "named", _("已命名")


class Round(models.Model):
    scheme_code = models.CharField(_("评选方案"), max_length=48)
    title = models.CharField(_("评选名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    organiser = models.ForeignKey("org.Unit", verbose_name=_("组织单位"), on_delete=models.PROTECT,
                                  related_name="+")
    quota = models.PositiveIntegerField(_("命名名额"))
    per_unit = models.PositiveIntegerField(_("每个单位推荐名额"), null=True, blank=True)
    nominate_until = models.DateTimeField(_("推荐截止"))
    vote_from = models.DateTimeField(_("投票开始"), null=True, blank=True)
    vote_until = models.DateTimeField(_("投票截止"), null=True, blank=True)
    publicity_from = models.DateTimeField(_("公示开始"), null=True, blank=True)
    publicity_until = models.DateTimeField(_("公示截止"), null=True, blank=True)
    stage = models.CharField(_("阶段"), max_length=12, choices=Stage.choices,
                             default=Stage.NOMINATING)
    public_code = models.CharField(max_length=16, unique=True, editable=False)
    named_at = models.DateTimeField(_("命名时间"), null=True, blank=True)
    named_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("评选")
        verbose_name_plural = _("评选")
        ordering = ["-year", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.public_code:
            self.public_code = secrets.token_hex(6).upper()
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Voter(models.Model):
    """A member of the round's voting panel, with the weight of their vote."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="voters")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    weight = models.DecimalField(_("权重"), max_digits=4, decimal_places=1, default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "user"], name="awards_voter_once")]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.user_id}"


class Nominee(models.TextChoices):
    UNIT = "unit", _("单位")
    HOUSEHOLD = "household", _("家庭")
    VOLUNTEER = "volunteer", _("志愿者")
    PERSON = "person", _("个人")


class NominationWay(models.TextChoices):
    """Who puts the nominee forward (the scheme's ``nominated_by``)."""

    UNITS = "units", _("单位推荐")
    PEOPLE = "people", _("群众推荐")
    SELF = "self", _("自荐（申报）")


class NominationState(models.TextChoices):
    SUBMITTED = "submitted", _("待初审")
    REFUSED = "refused", _("初审未通过")
    ACCEPTED = "accepted", _("初审通过")
    SHORTLISTED = "shortlisted", _("拟命名（公示中）")
    NOT_SELECTED = "not_selected", _("未入选")
    WITHDRAWN = "withdrawn", _("公示后撤销")
    NAMED = "named", _("已命名")


class _Holder(models.Model):
    """Who is nominated or holds a title: exactly one of the four, by ``nominee``."""

    nominee = models.CharField(_("推荐对象类别"), max_length=10, choices=Nominee.choices)
    holder_unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    household = models.ForeignKey("registers.Household", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    volunteer = models.ForeignKey("registers.Volunteer", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("registers.Person", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        abstract = True


class Nomination(_Holder):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="nominations")
    # The unit that recommends (a community, or the unit itself for a unit nominee).
    unit = models.ForeignKey("org.Unit", verbose_name=_("推荐单位"), on_delete=models.PROTECT,
                             related_name="+")
    way = models.CharField(_("推荐方式"), max_length=8, choices=NominationWay.choices,
                           default=NominationWay.UNITS)
    # 群众推荐: the resident who recommended, recorded by the unit; kept private as an
    # objector's (encrypted at rest, shown masked, never on public pages).
    recommender_name = EncryptedCharField(_("推荐人姓名"), max_length=50, null=True, blank=True)
    recommender_phone = EncryptedCharField(_("推荐人联系电话"), max_length=20, null=True,
                                           blank=True)
    reasons = models.TextField(_("推荐理由"), max_length=2000)
    activities = models.ManyToManyField("evidence.Activity", blank=True, related_name="+")
    photos = models.ManyToManyField("files.StoredFile", blank=True, related_name="+")
    state = models.CharField(_("状态"), max_length=12, choices=NominationState.choices,
                             default=NominationState.SUBMITTED)
    eligibility = models.JSONField(_("资格核验"), default=list)
    refusal_reason = models.CharField(_("不通过理由"), max_length=300, blank=True)
    score = models.DecimalField(_("组织单位评分"), max_digits=5, decimal_places=2, null=True,
                                blank=True)
    vote_share = models.FloatField(_("得票率"), null=True, blank=True)
    combined = models.FloatField(_("综合得分"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("撤销理由"), max_length=300, blank=True)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("推荐")
        verbose_name_plural = _("推荐")
        ordering = ["round", "rank", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def recommender_masked(self) -> str:
        """A 群众推荐's recommender as pages show it (王** · 138****5678), else empty."""
        if not self.recommender_name:
            return ""
        return f"{mask_name(self.recommender_name)} · {mask_phone(self.recommender_phone)}"


class Vote(models.Model):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(Voter, on_delete=models.CASCADE, related_name="votes")
    approve = models.BooleanField(_("赞成"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["nomination", "voter"],
                                               name="awards_one_vote_per_candidate")]

    def __str__(self) -> str:
        return f"{self.nomination_id}:{self.voter_id}"


class ObjectionState(models.TextChoices):
    OPEN = "open", _("待答复")
    UPHELD = "upheld", _("异议成立")
    ANSWERED = "answered", _("已答复，异议不成立")


class Objection(models.Model):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="objections")
    text = models.TextField(_("异议内容"), max_length=2000)
    # Kept private (个人信息保护法): encrypted at rest, shown masked, never on public pages.
    name = EncryptedCharField(_("姓名"), max_length=50)
    phone = EncryptedCharField(_("联系电话"), max_length=20)
    state = models.CharField(_("状态"), max_length=10, choices=ObjectionState.choices,
                             default=ObjectionState.OPEN)
    answer = models.TextField(_("答复"), max_length=2000, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.nomination_id}:{self.pk}"


class TitleState(models.TextChoices):
    ACTIVE = "active", _("有效")
    WITHDRAWN = "withdrawn", _("已摘牌")


def _title_code() -> str:
    return secrets.token_hex(8).upper()


class Title(_Holder):
    """A title named by a round, or recorded from a naming document of a level above."""

    scheme_code = models.CharField(_("评选方案"), max_length=48)
    title = models.CharField(_("称号"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    valid_until_year = models.PositiveSmallIntegerField(_("有效至年度"))
    # The holder's unit (the unit itself, or the community of a household or person):
    # whose figures the title counts in, and whose people may see it.
    unit = models.ForeignKey("org.Unit", verbose_name=_("所属单位"), on_delete=models.PROTECT,
                             related_name="+")
    # The unit that named it (the round's organiser) or recorded it (a level above's
    # naming document): where the right to withdraw it (摘牌) is asked.
    organiser = models.ForeignKey("org.Unit", verbose_name=_("命名或登记单位"),
                                  on_delete=models.PROTECT, related_name="+")
    organiser_name = models.CharField(_("命名单位"), max_length=100)
    round = models.ForeignKey(Round, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="titles")
    nomination = models.OneToOneField(Nomination, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="title_named")
    document = models.CharField(_("命名文件"), max_length=200, blank=True)
    code = models.CharField(_("证书编号"), max_length=16, unique=True, default=_title_code,
                            editable=False)
    named_on = models.DateField(_("命名日期"))
    named_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(_("状态"), max_length=10, choices=TitleState.choices,
                             default=TitleState.ACTIVE)
    withdrawn_on = models.DateField(_("摘牌日期"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("摘牌理由"), max_length=300, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    # The yearly re-check (复查): the year it last found the holder no longer qualifying,
    # and why; a person then confirms 摘牌 with a reason or keeps the title.
    recheck_year = models.PositiveSmallIntegerField(_("复查年度"), null=True, blank=True)
    recheck_reasons = models.JSONField(_("复查发现"), default=list, blank=True)
    recheck_at = models.DateTimeField(_("复查标记时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("称号")
        verbose_name_plural = _("称号")
        ordering = ["-year", "title", "id"]

    def __str__(self) -> str:
        return f"{self.year} {self.title} {self.name}"

    @property
    def awaiting_withdrawal(self) -> bool:
        """The re-check found the holder no longer qualifying; nobody has decided yet."""
        return self.state == TitleState.ACTIVE and self.recheck_year is not None
