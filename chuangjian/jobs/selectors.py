from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from chuangjian.jobs.models import Job
from chuangjian.org.scope import Scope


def jobs_of(*, scope: Scope) -> QuerySet[Job]:
    """The jobs the scope's person started, newest first (我的后台任务). Jobs are private to
    their owner, even from the operator: this is "my" list."""
    if scope.user_id is None:
        return Job.objects.none()
    return Job.objects.filter(user_id=scope.user_id).order_by("-created_at", "-id")


def job_for(*, scope: Scope, pk: int) -> Job:
    """A job its owner (or a superuser) may follow; 404 for anyone else."""
    if scope.is_global:
        qs = Job.objects.all()
    elif scope.user_id is not None:
        qs = Job.objects.filter(user_id=scope.user_id)
    else:
        raise Http404
    found = qs.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
