"""Assessment runs (考核批次), their per-unit results and reviewer scores.

A run computes every indicator of every unit in its scope at once and stores one
row per unit with the indicator results in a JSON column: a city of 3,000
communities and 60 indicators is 3,000 rows, not 180,000 (see
docs/decisions/0007-assessment-results-one-row-per-unit.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CompactJSONEncoder(json.JSONEncoder):
    """Chinese as itself and no spaces: a city's results are ~19,000 rows of these.

    Encoded by orjson (about ten times the standard library's speed; a full assessment at
    L writes 58,000 of these): the same JSON as ``json.dumps(ensure_ascii=False,
    separators=(",", ":"))`` but for the spelling of small floats (``0.00001``, not
    ``1e-05``; the same number when read) and NaN, which orjson writes as null (the
    standard library's ``NaN`` is not JSON). Anything orjson refuses falls back to the
    standard library, with its errors.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ensure_ascii"] = False
        kwargs["separators"] = (",", ":")
        super().__init__(*args, **kwargs)

    def encode(self, o: Any) -> str:
        return compact_json(o, fallback=super().encode)


_STANDARD = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def compact_json(o: Any, fallback: Callable[[Any], str] = _STANDARD.encode) -> str:
    """``CompactJSONEncoder().encode(o)`` without making an encoder per value."""
    try:
        return orjson.dumps(o, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY).decode()
    except TypeError:
        return fallback(o)


class JSONText(models.Field):
    """A JSON value stored as its compact text (``compact_json``) and read with orjson.

    For the columns of a run's result rows that nobody queries inside (the items and the
    total's reasons): PostgreSQL parsed every row's ``jsonb`` on write, 2.7 of the 6 s
    its server spent on a full assessment at L, where text is copied as it comes
    (decision 0043). On SQLite a JSON field was text already.
    """

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value: str | None, expression: object, connection: object
                      ) -> Any:
        return None if value is None else orjson.loads(value)

    def to_python(self, value: Any) -> Any:
        return value  # the Python value itself (as the serializers give it back)

    def get_prep_value(self, value: Any) -> str | None:
        return None if value is None else compact_json(value)

    def value_to_string(self, obj: models.Model) -> Any:
        return self.value_from_object(obj)  # as a JSON field: the serializers write the value


class Kind(models.TextChoices):
    SELF = "self", _("自查")
    REVIEW = "review", _("考核")
    SPOT = "spot", _("抽查")


KIND_ALIASES = {"自查": Kind.SELF, "考核": Kind.REVIEW, "抽查": Kind.SPOT,
                "self": Kind.SELF, "review": Kind.REVIEW, "spot": Kind.SPOT}


class RunStatus(models.TextChoices):
    RUNNING = "running", _("计算中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class AssessmentRun(models.Model):
    standard = models.ForeignKey("standards.StandardVersion", verbose_name=_("标准"),
                                 on_delete=models.PROTECT, related_name="+")
    standard_code = models.CharField(max_length=64)
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices, default=Kind.REVIEW)
    root = models.ForeignKey("org.Unit", verbose_name=_("考核范围"), on_delete=models.PROTECT,
                             related_name="+")
    sample = models.JSONField(_("抽查样本"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=RunStatus.choices,
                              default=RunStatus.RUNNING)
    current = models.BooleanField(default=False)
    error = models.TextField(_("错误"), blank=True)
    as_of = models.DateField(_("数据截至"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    # When the refresh job last brought rows of this run up to date (null: never since
    # the run finished); the time of the data a page shows.
    refreshed_at = models.DateTimeField(_("更新时间"), null=True, blank=True)
    units_assessed = models.PositiveIntegerField(default=0)
    units_passed = models.PositiveIntegerField(default=0)
    units_vetoed = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("公布人"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    reopen_reason = models.CharField(_("重新考核理由"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("考核批次")
        verbose_name_plural = _("考核批次")
        ordering = ["-year", "-created_at", "-id"]
        indexes = [models.Index(fields=["standard_code", "year", "kind", "current"],
                                name="assessment_run_lookup")]
        # One current run per standard, year, kind and scope: pages and the closing of
        # the year read "the" current run, so two at once would be ambiguous.
        constraints = [models.UniqueConstraint(
            fields=["standard_code", "year", "kind", "root"], condition=models.Q(current=True),
            name="assessment_run_one_current")]

    def __str__(self) -> str:
        return f"{self.year} {self.get_kind_display()} {self.standard_code} #{self.pk}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def kind_label(self) -> str:
        return str(self.get_kind_display())


class UnitResult(models.Model):
    """One unit's result in a run: totals, verdict, and every indicator in ``items``."""

    # No index of its own: the unique (run, unit) index begins with it (migration 0007).
    run = models.ForeignKey(AssessmentRun, on_delete=models.CASCADE, related_name="results",
                            db_index=False)
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    # The unit's parent when the run was computed (ranking among siblings), and its
    # nearest ancestor assessed in the same run (whose share_of_children counts it).
    parent_id_at_run = models.IntegerField(null=True, blank=True)
    above_id = models.IntegerField(null=True, blank=True)
    sheet = models.CharField(max_length=16, blank=True)
    total = models.FloatField(null=True, blank=True)
    base_total = models.FloatField(null=True, blank=True)
    base_max = models.FloatField(default=0)
    bonus = models.FloatField(default=0)
    passed = models.BooleanField(default=False)
    vetoed = models.BooleanField(default=False)
    veto_items = models.JSONField(default=list, blank=True)
    tier = models.CharField(max_length=8, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)
    siblings = models.PositiveIntegerField(default=0)
    # The total's Chinese sentence, kept only in rows of runs made before ``reasons``;
    # new rows leave it empty (decision 0041).
    explanation = models.TextField(blank=True)
    # The total's reasons as the engine gives them (engine.reasons), worded on the page in
    # the reader's language (assessment.wording).
    reasons = JSONText(default=list, blank=True)
    at_risk = models.PositiveSmallIntegerField(default=0)
    # The items' figures as columns, the reviewers' comments and only the reasons the
    # figures cannot give again (``compute._Columns``, decision 0049); read through
    # ``assessment.items.items_of``. Rows of older runs: code -> figures and reasons.
    items = JSONText(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["run", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["run", "unit"],
                                               name="assessment_result_unique")]
        indexes = [models.Index(fields=["run", "above_id"], name="assessment_result_above"),
                   models.Index(fields=["run", "parent_id_at_run"],
                                name="assessment_result_parent")]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.unit_id} {self.total}"


class ReviewerScore(models.Model):
    """A reviewer's score for a 材料审核 / 实地考察 item (评审打分), kept across reruns."""

    standard_code = models.CharField(max_length=64)
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    indicator_code = models.CharField(max_length=64)
    score = models.FloatField(_("评分"))
    comment = models.TextField(_("评审意见"), blank=True)
    evidence = models.JSONField(_("佐证材料"), default=list, blank=True)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("评审人"), null=True,
                                  blank=True, on_delete=models.SET_NULL, related_name="+")
    scored_at = models.DateTimeField(_("评审时间"))

    class Meta:
        verbose_name = _("评审打分")
        verbose_name_plural = _("评审打分")
        constraints = [models.UniqueConstraint(
            fields=["standard_code", "year", "kind", "unit", "indicator_code"],
            name="assessment_reviewer_unique")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.indicator_code} {self.score}"
