"""The 帮教 case register: people in drug-rehabilitation follow-up (社区戒毒、社区康复).

The most sensitive data the product holds (敏感个人信息, 个人信息保护法 art. 28). A case
belongs to a registered resident (``registers.Person``, whose ID and phone numbers are
already encrypted) and to the unit that manages it; everything a person says or a test
shows — visit notes, test results, relapse notes, close notes — is encrypted at rest
with the same keys, so the database file alone reveals none of it. Who may read which
field is decided in ``access.py``; every read of a case is recorded in ``CaseAccess``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField, EncryptedTextField


class CaseKind(models.TextChoices):
    DETOX = "detox", _("社区戒毒")
    REHAB = "rehab", _("社区康复")
    OTHER = "other", _("其他帮教")


class Risk(models.TextChoices):
    LOW = "low", _("低风险")
    MEDIUM = "medium", _("中风险")
    HIGH = "high", _("高风险")


class CloseReason(models.TextChoices):
    EXPIRED = "expired", _("期满")
    DETOX_CERTIFIED = "certified", _("脱毒认定")
    TRANSFERRED_OUT = "transferred", _("转出")
    DIED = "died", _("死亡")
    OTHER = "other", _("其他")


class UrineResult(models.TextChoices):
    NEGATIVE = "negative", _("阴性")
    POSITIVE = "positive", _("阳性")
    ABSENT = "absent", _("未到场")


# How often the order asks for a visit (谈心) and a urine test, in days, by kind of case.
# 社区戒毒 is the strictest; a case may set its own plan.
DEFAULT_PLAN = {
    CaseKind.DETOX: (30, 30),
    CaseKind.REHAB: (30, 60),
    CaseKind.OTHER: (60, 90),
}


class Case(models.Model):
    person = models.ForeignKey("registers.Person", verbose_name=_("帮教对象"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="cases")
    # The unit that manages the case now (after a 委托管理 transfer, the place of residence).
    unit = models.ForeignKey("org.Unit", verbose_name=_("管理单位"), on_delete=models.PROTECT,
                             related_name="cases")
    # The unit that opened it (户籍地); kept for both sides' history.
    registered_unit = models.ForeignKey("org.Unit", verbose_name=_("登记单位"),
                                        on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("帮教类型"), max_length=10, choices=CaseKind.choices)
    order_start = models.DateField(_("决定书起始日期"))
    order_end = models.DateField(_("决定书截止日期"))
    risk = models.CharField(_("风险等级"), max_length=8, choices=Risk.choices,
                            default=Risk.MEDIUM)
    caseworker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("责任社工"),
                                   on_delete=models.PROTECT, related_name="cases_in_charge")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("包帮领导"), null=True,
                               blank=True, on_delete=models.SET_NULL, related_name="cases_led")
    visit_every_days = models.PositiveSmallIntegerField(_("谈心间隔（天）"), default=30)
    test_every_days = models.PositiveSmallIntegerField(_("尿检间隔（天）"), default=30)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    close_reason = models.CharField(_("结案原因"), max_length=12, choices=CloseReason.choices,
                                    blank=True)
    close_note = EncryptedTextField(_("结案说明"), null=True, blank=True, default="")
    anonymised_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("帮教案件")
        verbose_name_plural = _("帮教案件")
        ordering = ["closed_on", "-order_start", "-id"]
        constraints = [
            # One open case of a kind per person (a second one is a mistake, not a case).
            models.UniqueConstraint(fields=["person", "kind"], condition=Q(closed_on__isnull=True),
                                    name="cases_one_open_case_per_kind"),
            models.CheckConstraint(condition=Q(order_end__gte=models.F("order_start")),
                                   name="cases_order_ends_after_start"),
        ]
        indexes = [models.Index(fields=["unit", "closed_on"], name="cases_case_unit_open")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class TeamRole(models.TextChoices):
    # 五位一体: the five who help one person.
    CADRE = "cadre", _("社区（村）干部")
    POLICE = "police", _("社区民警")
    SOCIAL = "social", _("社工")
    FAMILY = "family", _("家属")
    VOLUNTEER = "volunteer", _("志愿者")


class TeamMember(models.Model):
    """A member of the 五位一体 帮教小组: a user of the product, or a name (a relative)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="team")
    role = models.CharField(_("小组职责"), max_length=10, choices=TeamRole.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("用户"), null=True,
                             blank=True, on_delete=models.CASCADE, related_name="case_teams")
    name = EncryptedCharField(_("姓名"), max_length=50, null=True, blank=True, default="")

    class Meta:
        verbose_name = _("帮教小组成员")
        verbose_name_plural = _("帮教小组成员")
        ordering = ["role", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "user"],
                                               condition=Q(user__isnull=False),
                                               name="cases_team_member_once")]

    def __str__(self) -> str:
        return self.name or str(self.user)


