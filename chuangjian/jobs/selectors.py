from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from chuangjian.jobs.models import Job


def jobs_of(user: Any) -> QuerySet[Job]:
    """The jobs a person started, newest first (我的后台任务). Jobs are private to their owner."""
    return Job.objects.filter(user=user).order_by("-created_at", "-id")


def job_for(user: Any, pk: int) -> Job:
    """A job its owner (or a superuser) may follow; 404 for anyone else."""
    qs = Job.objects.all() if user.is_superuser else Job.objects.filter(user=user)
    found = qs.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
