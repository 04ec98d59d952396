from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from chuangjian.jobs import actions
from chuangjian.jobs.models import JobStatus
from chuangjian.jobs.selectors import job_for, jobs_of
from chuangjian.org.scope import Scope


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """My jobs: every export and ledger I started, with its state and download."""
    # A job whose worker died is shown as failed here too, not 「进行中」 until opened.
    actions.fail_stale_jobs(actor=request.user, scope=Scope.for_user(request.user))
    page = Paginator(jobs_of(scope=Scope.for_user(request.user)), 20).get_page(request.GET.get("page"))
    return render(request, "jobs/index.html", {"page": page})


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = job_for(scope=Scope.for_user(request.user), pk=pk)
    if actions.is_stale(job):
        # Its worker stopped beating: say so instead of 「进行中」 forever.
        actions.fail_stale_jobs(actor=request.user, scope=request.scope,  # type: ignore[attr-defined]
                                job=job)
        job.refresh_from_db()
    template = "jobs/_status.html" if request.htmx else "jobs/detail.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": job})


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = job_for(scope=Scope.for_user(request.user), pk=pk)
    try:
        again = actions.retry_job(actor=request.user, scope=request.scope,  # type: ignore[attr-defined]
                                  job=job)
    except ValidationError:
        return redirect("jobs:detail", pk=job.pk)
    return redirect("jobs:detail", pk=again.pk)


@login_required
def download(request: HttpRequest, pk: int) -> FileResponse:
    job = job_for(scope=Scope.for_user(request.user), pk=pk)
    if job.status != JobStatus.DONE or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename,
                        content_type=job.content_type or None)