class Visit(models.Model):
    """A 谈心 visit: when, where, and what was said (encrypted)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="visits")
    date = models.DateField(_("谈心日期"))
    place = EncryptedCharField(_("地点"), max_length=100, null=True, blank=True, default="")
    notes = EncryptedTextField(_("谈心记录"), null=True, blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("谈心记录")
        verbose_name_plural = _("谈心记录")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["case", "date"], name="cases_visit_case_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}"


class UrineTest(models.Model):
    """A scheduled urine test (尿检) and, once done, its result (encrypted)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tests")
    due_on = models.DateField(_("应检日期"))
    # Whether a result has been recorded; the result itself is encrypted.
    recorded = models.BooleanField(_("已登记结果"), default=False)
    tested_on = models.DateField(_("检测日期"), null=True, blank=True)
    result = EncryptedCharField(_("检测结果"), max_length=10, null=True, blank=True, default="")
    note = EncryptedTextField(_("备注"), null=True, blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("尿检")
        verbose_name_plural = _("尿检")
        ordering = ["-due_on", "-id"]
        indexes = [models.Index(fields=["case", "due_on"], name="cases_test_case_due")]

    def __str__(self) -> str:
        return f"{self.due_on:%Y-%m-%d}"

    @property
    def result_label(self) -> str:
        return str(dict(UrineResult.choices).get(self.result, ""))


class Relapse(models.Model):
    """A relapse (复吸) found: by a positive test or otherwise."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="relapses")
    found_on = models.DateField(_("发现日期"))
    test = models.OneToOneField(UrineTest, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="relapse")
    note = EncryptedTextField(_("情况说明"), null=True, blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("复吸记录")
        verbose_name_plural = _("复吸记录")
        ordering = ["-found_on", "-id"]

    def __str__(self) -> str:
        return f"{self.found_on:%Y-%m-%d}"


class EmploymentHelp(models.Model):
    """Help towards work (就业帮扶); a job found is a row of the placements register."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="employment")
    date = models.DateField(_("日期"))
    what = EncryptedCharField(_("帮扶内容"), max_length=200)
    placement = models.ForeignKey("registers.Placement", verbose_name=_("就业安置"), null=True,
                                  blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("就业帮扶")
        verbose_name_plural = _("就业帮扶")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}"


class AlertKind(models.TextChoices):
    MISSED = "missed", _("尿检未到场")
    POSITIVE = "positive", _("尿检阳性")


class Alert(models.Model):
    """A missed or positive test, told to the 社工 and the 包帮领导 in their 待办."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="alerts")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="case_alerts")
    # Encrypted: "positive" is a test result.
    kind = EncryptedCharField(_("提醒类型"), max_length=10, choices=AlertKind.choices)
    test = models.ForeignKey(UrineTest, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="alerts")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("帮教提醒")
        verbose_name_plural = _("帮教提醒")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="cases_alert_inbox")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d}"


class TransferState(models.TextChoices):
    REQUESTED = "requested", _("待接收")
    ACCEPTED = "accepted", _("已接收")
    REJECTED = "rejected", _("已拒收")
    REVOKED = "revoked", _("已撤回")


class Transfer(models.Model):
    """委托管理 (人户分离): the managing unit asks the unit of residence to take a case over.

    Ownership moves only on accept; both units keep the row as their history.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers")
    from_unit = models.ForeignKey("org.Unit", verbose_name=_("委托单位"),
                                  on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey("org.Unit", verbose_name=_("受托单位"), on_delete=models.PROTECT,
                                related_name="+")
    state = models.CharField(_("状态"), max_length=10, choices=TransferState.choices,
                             default=TransferState.REQUESTED)
    reason = models.CharField(_("委托理由"), max_length=200)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("拒收理由"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("委托管理")
        verbose_name_plural = _("委托管理")
        ordering = ["-requested_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["case"],
                                               condition=Q(state="requested"),
                                               name="cases_one_pending_transfer")]

    def __str__(self) -> str:
        return f"{self.from_unit_id}→{self.to_unit_id}"


class Referral(models.Model):
    """A time-limited share of one case with another body for one service (e.g. 美沙酮门诊).

    The recipient sees who the person is and what the service is, nothing else, until
    the referral expires or is revoked.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接收人"),
                                  on_delete=models.CASCADE, related_name="case_referrals")
    body = models.CharField(_("接收机构"), max_length=100)
    service = models.CharField(_("服务事项"), max_length=100)
    expires_on = models.DateField(_("有效期至"))
    revoked_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("转介")
        verbose_name_plural = _("转介")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.service

    def active_on(self, day: dt.date) -> bool:
        return self.revoked_at is None and day <= self.expires_on


class AccessKind(models.TextChoices):
    OPEN = "open", _("查看案件")
    REVEAL = "reveal", _("查看完整身份证号")
    SEARCH = "search", _("按姓名或身份证号查询")
    PRINT = "print", _("打印")
    EXPORT = "export", _("导出")


class CaseAccess(models.Model):
    """One read of the case register: who, when, which case, what, and why (for exports)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("查看人"), null=True,
                             on_delete=models.SET_NULL, related_name="+")
    case = models.ForeignKey(Case, verbose_name=_("案件"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="accesses")
    # The managing unit's path at the time, so the log is browsed by scope like the audit log.
    unit_path = models.CharField(max_length=255, blank=True)
    kind = models.CharField(_("查看方式"), max_length=8, choices=AccessKind.choices)
    # What was looked for (a name, or a masked ID number), never a full number.
    detail = models.CharField(_("说明"), max_length=200, blank=True)
    reason = models.CharField(_("事由"), max_length=200, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("帮教查看记录")
        verbose_name_plural = _("帮教查看记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case", "at"], name="cases_access_case_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


class ExportState(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")
    MADE = "made", _("已生成")


class CaseExport(models.Model):
    """An export of the cases of one unit: asked with a reason, approved by a supervisor
    (not the asker), made once as an AES-encrypted zip whose password is shown once, and
    gone 7 days after approval."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("导出范围"), on_delete=models.PROTECT,
                             related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"),
                                     on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(_("导出事由"), max_length=200)
    state = models.CharField(_("状态"), max_length=10, choices=ExportState.choices,
                             default=ExportState.REQUESTED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    made_at = models.DateTimeField(null=True, blank=True)
    # The encrypted archive itself (a few hundred rows at most); wiped when it expires.
    archive = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("帮教数据导出")
        verbose_name_plural = _("帮教数据导出")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.requested_at:%Y-%m-%d} {self.reason}"
