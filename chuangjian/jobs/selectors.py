from __future__ import annotations

from typing import Any

from django.http import Http404

from chuangjian.jobs.models import Job


def job_for(user: Any, pk: int) -> Job:
    """A job its owner (or a superuser) may follow; 404 for anyone else."""
    qs = Job.objects.all() if user.is_superuser else Job.objects.filter(user=user)
    found = qs.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
