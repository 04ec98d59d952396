"""Long assessment exports, run in the background with a progress bar (see chuangjian/jobs).

Params carry the requesting user's id: the job reads with that user's scope, never
more, because the page that started it may be long gone when it runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chuangjian.assessment.exports import report, scoresheet
from chuangjian.assessment.exports.data import ExportData, ExportError, collect
from chuangjian.jobs.registry import JobError, JobOutput, Progress, job
from chuangjian.lib.replica import replica_reads
from chuangjian.org.models import User
from chuangjian.org.scope import Scope


def _data(params: Mapping[str, Any], progress: Progress) -> ExportData:
    user_id = params.get("user")
    user = (User.objects.filter(pk=int(user_id), is_active=True).first()
            if isinstance(user_id, int) else None)
    if user is None:
        raise JobError(_("发起导出的用户已不存在或已停用"))
    try:
        year = int(params.get("year") or 0)
    except (TypeError, ValueError):
        raise JobError(_("年度「%(y)s」不是数字") % {"y": params.get("year")}) from None
    progress(5, _("正在读取考核结果"))
    try:
        with replica_reads():
            return collect(Scope.for_user(user), unit_code=str(params.get("unit") or ""),
                           standard_code=str(params.get("standard") or ""), year=year,
                           kind=params.get("kind"), progress=progress)
    except ExportError as error:
        raise JobError(str(error)) from None


@job("assessment.scoresheet", title=gettext_lazy("考核评分表"))
def export_scoresheet(params: Mapping[str, Any], progress: Progress) -> JobOutput:
    data = _data(params, progress)
    content = scoresheet.build(data, progress)
    progress(98, _("正在保存"))
    return JobOutput(data.filename(_("考核评分表"), "xlsx"), content, scoresheet.XLSX)


@job("assessment.report", title=gettext_lazy("考核报告"))
def export_report(params: Mapping[str, Any], progress: Progress) -> JobOutput:
    fmt = str(params.get("format") or "pdf")
    if fmt not in ("pdf", "docx"):
        raise JobError(_("报告格式应为 pdf 或 docx，而不是「%(f)s」") % {"f": fmt})
    data = _data(params, progress)
    if fmt == "pdf":
        content, mime = report.build_pdf(data, progress), report.PDF
    else:
        content, mime = report.build_docx(data, progress), report.DOCX
    progress(98, _("正在保存"))
    return JobOutput(data.filename(_("考核报告"), fmt), content, mime)
