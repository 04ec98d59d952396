from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from chuangjian.jobs.models import JobStatus
from chuangjian.jobs.selectors import job_for, jobs_of


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """My jobs: every export and ledger I started, with its state and download."""
    page = Paginator(jobs_of(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "jobs/index.html", {"page": page})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = job_for(request.user, pk)
    template = "jobs/_status.html" if request.htmx else "jobs/detail.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": job})


@login_required
def download(request: HttpRequest, pk: int) -> FileResponse:
    job = job_for(request.user, pk)
    if job.status != JobStatus.DONE or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename,
                        content_type=job.content_type or None)
