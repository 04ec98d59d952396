"""The ledger is built in the background with a progress bar (chuangjian.jobs)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from chuangjian.evidence.ledger.build import LedgerError, build
from chuangjian.jobs.registry import JobError, JobOutput, Progress, job
from chuangjian.org.models import User
from chuangjian.org.scope import Scope

LEDGER_JOB = "evidence.ledger"


@job(LEDGER_JOB, title=_("生成台账"))
def build_ledger(params: Mapping[str, Any], progress: Progress) -> JobOutput:
    # The job re-checks the scope of the user who asked: params are only ids.
    user = User.objects.filter(pk=int(params.get("user_id") or 0), is_active=True).first()
    if user is None:
        raise JobError(str(_("申请人账号已停用，不能生成台账")))
    scope = Scope.for_user(user)
    try:
        built = build(scope, unit_code=str(params["unit"]), standard_code=str(params["standard"]),
                      year=int(params["year"]), fmt=str(params.get("format", "pdf")),
                      compiler=str(params.get("compiler", "")),
                      progress=lambda p, m: progress(p, m))
    except LedgerError as error:
        raise JobError(str(error)) from None
    progress(100, _("台账已生成"))
    return JobOutput(built.filename, built.content, built.content_type)
