"""Stale marks (待更新标记): which units' figures changed since the assessment last
computed them, written by ``sources.changed`` in the writer's own transaction.

A mark is one short insert — never an update of a shared row — so thousands of
submissions at 16:00 do not queue behind each other or behind result rows. The
assessment's refresh job reads the marks, recomputes the results they touch after
commit, and deletes the marks it has handled.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Change(models.Model):
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+",
                             db_constraint=True)
    element_codes = models.JSONField(default=list)
    day = models.DateField()
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("待更新标记")
        verbose_name_plural = _("待更新标记")
        indexes = [models.Index(fields=["unit", "day"], name="sources_change_unit_day")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day}"


class Refresh(models.Model):
    """The one ticket of the coalescing refresh: ``queued`` while a refresh job waits in
    the queue, so a thousand changes inside the debounce window enqueue one job.

    Claimed and released with conditional UPDATEs (as ``jobs.tasks.claim``); a failed
    refresh records its error and attempt count here and is queued again with a back-off.
    """

    key = models.CharField(max_length=40, unique=True)
    queued = models.BooleanField(default=False)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    # Marks deleted by every refresh so far (counted on the refresh ticket, in the
    # transaction that deletes them): a worker that keeps units' figures between
    # refreshes knows from it whether another process handled marks meanwhile.
    handled = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("结果更新任务")
        verbose_name_plural = _("结果更新任务")

    def __str__(self) -> str:
        return self.key
