"""Reported data (上报数据): submissions, values, their history and rollups.

One ``Submission`` row per unit, merged data set and period; a resubmission raises
its ``version`` instead of adding a row, so the same report can never exist twice.
Values are stored once per unit, element and period (一数一源) whatever data set
carried them, and every change of a value leaves a ``ValueChange``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已上报")
    ACCEPTED = "accepted", _("已审核")
    RETURNED = "returned", _("已退回")


class Channel(models.TextChoices):
    WEB = "web", _("网页")
    API = "api", _("接口")
    IMPORT = "import", _("表格导入")


class Submission(models.Model):
    """A unit's report for one merged data set (合并数据集) and period."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT,
                             related_name="submissions")
    dataset_code = models.CharField(_("数据集"), max_length=40)
    period = models.CharField(_("期间"), max_length=16)
    period_type = models.CharField(max_length=8)
    version = models.PositiveIntegerField(_("版本"), default=0)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices,
                               default=Channel.WEB)
    draft = models.JSONField(default=dict, blank=True)  # element code → text, until submitted
    warnings = models.JSONField(default=dict, blank=True)  # element code → outlier figures
    # Why the filler says the flagged figures are right (asked on the form; the reviewer sees it).
    warning_reason = models.CharField(_("差异说明"), max_length=300, blank=True)
    due_at = models.DateTimeField(_("截止时间"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("首次上报时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上报人"),
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    late = models.BooleanField(_("迟报"), default=False)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    comment = models.TextField(_("审核意见"), blank=True)
    locked = models.BooleanField(_("已锁定"), default=False)
    locked_reason = models.CharField(_("锁定原因"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("上报")
        verbose_name_plural = _("上报")
        ordering = ["-period", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["unit", "dataset_code", "period"],
                                               name="reporting_submission_unique")]
        indexes = [models.Index(fields=["dataset_code", "period", "status"],
                                name="reporting_sub_ds_period")]

    def __str__(self) -> str:
        return f"{self.unit} {self.dataset_code} {self.period}"

    @property
    def is_reported(self) -> bool:
        return self.status in (Status.SUBMITTED, Status.ACCEPTED)


class DataValue(models.Model):
    """The current value of one element for one unit and period."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="data_values")
    element = models.ForeignKey("standards.DataElement", on_delete=models.PROTECT,
                                related_name="values")
    period = models.CharField(max_length=16)
    period_type = models.CharField(max_length=8)
    period_start = models.DateField()
    # Numbers (and booleans as 1/0) in ``number``; text and dates in ``text``.
    number = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    text = models.TextField(blank=True)
    submission = models.ForeignKey(Submission, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="values")
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "element", "period"],
                                               name="reporting_value_unique")]
        indexes = [models.Index(fields=["element", "period_type", "period_start"],
                                name="reporting_value_elem_time")]

    def __str__(self) -> str:
        return f"{self.unit_id}:{self.element_id}:{self.period}={self.display}"

    @property
    def display(self) -> str:
        from chuangjian.reporting.values import format_number

        return format_number(self.number) if self.number is not None else self.text


class ValueChange(models.Model):
    """Who changed a value, when, from what to what, and through which channel (痕迹)."""

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    element = models.ForeignKey("standards.DataElement", on_delete=models.CASCADE,
                                related_name="+")
    period = models.CharField(max_length=16)
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    channel = models.CharField(max_length=8, choices=Channel.choices)
    submission = models.ForeignKey(Submission, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="changes")
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["unit", "element", "period"],
                                name="reporting_change_value")]

    def __str__(self) -> str:
        return f"{self.period} {self.old}→{self.new}"


class Rollup(models.Model):
    """A unit's own aggregates of one element over a month, quarter or year (汇总).

    Written in the submission's transaction. Enough is kept to serve every time
    aggregation (sum, mean = sum/count, max, last) without rescanning raw values;
    subtree figures are a grouped query over a path prefix of these rows.
    """

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="rollups")
    element = models.ForeignKey("standards.DataElement", on_delete=models.CASCADE,
                                related_name="rollups")
    period = models.CharField(max_length=16)
    period_type = models.CharField(max_length=8)
    total = models.DecimalField(max_digits=28, decimal_places=6, default=0)
    count = models.PositiveIntegerField(default=0)
    maximum = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    last_value = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    last_period = models.CharField(max_length=16, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "element", "period"],
                                               name="reporting_rollup_unique")]
        # By element and period, holding every figure a read needs: a city's rows of an
        # element-year are read from the index alone (a full assessment reads them for
        # every unit; docs/benchmarks.md, 2026-12-06).
        indexes = [models.Index(fields=["element", "period", "unit", "total", "count",
                                        "maximum", "last_value"],
                                name="reporting_rollup_figures")]

    def __str__(self) -> str:
        return f"{self.unit_id}:{self.element_id}:{self.period} Σ{self.total} n{self.count}"


class DeadlineException(models.Model):
    """The level above lets a unit report after the deadline (例外) until ``until``."""

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    dataset_code = models.CharField(max_length=40)
    period = models.CharField(max_length=16)
    until = models.DateTimeField(_("延至"))
    reason = models.CharField(_("理由"), max_length=300)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField()

    class Meta:
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["unit", "dataset_code", "period"],
                                name="reporting_exception_key")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.dataset_code} {self.period} → {self.until}"


class LateRequestState(models.TextChoices):
    PENDING = "pending", _("待批准")
    GRANTED = "granted", _("已批准")
    REFUSED = "refused", _("未批准")


class LateRequest(models.Model):
    """A filler asks the level above to report after the deadline (申请补报).

    Granting it makes a `DeadlineException` for the window the leader chooses, so the
    lock, the timeliness count (a report filed this way is 迟报) and the audit trail
    stay the ones the exception already has.
    """

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    dataset_code = models.CharField(max_length=40)
    period = models.CharField(max_length=16)
    reason = models.CharField(_("补报理由"), max_length=300)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField()
    state = models.CharField(_("状态"), max_length=8, choices=LateRequestState.choices,
                             default=LateRequestState.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("批复意见"), max_length=300, blank=True)
    exception = models.ForeignKey(DeadlineException, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-requested_at"]
        constraints = [models.UniqueConstraint(
            fields=["unit", "dataset_code", "period"],
            condition=models.Q(state="pending"), name="reporting_one_pending_late_request")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.dataset_code} {self.period} ({self.state})"
